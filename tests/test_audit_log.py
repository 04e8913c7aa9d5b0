"""The audit log is append-only: nothing in the app can change or remove an event once written.

The runtime guards (tracker/models/append_only.py) are tried here the ways a bug would reach
them: an ORM change, an ORM delete, a bulk statement and raw SQL, and deleting a plan, whose
events would cascade. The static scan reads every module in tracker/ for a statement aimed at
the audit table, and is itself tested on code that does exactly that, so it can fail.
"""
from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import AppendOnlyError, AuditEvent, Plan, PlanMilestone, User
from tracker.models.append_only import forbidden_statement
from tracker.services.audit import record
from tracker.services.preferences import set_preference

PACKAGE = Path(__file__).resolve().parent.parent / "tracker"


@pytest.fixture
def history(app, library):
    """A plan (whose creation is audited) and a person who appears in the log but has no plan."""
    with app.app_context():
        plan = make_plan(make_user("hire@example.com"), make_user("manager@example.com"))
        bystander = make_user("bystander@example.com")
        set_preference(bystander, "digest")
        db.session.commit()
        return plan.id, bystander.id


def _events(app) -> list[tuple]:
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            sa.select(AuditEvent.id, AuditEvent.plan_id, AuditEvent.action, AuditEvent.before,
                      AuditEvent.after).order_by(AuditEvent.id))]


def test_an_audit_event_cannot_be_changed_through_the_orm(app, history):
    before = _events(app)
    with app.app_context():
        event = db.session.scalars(sa.select(AuditEvent)).first()
        event.action = "plan.nothing_happened"
        with pytest.raises(AppendOnlyError, match="cannot be changed"):
            db.session.commit()
        db.session.rollback()
        record("plan.noted", plan=db.session.get(Plan, history[0]))  # appending still works
        db.session.commit()
    after = _events(app)
    assert after[:-1] == before and after[-1][2] == "plan.noted"


def test_an_audit_event_cannot_be_deleted_through_the_orm(app, history):
    before = _events(app)
    with app.app_context():
        db.session.delete(db.session.scalars(sa.select(AuditEvent)).first())
        with pytest.raises(AppendOnlyError, match="cannot be deleted"):
            db.session.commit()
        db.session.rollback()
    assert _events(app) == before


STATEMENTS = {
    "orm bulk update": lambda: sa.update(AuditEvent).values(action="x"),
    "orm bulk delete": lambda: sa.delete(AuditEvent).where(AuditEvent.id > 0),
    "core delete": lambda: AuditEvent.__table__.delete(),
    "raw update": lambda: sa.text("UPDATE audit_events SET after = NULL"),
    "raw delete": lambda: sa.text('delete from "audit_events"'),
    "plan delete": lambda: sa.delete(Plan),
    "raw plan delete": lambda: sa.text("DELETE FROM plans WHERE id > 0"),
}


@pytest.mark.parametrize("how", STATEMENTS)
def test_statements_that_would_rewrite_the_audit_log_are_refused(app, history, how):
    before = _events(app)
    with app.app_context():
        with pytest.raises(AppendOnlyError, match="append-only"):
            db.session.execute(STATEMENTS[how]())
        db.session.rollback()
        with db.engine.connect() as connection:  # outside the session too
            with pytest.raises(AppendOnlyError):
                connection.execute(STATEMENTS[how]())
    assert _events(app) == before


def test_a_plan_cannot_be_deleted_since_its_audit_history_would_go_with_it(app, history):
    """audit_events.plan_id is ON DELETE CASCADE; plans are archived, never deleted."""
    before = _events(app)
    assert any(event[1] == history[0] for event in before)
    with app.app_context():
        db.session.delete(db.session.get(Plan, history[0]))
        with pytest.raises(AppendOnlyError, match="Archive the plan instead"):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanMilestone)) == 5
    assert _events(app) == before


