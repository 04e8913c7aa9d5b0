"""What the backup tests share: a world worth backing up, and ways to run and compare.

``build`` makes rows in every table through the app's services (plans, evidence with files,
reviews, both halves of a check-in, pulses, preferences, an archived plan, the outbox) plus the
demo company. ``tables`` is the tests' own reading of a database, independent of the backup
code's: every row through the models' types, in primary-key order.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import sqlalchemy as sa
from flask_migrate import stamp
from werkzeug.datastructures import FileStorage

from tests.conftest import throwaway_postgres_database
from tests.factories import cast, days_ago, make_plan
from tracker import create_app
from tracker.database import is_sqlite
from tracker.extensions import db
from tracker.models import EvidenceKind, GoalOwner, PlanStatus, utcnow
from tracker.services import checkins, goals, pulses
from tracker.services.demo import seed_demo
from tracker.services.plan_changes import set_status
from tracker.services.preferences import set_preference

ALEMBIC_VERSION = sa.Table("alembic_version", sa.MetaData(),
                           sa.Column("version_num", sa.String(32), primary_key=True))

FILES = {
    "design.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "diagram.png": b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 9,
    "results.csv": "model,score\nbaseline,0.71\nnew,0.78 \u2713\n".encode(),
}


def build(app):
    """Rows in every table the app writes, and three evidence files; returns the ids used."""
    from tracker.jobs.sweep import sweep

    with app.app_context():
        people = cast("admin", "manager", "buddy", "hire", "other_hire")
        plan = make_plan(people.hire, people.manager, buddy=people.buddy, start=days_ago(25))
        d30 = plan.milestones[0]
        needs = [g for g in d30.goals if g.owner == GoalOwner.HIRE and g.evidence_required]
        for goal, (name, content) in zip(needs, FILES.items()):
            goals.submit_evidence(plan, goal, people.hire, kind=EvidenceKind.FILE,
                                  note="See the attached file.",
                                  upload=FileStorage(io.BytesIO(content), name))
        goals.submit_evidence(plan, needs[3], people.hire, kind=EvidenceKind.LINK,
                              url="https://wiki.example.com/onboarding/ana")
        goals.review_goal(plan, needs[0], people.manager, approve=True, comment="")
        goals.review_goal(plan, needs[1], people.manager, approve=False,
                          comment="Add the failure modes, please.")
        today = date.today()
        checkins.save_hire_part(plan, d30, people.hire, today, self_assessment="Settled in.",
                                went_well="Pairing \u2014 a lot", blockers="GPU quota",
                                goal_notes={needs[0].id: "All accounts work"})
        checkins.save_manager_part(plan, d30, people.manager, today, assessment="Strong start.",
                                   rating="on_track", next_steps="Own the eval job")
        pulses.answer(plan, people.hire, today, confidence="4", blocker="", win="First PR")
        set_preference(people.hire, "digest")
        archived = make_plan(people.other_hire, people.manager, start=days_ago(100))
        set_status(archived, PlanStatus.ARCHIVED, actor=people.admin)
        seed_demo()
        db.session.commit()
        sweep(utcnow())  # the outbox, too
        return SimpleNamespace(plan=plan.id)


@contextlib.contextmanager
def stamped(app):
    """The database stamped at the code's migration head, as `db upgrade` leaves it."""
    with app.app_context():
        stamp()
        db.engine.dispose()
    yield app
    if not is_sqlite(app.config["DATABASE_URL"]):  # the session's PostgreSQL database is shared
        with app.app_context():
            with db.engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
            db.engine.dispose()


@contextlib.contextmanager
def fresh_app(kind: str, folder: Path):
    """An app on a new, empty database of ``kind``, with an upload folder of its own."""
    with contextlib.ExitStack() as stack:
        folder.mkdir(parents=True, exist_ok=True)
        url = (f"sqlite:///{folder / 'restored.sqlite3'}" if kind == "sqlite"
               else stack.enter_context(throwaway_postgres_database()))
        app = create_app("testing", DATABASE_URL=url, UPLOAD_DIR=str(folder / "restored-uploads"))
        try:
            yield app
        finally:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()


def kind_of(app) -> str:
    return "sqlite" if is_sqlite(app.config["DATABASE_URL"]) else "postgresql"


def run(app, *args):
    return app.test_cli_runner().invoke(args=["tracker", *args])


def back_up(app, folder: Path) -> Path:
    result = run(app, "backup", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def tables(app) -> dict[str, tuple[int, str]]:
    """Each table's row count and a sha256 of its rows in key order, read through the models."""
    found = {}
    with app.app_context():
        present = set(sa.inspect(db.engine).get_table_names())
        for table in [*db.metadata.sorted_tables, ALEMBIC_VERSION]:
            if table.name in present:
                rows = db.session.execute(
                    sa.select(table).order_by(*table.primary_key.columns)).all()
                text = repr([tuple(row) for row in rows]).encode()
                found[table.name] = (len(rows), hashlib.sha256(text).hexdigest())
        db.session.remove()
        db.engine.dispose()
    return found


def files(app) -> dict[str, bytes]:
    folder = Path(app.config["UPLOAD_DIR"])
    if not folder.exists():
        return {}
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}
