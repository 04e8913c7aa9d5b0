"""0012 adds ``users.oidc_subject`` and takes it away again without touching the accounts."""
import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import throwaway_postgres_database
from tracker import create_app
from tracker.extensions import db


def _down_and_up_keeps_the_people(url):
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        upgrade(revision="0012")
        db.session.execute(sa.text(
            "INSERT INTO users (email, name, is_admin, edits_templates, active, timezone, "
            "notification_preference, session_token, oidc_subject, created_at, updated_at) "
            "VALUES ('sam@example.com', 'Sam', false, false, true, 'UTC', 'all', 't1', "
            "'sub-sam', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):  # one account per subject
            db.session.execute(sa.text(
                "INSERT INTO users (email, name, is_admin, edits_templates, active, timezone, "
                "notification_preference, session_token, oidc_subject, created_at, updated_at) "
                "VALUES ('kim@example.com', 'Kim', false, false, true, 'UTC', 'all', 't2', "
                "'sub-sam', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        db.session.rollback()
        downgrade(revision="0011")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "oidc_subject" not in columns
        upgrade(revision="0012")
        rows = db.session.execute(sa.text("SELECT email, oidc_subject FROM users")).all()
        assert [tuple(row) for row in rows] == [("sam@example.com", None)]
        db.session.remove()
        db.engine.dispose()


def test_0012_down_and_up_on_sqlite(tmp_path):
    _down_and_up_keeps_the_people(f"sqlite:///{tmp_path / 'oidc.sqlite3'}")


@pytest.mark.postgres
def test_0012_down_and_up_on_postgresql():
    with throwaway_postgres_database() as url:
        _down_and_up_keeps_the_people(url)
