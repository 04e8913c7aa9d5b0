"""Backups: the database and every evidence file in one folder, with a manifest; and restore.

A backup is a folder, made new by each run::

    manifest.json       app version, migration revision, database kind, time, each table's
                        row count and sha256, each file's size and sha256
    database.sqlite3    SQLite: a copy made with SQLite's backup API, or
    database.pgdump     PostgreSQL: pg_dump --format=custom
    uploads/            every evidence file under its stored name

It is built under a hidden name beside the target and renamed into place once the manifest is
written, so an interrupted run leaves nothing that looks like a backup. Evidence files are
copied after the database: files are never deleted, so the copy holds every file the saved
rows name (plus any saved while it ran, which nothing then refers to).

A restore checks everything first: that the folder is a backup, of the same kind of database,
made at this code's migration head, every file whole, and (without ``force``) that the target
holds nothing. Only then are the evidence files staged beside their folder, the database
replaced in one step, and the staged files moved in. The restored tables are then read again
and compared with the manifest. Neither ever commits the app's session: the backup reads in
a transaction of its own and the restore replaces the database beneath it.
"""
from __future__ import annotations

import contextlib
import importlib.metadata
import os
import secrets
import shutil
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app
from werkzeug.utils import secure_filename

from tracker.formatting import plural
from tracker.services.backup_databases import database_at, database_kind
from tracker.services.backup_manifest import (
    UPLOADS,
    BackupError,
    FileEntry,
    Manifest,
    check_files,
    copy_hashed,
    read_manifest,
    sha256_of,
    write_manifest,
)
from tracker.services.uploads import upload_dir


class Progress:
    """How a long run reports itself; the CLI prints, everything else stays quiet."""

    def step(self, message: str) -> None:
        pass

    def each(self, items: list, label: str):
        return contextlib.nullcontext(items)


def app_version() -> str:
    return importlib.metadata.version("onboarding-tracker")


def code_head() -> str:
    """The migration revision this code expects the database to be at."""
    return ScriptDirectory(current_app.extensions["migrate"].directory).get_current_head()


def evidence_on_disk(folder: Path) -> list[Path]:
    """Files the app stored (a stored name is always a plain one); staging folders are not."""
    return sorted(path for path in folder.iterdir() if path.is_file()
                  and not path.name.startswith(".") and secure_filename(path.name) == path.name)


def create_backup(target: Path, progress: Progress | None = None) -> Manifest:
    progress = progress or Progress()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} already exists; each backup goes into a new folder")
    database = database_at(current_app.config["DATABASE_URL"])
    work = target.parent / f".{target.name}.partial-{secrets.token_hex(4)}"
    (work / UPLOADS).mkdir(parents=True)
    try:
        progress.step(f"Copying the {database.kind} database...")
        with _reaching("the database (DATABASE_URL)"):
            snapshot = database.dump(work / database.dump_name)
        files = [FileEntry(database.dump_name, *_measure(work / database.dump_name))]
        sources = evidence_on_disk(upload_dir())
        with progress.each(sources, f"Copying {plural(len(sources), 'evidence file')}") as bar:
            for source in bar:
                copied = copy_hashed(source, work / UPLOADS / source.name)
                files.append(FileEntry(f"{UPLOADS}/{source.name}", copied.size, copied.sha256))
        manifest = Manifest(
            app_version=app_version(), alembic_revision=snapshot.revision,
            database_kind=database.kind,
            created_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            database_file=database.dump_name, tables=snapshot.tables, files=files,
            missing_evidence_files=sorted(snapshot.evidence_files - {s.name for s in sources}))
        write_manifest(work, manifest)
        if target.exists():
            target.rmdir()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _measure(path: Path) -> tuple[int, str]:
    entry = sha256_of(path)
    return entry.size, entry.sha256


