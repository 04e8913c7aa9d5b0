"""`tracker backup` and `tracker restore`: every row and every evidence file comes back, and a
backup that cannot be trusted is refused before anything changes.

The source is a module's world built through the app's services (plans, evidence with files,
reviews, a signed check-in, pulses, preferences, the outbox), plus the demo company. It is
backed up through the CLI, restored into a new empty database of the same kind (a SQLite file,
or a new PostgreSQL database), and compared table by table, by the test's own reading: the
rows through the models' types, in primary-key order, and the files byte for byte.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from flask_migrate import stamp
from werkzeug.datastructures import FileStorage

from tests.conftest import throwaway_postgres_database
from tests.factories import cast, days_ago, make_plan, make_user
from tests.worlds import cached_world
from tracker import create_app
from tracker.database import is_sqlite
from tracker.extensions import db
from tracker.models import EvidenceKind, GoalOwner, PlanStatus, utcnow
from tracker.services import checkins, goals, pulses
from tracker.services.backup import code_head
from tracker.services.backup_tables import ALEMBIC_VERSION
from tracker.services.demo import seed_demo
from tracker.services.plan_changes import set_status
from tracker.services.preferences import set_preference

FILES = {
    "design.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
    "diagram.png": b"\x89PNG\r\n\x1a\n" + bytes(reversed(range(256))) * 9,
    "results.csv": "model,score\nbaseline,0.71\nnew,0.78 \u2713\n".encode(),
}


def build(app):
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


world = cached_world(build)


@pytest.fixture
def source(app, world):
    """The world's database, stamped at the code's migration head as `db upgrade` leaves it."""
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


def test_a_restore_into_a_fresh_database_brings_back_every_row_and_file(source, tmp_path):
    before, uploaded = tables(source), files(source)
    for name in ("evidence", "audit_events", "checkins", "pulse_checkins", "notifications"):
        assert before[name][0] > 0, f"the world should have {name}"
    assert sorted(uploaded.values()) == sorted(FILES.values())
    backup = back_up(source, tmp_path / "backup")
    with fresh_app(kind_of(source), tmp_path) as target:
        result = run(target, "restore", str(backup))
        assert result.exit_code == 0, result.output
        assert "every table matches the manifest" in result.output
        assert tables(target) == before
        assert files(target) == uploaded
    assert tables(source) == before  # a backup changes nothing


def test_the_manifest_says_what_the_backup_holds(source, tmp_path):
    backup = back_up(source, tmp_path / "backup")
    manifest = json.loads((backup / "manifest.json").read_text())
    with source.app_context():
        assert manifest["alembic_revision"] == code_head()
    assert manifest["database_kind"] == kind_of(source)
    assert manifest["app_version"] == "0.1.0"
    assert datetime.fromisoformat(manifest["created_at"]).tzinfo is not None
    counts = {name: rows for name, (rows, _) in tables(source).items()}
    assert {name: t["rows"] for name, t in manifest["tables"].items()} == counts
    listed = {entry["path"]: entry for entry in manifest["files"]}
    on_disk = {str(p.relative_to(backup)): p for p in backup.rglob("*")
               if p.is_file() and p.name != "manifest.json"}
    assert listed.keys() == on_disk.keys() == {manifest["database_file"]} | {
        f"uploads/{name}" for name in files(source)}
    for path, entry in listed.items():
        content = on_disk[path].read_bytes()
        assert (entry["size"], entry["sha256"]) == (len(content),
                                                    hashlib.sha256(content).hexdigest())


@contextlib.contextmanager
def open_write(app):
    """Another connection in the middle of a transaction that has written a row."""
    url = app.config["DATABASE_URL"]
    if is_sqlite(url):
        connection = sqlite3.connect(sa.engine.make_url(url).database, isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")
        connection.execute("INSERT INTO users (email, name, is_admin, active, timezone, "
                           "notification_preference, session_token, created_at, updated_at) "
                           "VALUES ('mid@example.com', 'Mid', 0, 1, 'UTC', 'all', 'mid', "
                           "'2026-01-01', '2026-01-01')")
        yield
        connection.execute("ROLLBACK")
        connection.close()
        return
    engine = sa.create_engine(url)
    with engine.connect() as connection, connection.begin():
        connection.execute(sa.text("UPDATE users SET name = 'Changed mid-backup'"))
        yield
    engine.dispose()


def test_a_backup_taken_while_the_app_writes_holds_only_committed_rows(source, tmp_path):
    before = tables(source)
    with open_write(source):
        backup = back_up(source, tmp_path / "backup")
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["tables"]["users"]["rows"] == before["users"][0]
    with fresh_app(kind_of(source), tmp_path) as target:
        assert run(target, "restore", str(backup)).exit_code == 0
        assert tables(target)["users"] == before["users"]


# --- Refusals: each leaves the target exactly as it was ----------------------------------------


def assert_untouched(target) -> None:
    """The target is as it was: no database file (SQLite) or no table in it (PostgreSQL), and
    no evidence file or staging folder."""
    url = target.config["DATABASE_URL"]
    if is_sqlite(url):
        assert not Path(sa.engine.make_url(url).database).exists()
    else:
        with target.app_context():
            assert sa.inspect(db.engine).get_table_names() == []
            db.engine.dispose()
    folder = Path(target.config["UPLOAD_DIR"])
    assert not folder.exists() or list(folder.iterdir()) == []


def refused(target, backup: Path, *words: str) -> str:
    result = run(target, "restore", str(backup))
    assert result.exit_code == 1, result.output
    for word in words:
        assert word in result.output
    return result.output


def edit_manifest(backup: Path, **changes) -> None:
    path = backup / "manifest.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | changes))


@pytest.fixture
def backup(source, tmp_path):
    return back_up(source, tmp_path / "backup")


@pytest.fixture
def target(source, tmp_path):
    """A new empty database of the same kind as the source."""
    with fresh_app(kind_of(source), tmp_path / "target") as app:
        yield app


def test_restore_refuses_a_folder_that_is_not_a_backup(target, tmp_path):
    refused(target, tmp_path / "nowhere", "is not a backup", "no manifest.json")
    (tmp_path / "junk").mkdir()
    refused(target, tmp_path / "junk", "is not a backup")
    (tmp_path / "junk" / "manifest.json").write_text("{not json")
    refused(target, tmp_path / "junk", "is not a backup", "not valid JSON")
    (tmp_path / "junk" / "manifest.json").write_text('{"name": "some other tool"}')
    refused(target, tmp_path / "junk", "is not a backup", "not written by `tracker backup`")
    assert_untouched(target)


def test_restore_refuses_a_manifest_that_points_outside_the_backup(backup, target):
    manifest = json.loads((backup / "manifest.json").read_text())
    manifest["files"][1]["path"] = "uploads/../../secret.key"
    edit_manifest(backup, files=manifest["files"])
    refused(target, backup, "is not a backup", "uploads/../../secret.key")
    assert_untouched(target)


@pytest.mark.postgres
def test_restore_refuses_a_backup_of_another_kind_of_database(source, backup, tmp_path):
    made = kind_of(source)
    other = "postgresql" if made == "sqlite" else "sqlite"
    with fresh_app(other, tmp_path / "other") as target:
        refused(target, backup, f"backup of a {made} database",
                f"DATABASE_URL points at {other}", "not supported")
        assert_untouched(target)


def test_restore_refuses_a_backup_from_another_migration(backup, target):
    with target.app_context():
        head = code_head()
    edit_manifest(backup, alembic_revision="0002", app_version="0.0.9")
    refused(target, backup, "at migration 0002", f"end at {head}", "app version 0.0.9",
            "flask --app wsgi db upgrade")
    edit_manifest(backup, alembic_revision=None)
    refused(target, backup, "no revision")
    assert_untouched(target)


def database_file(backup: Path) -> Path:
    return backup / json.loads((backup / "manifest.json").read_text())["database_file"]


@pytest.mark.parametrize("which", ["an evidence file", "the database"])
def test_restore_refuses_a_backup_with_a_missing_file(backup, target, which):
    missing = (sorted((backup / "uploads").iterdir())[0] if which == "an evidence file"
               else database_file(backup))
    missing.unlink()
    name = str(missing.relative_to(backup))
    refused(target, backup, f"{name} is missing", "nothing was restored")
    assert_untouched(target)


@pytest.mark.parametrize("which", ["an evidence file", "the database"])
def test_restore_refuses_a_backup_with_a_damaged_file(backup, target, which):
    damaged = (sorted((backup / "uploads").iterdir())[-1] if which == "an evidence file"
               else database_file(backup))
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0x01  # one bit, the same size
    damaged.write_bytes(bytes(content))
    name = str(damaged.relative_to(backup))
    refused(target, backup, f"{name} is damaged", "nothing was restored")
    assert_untouched(target)


def test_restore_over_data_needs_force_and_keeps_the_files_it_replaces(source, backup, target):
    expected, uploaded = tables(source), files(source)
    refused(source, backup, "not empty", "--force")  # the database it was taken from, say
    assert tables(source) == expected
    with target.app_context():
        db.create_all()
        make_user("someone.else@example.com")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    folder = Path(target.config["UPLOAD_DIR"])
    folder.mkdir()
    (folder / "0123abcd.pdf").write_bytes(b"%PDF-1.4 an older file")
    refused(target, backup, "not empty: it holds", "1 users", "1 evidence file",
            "Back it up first")
    assert tables(target)["users"][0] == 1
    result = run(target, "restore", str(backup), "--force")
    assert result.exit_code == 0, result.output
    assert tables(target) == expected and files(target) == uploaded
    [aside] = folder.parent.glob("restored-uploads.before-restore-*")
    assert [p.name for p in aside.iterdir()] == ["0123abcd.pdf"]
    assert f"moved to {aside}" in result.output


def test_backup_refuses_a_folder_that_already_holds_files(source, tmp_path):
    taken = tmp_path / "backups" / "taken"
    taken.mkdir(parents=True)
    (taken / "keep.txt").write_text("mine")
    result = run(source, "backup", str(taken))
    assert result.exit_code == 1 and "already exists" in result.output
    assert [p.name for p in taken.parent.iterdir()] == ["taken"]  # nothing half-made beside it
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]
