"""YAML in and out of the library: the text ``roles export`` prints and the studio downloads,
and an uploaded file or zip checked and published as new versions.

One serialisation serves the CLI and the studio, so a downloaded file loads back to the same
content hash and "export then import" changes nothing. An upload is judged whole, by the rules
of ``roles validate`` (``check_document``, one slug per template, the slug matching the file
name): one problem anywhere and nothing is published.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import sqlalchemy as sa
import yaml
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import MilestoneTemplate, RoleTemplate, RoleVersion, TemplateKind, User
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.library_archive import (
    Limits,
    UploadedFile,
    library_zip,
    unpack,
)
from tracker.services.role_library import parse_text
from tracker.services.role_rules import (
    BASELINE_FILE,
    LibraryError,
    Problem,
    RoleDocument,
    check_document,
)
from tracker.services.role_versions import LoadResult, load_document, version_as_document
from tracker.services.text_rules import CHANGE_NOTE


def role_yaml(version: RoleVersion) -> str:
    """A version as the YAML file it would be loaded from (``roles export``, the studio)."""
    return yaml.safe_dump(version_as_document(version), sort_keys=False, width=100,
                          allow_unicode=True)


def library_path(version: RoleVersion) -> str:
    """Where the version's file sits in a library: ``roles/<slug>.yaml``, ``baseline.yaml`` or
    ``layers/<slug>.yaml``."""
    if version.template.kind == TemplateKind.BASELINE:
        return BASELINE_FILE
    folder = "layers" if version.template.kind == TemplateKind.LAYER else "roles"
    return f"{folder}/{version.template.slug}.yaml"


def latest_versions() -> list[RoleVersion]:
    """The latest version of every template, goals loaded, in a fixed number of queries."""
    latest = (sa.select(RoleVersion.template_id, sa.func.max(RoleVersion.number).label("n"))
              .group_by(RoleVersion.template_id).subquery())
    return list(db.session.scalars(
        sa.select(RoleVersion).join(latest, sa.and_(latest.c.template_id == RoleVersion.template_id,
                                                    latest.c.n == RoleVersion.number))
        .join(RoleTemplate).order_by(RoleTemplate.kind, RoleTemplate.slug)
        .options(so.contains_eager(RoleVersion.template),
                 so.selectinload(RoleVersion.milestones).selectinload(MilestoneTemplate.goals))))


def whole_library_zip() -> bytes:
    return library_zip((library_path(v), role_yaml(v)) for v in latest_versions())


def upload_limits() -> Limits:
    config = current_app.config
    return Limits(config["LIBRARY_UPLOAD_BYTES"], config["LIBRARY_UNPACKED_BYTES"],
                  config["LIBRARY_UPLOAD_FILES"])


def first_alias(node: yaml.Node | None) -> yaml.Node | None:
    """A node reached twice: an anchor used by an alias. A few aliases can stand for millions
    of goals, so an upload may not use them (the shipped files never do)."""
    seen, stack = set(), [node] if node is not None else []
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return current
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            stack += [part for pair in current.value for part in pair]
        elif isinstance(current, yaml.SequenceNode):
            stack += current.value
    return None


def check_files(files: list[UploadedFile]) -> list[RoleDocument]:
    """Every file's document, or LibraryError listing every problem in every file."""
    documents: list[RoleDocument] = []
    problems: list[Problem] = []
    for upload in files:
        path = Path(upload.name)
        data, node, found = parse_text(upload.raw, path.name)
        alias = None if found else first_alias(node)
        if alias is not None:
            found = [Problem(path.name, alias.start_mark.line + 1, "",
                             "anchors and aliases (&name, *name) are not accepted in an upload; "
                             "write the text out in full")]
        if not found:
            document, found = check_document(data, _kind(upload, data), path, node)
            if document:
                documents.append(document)
        problems += found
    problems += slug_problems(documents)
    if problems:
        raise LibraryError(problems)
    return documents


def _kind(upload: UploadedFile, data: Any) -> str:
    """A single file's name says only whether it is the baseline; a layer says so itself with
    its ``type`` (team or context), which no role has."""
    if upload.kind == "role" and "/" not in upload.name and isinstance(data, dict) and (
            "type" in data):
        return "layer"
    return upload.kind


def slug_problems(documents: list[RoleDocument]) -> list[Problem]:
    """One file per slug, and a slug keeps its kind: a role cannot become the baseline."""
    problems, owners = [], {}
    for document in documents:
        if document.slug in owners:
            problems.append(Problem(document.path.name, None, "slug",
                                    f"{document.slug!r} is also used by {owners[document.slug]}"))
        owners.setdefault(document.slug, document.path.name)
    kinds = dict(db.session.execute(sa.select(RoleTemplate.slug, RoleTemplate.kind)
                                    .where(RoleTemplate.slug.in_(list(owners)))).all())
    for document in documents:
        kind = kinds.get(document.slug)
        if kind is not None and kind.value != document.kind:
            problems.append(Problem(document.path.name, None, "slug",
                                    f"{document.slug!r} is a {kind.value} template; "
                                    f"this file is a {document.kind}"))
    return problems


@dataclass(frozen=True)
class Published:
    results: list[LoadResult]
    ignored: list[tuple[str, str]]


def publish_upload(filename: str | None, stream: BinaryIO | None, note: str | None,
                   by: User) -> Published:
    """Check the upload whole, then load each changed document as a new version with ``note``,
    audited; the caller commits. InputError for a missing note or file, LibraryError for
    everything wrong inside the upload; either way nothing was loaded."""
    note = CHANGE_NOTE.check(note)
    if not note:
        raise InputError("note", "say in a few words what changed; the note is kept with "
                                 "each new version")
    if stream is None or not filename:
        raise InputError("file", "choose a .yaml file, or a .zip of the library")
    unpacked = unpack(filename, stream, upload_limits())
    documents = check_files(unpacked.files)
    results = []
    for document in documents:
        result = load_document(document, note=note, by=by)
        if result.action != "unchanged":
            db.session.flush()
            version = db.session.scalar(
                sa.select(RoleVersion).join(RoleTemplate)
                .where(RoleTemplate.slug == result.slug, RoleVersion.number == result.version))
            record("template.published", actor=by, target=version,
                   after=_published(result, document, note))
        results.append(result)
    db.session.flush()
    return Published(results, unpacked.ignored)


def _published(result: LoadResult, document: RoleDocument, note: str) -> dict[str, Any]:
    return {"slug": result.slug, "version": result.version, "action": result.action,
            "file": document.path.name, "source": "upload", "note": note}
