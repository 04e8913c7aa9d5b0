"""`tracker restore` refuses a backup it cannot trust, or a target that holds data, and says
why, before it changes anything; each test checks the target is exactly as it was."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.backup_support import (
    back_up,
    build,
    files,
    fresh_app,
    kind_of,
    run,
    stamped,
    tables,
)
from tests.conftest import _server_url
from tests.factories import make_user
from tests.worlds import cached_world
from tracker import create_app
from tracker.database import is_sqlite
from tracker.extensions import db
from tracker.services.backup import code_head

world = cached_world(build)


@pytest.fixture
def source(app, world):
    with stamped(app):
        yield app


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


@pytest.mark.postgres
def test_restore_into_a_postgresql_database_that_does_not_exist_says_so(backup):
    edit_manifest(backup, database_kind="postgresql")  # the target is checked before any file
    server = sa.engine.make_url(_server_url()).set(drivername="postgresql+psycopg")
    url = server.set(database=f"tracker_not_created_{uuid.uuid4().hex[:8]}")
    target = create_app("testing", DATABASE_URL=url.render_as_string(hide_password=False))
    for force in ([], ["--force"]):
        result = run(target, "restore", str(backup), *force)
        assert result.exit_code == 1, result.output
        assert "cannot open the target database" in result.output
        assert url.database in result.output
