"""`tracker backup` and `tracker restore`: every row and every evidence file comes back.

A module's world (tests/backup_support.py) is backed up through the CLI, restored into a new
empty database of the same kind (a SQLite file, or a new PostgreSQL database), and compared
table by table by the tests' own reading, and file by file, byte for byte.
"""
from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import sqlite3
from datetime import datetime

import pytest
import sqlalchemy as sa

from tests.backup_support import (
    FILES,
    back_up,
    build,
    files,
    fresh_app,
    kind_of,
    run,
    stamped,
    tables,
)
from tests.worlds import cached_world
from tracker.database import is_sqlite
from tracker.services.backup import code_head

world = cached_world(build)


@pytest.fixture
def source(app, world):
    with stamped(app):
        yield app


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
    assert manifest["app_version"] == importlib.metadata.version("onboarding-tracker")
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