def test_the_database_refuses_to_delete_a_person_named_in_the_audit_log(app, history):
    """audit_events.actor_id has no ON DELETE action, so no history loses its author."""
    before = _events(app)
    with app.app_context():
        db.session.delete(db.session.get(User, history[1]))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.commit()
        db.session.rollback()
    assert _events(app) == before


# --- The static scan -----------------------------------------------------------------------

WRITES = {"update", "delete"}


def _audit_names(tree: ast.AST) -> set[str]:
    """Names that stand for the audit model or table: imports, aliases and assignments."""
    names = {"AuditEvent"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {a.asname for a in node.names if a.name == "AuditEvent" and a.asname}
    grew = True
    while grew:
        grew = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _mentions(node.value, names):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in names:
                        names.add(target.id)
                        grew = True
    return names


def _mentions(node: ast.AST | None, names: set[str]) -> bool:
    for sub in ast.walk(node) if node is not None else ():
        if isinstance(sub, ast.Name) and sub.id in names:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == "AuditEvent":
            return True
        if isinstance(sub, ast.Constant) and sub.value == "audit_events":
            return True
    return False


def audit_writes(source: str, where: str = "<code>") -> list[str]:
    """Every place in ``source`` that would update, delete or truncate audit rows."""
    tree = ast.parse(source)
    names = _audit_names(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)):
            verb = node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id
            receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
            target = node.args[0] if node.args else None
            if verb in WRITES and (_mentions(target, names) or _mentions(receiver, names)):
                found.append(f"{where}:{node.lineno}: {ast.unparse(node)[:80]}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if forbidden_statement(node.value) and "audit_events" in node.value:
                found.append(f"{where}:{node.lineno}: SQL {node.value[:60]!r}")
    return found


def test_no_code_in_tracker_updates_or_deletes_audit_rows():
    modules = sorted(PACKAGE.rglob("*.py"))
    findings = [line for path in modules
                for line in audit_writes(path.read_text(), str(path.relative_to(PACKAGE)))]
    assert findings == []
    # The scan reads the real code: it sees the model where the audit feed queries it.
    readers = [path.name for path in modules
               if _mentions(ast.parse(path.read_text()), {"AuditEvent"})]
    assert "audit.py" in readers and len(modules) > 50


CAUGHT = {
    "sa.update": "sa.update(AuditEvent).values(action='x')",
    "sa.delete with a where": "db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == 1))",
    "an alias": "from tracker.models import AuditEvent as Log\nupdate(Log).values(after=None)",
    "the table": "AuditEvent.__table__.delete()",
    "the table by name": "t = AuditEvent.__table__\nconn.execute(t.update().values(action=''))",
    "a query": "db.session.query(AuditEvent).filter_by(plan_id=3).delete()",
    "a reflected table": "sa.delete(sa.table('audit_events'))",
    "raw SQL": "db.session.execute(sa.text('UPDATE audit_events SET action = :a'))",
    "raw SQL, quoted": "conn.exec_driver_sql('DELETE FROM \"audit_events\" WHERE id < 9')",
    "truncate": "cursor.execute('TRUNCATE TABLE audit_events')",
}
PASSED = {
    "recording": "db.session.add(AuditEvent(action='plan.created'))",
    "reading": "db.session.scalars(sa.select(AuditEvent).where(AuditEvent.plan_id == 1))",
    "another table": "sa.update(Notification).where(Notification.plan_id == AuditEvent.plan_id)",
    "a dict": "before.update({'status': 'open'})",
    "SQL on another table": "sa.text('DELETE FROM notifications WHERE plan_id = 3')",
}


@pytest.mark.parametrize("how", CAUGHT)
def test_the_scan_catches_each_way_of_writing_to_the_audit_table(how):
    assert len(audit_writes(textwrap.dedent(CAUGHT[how]))) == 1


@pytest.mark.parametrize("how", PASSED)
def test_the_scan_lets_reads_and_other_tables_through(how):
    assert audit_writes(PASSED[how]) == []
