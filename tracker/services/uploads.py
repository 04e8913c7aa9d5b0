"""Evidence files: checked for size and type, stored outside static files under a random key.

The stored name never comes from the user, so no upload can overwrite another or escape the
folder; the original name is kept only for the download's Content-Disposition.

A file is kept only if the database transaction that records its evidence commits: every file
written is remembered on the session, and any other end of that transaction (a refusal that
rolls back, an error page, a failed commit) deletes it, so no refusal leaves a file behind.
"""
from __future__ import annotations

import mimetypes
import secrets
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from tracker.extensions import db
from tracker.models import Evidence
from tracker.services.errors import InputError

PENDING = "uploads.pending"  # session.info key: paths written in the open transaction


@dataclass(frozen=True)
class Stored:
    key: str
    name: str
    content_type: str
    size: int


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    path = Path(configured) if configured else Path(current_app.instance_path) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def allowed_extensions() -> set[str]:
    configured = current_app.config["UPLOAD_EXTENSIONS"].split(",")
    return {e.strip().lower() for e in configured if e.strip()}


def checked_name(upload: FileStorage | None) -> tuple[str, str]:
    """The safe file name and its extension, or the reason the upload cannot be taken."""
    if upload is None or not upload.filename:
        raise InputError("file", "choose a file to upload")
    name = secure_filename(upload.filename) or "evidence"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = allowed_extensions()
    if extension not in allowed:
        raise InputError("file", f"files of type .{extension or '?'} are not accepted; "
                                f"use one of: {', '.join(sorted(allowed))}")
    return shortened(name, extension), extension


def shortened(name: str, extension: str) -> str:
    """The name cut to fit its column, keeping the extension: it only names the download, and
    refusing a file for a long name would help nobody."""
    limit = Evidence.file_name.type.length
    if len(name) <= limit:
        return name
    return name[:limit - len(extension) - 1] + "." + extension


def store(upload: FileStorage | None) -> Stored:
    """Write the upload; it stays only if the current transaction commits."""
    name, extension = checked_name(upload)
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    key = f"{secrets.token_hex(16)}.{extension}"
    target = upload_dir() / key
    db.session.connection()  # the file belongs to the open transaction; start one if none is
    db.session.info.setdefault(PENDING, []).append(target)
    size = 0
    with open(target, "wb") as out:
        while chunk := upload.stream.read(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise InputError("file", f"the file is larger than {limit // (1024 * 1024)} MB")
            out.write(chunk)
    if size == 0:
        raise InputError("file", "the file is empty")
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Stored(key, name, content_type, size)


def path_of(key: str) -> Path:
    return upload_dir() / secure_filename(key)


@sa.event.listens_for(so.Session, "after_commit")
def _keep(session: so.Session) -> None:
    session.info.pop(PENDING, None)


@sa.event.listens_for(so.Session, "after_transaction_end")
def _discard(session: so.Session, transaction) -> None:
    """The transaction ended without a commit (a refusal, an error page, a failed commit)."""
    if transaction.parent is None:
        for path in session.info.pop(PENDING, []):
            path.unlink(missing_ok=True)
