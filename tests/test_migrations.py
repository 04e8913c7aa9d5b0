"""Migrations build the schema the models describe, and go down and up again cleanly."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.conftest import throwaway_postgres_database
from tracker import create_app
from tracker.extensions import db


def _round_trip(url):
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                    db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        db.engine.dispose()


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path):
    _round_trip(f"sqlite:///{tmp_path / 'migrate.sqlite3'}")


@pytest.mark.postgres
def test_upgrade_downgrade_upgrade_on_postgresql():
    with throwaway_postgres_database() as url:
        _round_trip(url)


def test_db_upgrade_command_builds_a_wal_database(tmp_path):
    path = tmp_path / "cli.sqlite3"
    app = create_app("testing", DATABASE_URL=f"sqlite:///{path}")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
        db.engine.dispose()


def test_0002_names_the_plans_manager_on_existing_check_ins(tmp_path, library):
    """Rows written before 0002 get the plan's manager as author and signer, the best guess."""
    from tests.factories import make_plan, make_user
    from tracker.models import CheckIn, utcnow

    app = create_app("testing", DATABASE_URL=f"sqlite:///{tmp_path / 'data.sqlite3'}")
    with app.app_context():
        upgrade()
        from tracker.services.role_versions import load_library

        load_library()
        db.session.commit()
        manager = make_user("m@example.com")
        plan = make_plan(make_user(), manager)
        db.session.add_all([
            CheckIn(milestone=plan.milestones[0], manager_assessment="Good",
                    manager_signed_at=utcnow()),
            CheckIn(milestone=plan.milestones[1], self_assessment="Only mine")])
        db.session.commit()
        downgrade(revision="0001")
        upgrade()
        rows = db.session.execute(sa.text(
            "SELECT manager_id, manager_signed_by_id FROM checkins ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(manager.id, manager.id), (None, None)]
        db.engine.dispose()
