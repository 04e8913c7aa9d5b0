"""A backup's manifest: what the folder holds, written last and read first.

The manifest is written only after everything else is in the folder, so a folder with one is
complete. A restore reads it before touching anything and checks every file against it (size
and sha256), so a missing or damaged file is found while the running database is still whole.
File paths come from the manifest, which a person could edit: each must be the database file
or ``uploads/<one plain file name>``, so no path in it can point outside the folder.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

from werkzeug.utils import secure_filename

FORMAT = "onboarding-tracker-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message tells the operator what to do."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the backup folder, with "/" separators
    size: int
    sha256: str


@dataclass
class Manifest:
    app_version: str
    alembic_revision: str | None
    database_kind: str
    created_at: str
    database_file: str
    tables: dict[str, dict]  # name -> {"rows": n, "sha256": digest of its rows in key order}
    files: list[FileEntry]
    missing_evidence_files: list[str] = field(default_factory=list)

    @property
    def uploads(self) -> list[FileEntry]:
        return [entry for entry in self.files if entry.path.startswith(UPLOADS + "/")]


def write_manifest(folder: Path, manifest: Manifest) -> None:
    document = {"format": FORMAT, "format_version": FORMAT_VERSION} | asdict(manifest)
    (folder / MANIFEST).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


def read_manifest(folder: Path) -> Manifest:
    """The folder's manifest, or a refusal saying why the folder is not a backup."""
    path = folder / MANIFEST
    if not folder.is_dir() or not path.is_file():
        raise BackupError(f"{folder} is not a backup: there is no {MANIFEST} in it. Give the "
                          "folder that `tracker backup` made.")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BackupError(f"{folder} is not a backup: {MANIFEST} is not valid JSON "
                          f"({error})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(f"{folder} is not a backup: {MANIFEST} was not written by "
                          "`tracker backup`")
    if document.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"{folder} is a backup in format {document.get('format_version')!r}; "
                          f"this version of the app reads format {FORMAT_VERSION}")
    try:
        files = [FileEntry(str(f["path"]), int(f["size"]), str(f["sha256"]))
                 for f in document["files"]]
        manifest = Manifest(
            app_version=str(document["app_version"]),
            alembic_revision=document["alembic_revision"],
            database_kind=str(document["database_kind"]),
            created_at=str(document["created_at"]),
            database_file=str(document["database_file"]),
            tables=dict(document["tables"]), files=files,
            missing_evidence_files=list(document.get("missing_evidence_files", [])))
    except (KeyError, TypeError, ValueError) as error:
        raise BackupError(f"{folder} is not a backup: {MANIFEST} is incomplete "
                          f"({type(error).__name__}: {error})") from None
    for entry in files:
        if not _safe(entry.path, manifest.database_file):
            raise BackupError(f"{folder} is not a backup: {MANIFEST} names {entry.path!r}, "
                              "which is not a file a backup holds")
    return manifest


def _safe(path: str, database_file: str) -> bool:
    if path == database_file:
        return secure_filename(path) == path
    folder, _, name = path.partition("/")
    return folder == UPLOADS and bool(name) and secure_filename(name) == name


def sha256_of(path: Path) -> FileEntry:
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return FileEntry(path.name, size, digest.hexdigest())


def copy_hashed(source: Path, target: Path) -> FileEntry:
    """Copy ``source`` to ``target`` and hash what was written, in one read."""
    digest, size = hashlib.sha256(), 0
    with open(source, "rb") as reading, open(target, "wb") as writing:
        while chunk := reading.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            writing.write(chunk)
    shutil.copystat(source, target)
    return FileEntry(target.name, size, digest.hexdigest())


def check_files(folder: Path, entries: Iterable[FileEntry]) -> list[str]:
    """What is wrong with the backup's files: each one missing, or not what was written."""
    problems = []
    for entry in entries:
        path = folder / entry.path
        if not path.is_file():
            problems.append(f"{entry.path} is missing")
            continue
        found = sha256_of(path)
        if (found.size, found.sha256) != (entry.size, entry.sha256):
            problems.append(f"{entry.path} is damaged: its size or sha256 differs from the "
                            "manifest")
    return problems
