"""On PostgreSQL the app's own role can be denied UPDATE, DELETE and TRUNCATE on the audit log.

The SQL is read from README.md and run as written (with this test's role and database names),
so the documentation cannot drift from what was tested. The app then runs as that role through
ordinary requests that write audit events, and the same role is refused when it tries to
rewrite the log, or to delete a plan, whose events would cascade, by raw SQL that bypasses the
app's own guards.
"""
from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from tests.conftest import BufferedClient, _server_url, login_as, throwaway_postgres_database
from tests.factories import make_plan, make_user
from tracker import create_app
from tracker.extensions import db
from tracker.models import GoalOwner
from tracker.services.role_versions import load_library

pytestmark = pytest.mark.postgres
README = Path(__file__).resolve().parent.parent / "README.md"


def role_sql(role: str, database: str) -> str:
    """The README's SQL for the app's role, with this test's names in it."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### The audit log"):]
    sql = re.search(r"```sql\n(.*?)```", section, re.DOTALL).group(1)
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM tracker_app" in sql
    assert "REVOKE DELETE, TRUNCATE ON plans FROM tracker_app" in sql
    sql = re.sub(r"\btracker_app\b", f'"{role}"', sql)
    return re.sub(r"ON DATABASE tracker\b", f'ON DATABASE "{database}"', sql)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _build(url: str) -> tuple[int, int]:
    """The schema by migration, as a deploy makes it, and a plan with a goal to send evidence to."""
    app = create_app("testing", DATABASE_URL=url)
    with app.app_context():
        upgrade()
        load_library()
        plan = make_plan(make_user("hire@example.com"), make_user("manager@example.com"),
                         start=date.today() - timedelta(days=10))
        goal = next(g for g in plan.milestones[0].goals
                    if g.owner == GoalOwner.HIRE and g.evidence_required)
        db.session.commit()
        ids = plan.id, goal.id
        db.session.remove()
        db.engine.dispose()
    return ids


def _audit_actions(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as conn:
        return [row[0] for row in conn.execute("SELECT action FROM audit_events ORDER BY id")]


@pytest.fixture
def restricted(tmp_path):
    """A throwaway database built by its owner, and a login role set up as the README says."""
    role = f"tracker_app_{uuid.uuid4().hex[:10]}"
    try:
        with throwaway_postgres_database() as owner_url:
            ids = _build(owner_url)
            database = make_url(owner_url).database
            with psycopg.connect(_dsn(owner_url), autocommit=True) as conn:
                conn.execute(role_sql(role, database).encode())
            app_url = make_url(owner_url).set(username=role, password="change-me")
            yield owner_url, app_url.render_as_string(hide_password=False), ids
    finally:
        with psycopg.connect(_dsn(_server_url()), autocommit=True) as conn:
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def test_the_app_runs_as_a_role_that_cannot_rewrite_the_audit_log(restricted, tmp_path):
    owner_url, app_url, (plan_id, goal_id) = restricted
    before = _audit_actions(_dsn(owner_url))
    app = create_app("testing", DATABASE_URL=app_url, UPLOAD_DIR=str(tmp_path / "uploads"))
    app.test_client_class = BufferedClient
    client = app.test_client()
    try:
        login_as(client, app, "hire@example.com")
        sent = client.post(f"/plans/{plan_id}/goals/{goal_id}/evidence",
                           data={"kind": "note", "note": "Wrote up the data map."})
        assert sent.status_code == 302
        login_as(client, app, "manager@example.com")
        reviewed = client.post(f"/plans/{plan_id}/goals/{goal_id}/review",
                               data={"decision": "approve"})
        assert reviewed.status_code == 302
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.current_user())) != "postgres"
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    assert _audit_actions(_dsn(owner_url)) == before + ["evidence.submitted", "goal.approved"]


@pytest.mark.parametrize("statement", [
    "UPDATE audit_events SET action = 'nothing.happened'",
    "DELETE FROM audit_events",
    "TRUNCATE audit_events",
    "DELETE FROM plans",  # would take the plan's audit events with it (ON DELETE CASCADE)
])
def test_the_database_refuses_the_role_a_raw_rewrite_of_the_log(restricted, statement):
    owner_url, app_url, _ = restricted
    before = _audit_actions(_dsn(owner_url))
    assert before, "the plan's creation should be in the log"
    with psycopg.connect(_dsn(app_url)) as conn:
        assert conn.execute("SELECT current_user").fetchone()[0].startswith("tracker_app_")
        conn.execute("INSERT INTO audit_events (action, target_type, created_at) "
                     "VALUES ('role.checked', '', now())")  # appending is allowed
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    assert _audit_actions(_dsn(owner_url)) == before  # the failed transaction kept nothing