def _refuse_if_not_restorable(manifest: Manifest, url: str) -> None:
    kind = database_kind(url)
    if manifest.database_kind != kind:
        raise BackupError(
            f"this is a backup of a {manifest.database_kind} database, and DATABASE_URL points "
            f"at {kind}. Restore it into a {manifest.database_kind} database; moving data "
            "between kinds of database is not supported")
    head = code_head()
    if manifest.alembic_revision != head:
        made = manifest.alembic_revision or "no revision (the database was not migrated)"
        raise BackupError(
            f"this backup's database is at migration {made}, made by app version "
            f"{manifest.app_version}; this code's migrations end at {head}. Restore it with "
            f"app version {manifest.app_version} (the code that made it), then install this "
            "version and run `flask --app wsgi db upgrade`")


@contextlib.contextmanager
def _reaching(what: str):
    """A database that cannot be opened is an operator's problem to fix, not a traceback."""
    try:
        yield
    except sa.exc.OperationalError as error:
        raise BackupError(f"cannot open {what}: {error.orig}") from None


def _refuse_if_not_empty(database, folder: Path) -> None:
    with _reaching("the target database (DATABASE_URL)"):
        counts = database.row_counts()
    held = {name: rows for name, rows in counts.items() if rows}
    files = evidence_on_disk(folder)
    if not held and not files:
        return
    found = [f"{rows} {name}" for name, rows in sorted(held.items())]
    found += [plural(len(files), "evidence file")] if files else []
    raise BackupError(
        f"the target is not empty: it holds {', '.join(found)}. A restore replaces all of it. "
        "Back it up first (`tracker backup`), stop the app and the scheduler, then run the "
        "restore again with --force")


def restore_backup(source: Path, *, force: bool = False,
                   progress: Progress | None = None) -> tuple[Manifest, Path | None]:
    """Restore ``source``; returns its manifest and where replaced evidence files went."""
    progress = progress or Progress()
    manifest = read_manifest(source)
    url = current_app.config["DATABASE_URL"]
    _refuse_if_not_restorable(manifest, url)
    database, folder = database_at(url), upload_dir()
    if force:
        with _reaching("the target database (DATABASE_URL)"):
            database.row_counts()
    else:
        _refuse_if_not_empty(database, folder)
    with progress.each(manifest.files, f"Checking {plural(len(manifest.files), 'file')}") as bar:
        problems = check_files(source, bar)
    if problems:
        raise BackupError("the backup is incomplete or damaged, so nothing was restored: "
                          + "; ".join(problems))
    staging = folder / f".restore-{secrets.token_hex(4)}"
    staging.mkdir()
    try:
        with progress.each(manifest.uploads, "Staging evidence files") as bar:
            for entry in bar:
                copied = copy_hashed(source / entry.path, staging / Path(entry.path).name)
                if (copied.size, copied.sha256) != (entry.size, entry.sha256):
                    raise BackupError(f"{entry.path} changed while it was being read; "
                                      "nothing was restored")
        progress.step(f"Replacing the {database.kind} database...")
        database.load(source / manifest.database_file)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    aside = _move_in(staging, folder, manifest.uploads)
    progress.step("Comparing the restored tables with the manifest...")
    restored = database.summaries()
    differing = sorted(name for name in manifest.tables.keys() | restored.keys()
                       if manifest.tables.get(name) != restored.get(name))
    if differing:
        raise BackupError(f"the database was restored, but these tables differ from the "
                          f"backup: {', '.join(differing)}")
    return manifest, aside


def _move_in(staging: Path, folder: Path, restored: list[FileEntry]) -> Path | None:
    """Put the staged files in place. A file already there that the backup does not hold, the
    same, goes to a folder beside it rather than being lost."""
    same = {Path(entry.path).name: entry.sha256 for entry in restored}
    old = [path for path in evidence_on_disk(folder)
           if path.name not in same or same[path.name] != sha256_of(path).sha256]
    aside = None
    if old:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        aside = folder.with_name(f"{folder.name}.before-restore-{stamp}")
        aside.mkdir(exist_ok=True)
        for path in old:
            shutil.move(path, aside / path.name)
    for path in staging.iterdir():
        os.replace(path, folder / path.name)
    staging.rmdir()
    return aside
