"""Reading and validating the role library: YAML files checked against JSON schemas.

Every problem is reported as ``file:line: place: problem`` so the person editing a template can
jump straight to it. Validation reads every file before judging any, so one run lists all the
problems at once, and a library with any problem is loaded not at all.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import yaml

from tracker.services.role_rules import (  # noqa: F401  (the library's names, re-exported)
    BASELINE_FILE,
    CATALOGUE_FILE,
    PACKAGE_LIBRARY,
    LibraryError,
    Problem,
    RoleDocument,
    check_document,
    unknown_key_problems,
)

LAYERS_FOLDER = "layers"


def parse_yaml(path: Path) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """The data and the node tree (which knows line numbers) of one file."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, None, [Problem(path.name, None, "", f"cannot be read ({exc.strerror})")]
    return parse_text(raw, path.name)


def parse_text(raw: bytes, name: str) -> tuple[Any, yaml.Node | None, list[Problem]]:
    """The data and node tree of YAML bytes from anywhere (a file, an upload); ``name`` is the
    file name problems are reported against."""
    try:
        text = raw.decode("utf-8")
        return yaml.safe_load(text), yaml.compose(text, Loader=yaml.SafeLoader), []
    except UnicodeDecodeError as exc:
        return None, None, [Problem(name, None, "", f"not UTF-8 text ({exc.reason})")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        reason = getattr(exc, "problem", None) or str(exc)
        return None, None, [Problem(name, line, "", f"YAML syntax error: {reason}")]


# Parsed, valid documents by (path, kind, mtime, size). Parsing with line numbers is the slow part
# of loading the library (about 0.3 s), and tests load it hundreds of times; an edited file has a
# new mtime or size and is read again. Callers must treat a document's data as read-only.
_parsed: dict[tuple, RoleDocument] = {}


def read_document(path: Path, kind: str) -> tuple[RoleDocument | None, list[Problem]]:
    try:
        stat = path.stat()
    except OSError:
        return _read_document(path, kind)  # reported as a problem: "cannot be read"
    key = (str(path.resolve()), kind, stat.st_mtime_ns, stat.st_size)
    if key in _parsed:
        return _parsed[key], []
    document, problems = _read_document(path, kind)
    if document is not None:
        _parsed[key] = document
    return document, problems


def _read_document(path: Path, kind: str) -> tuple[RoleDocument | None, list[Problem]]:
    data, node, problems = parse_yaml(path)
    if problems:
        return None, problems
    return check_document(data, kind, path, node)


def library_files(directory: Path) -> list[tuple[Path, str]]:
    folder = directory / "roles"
    roles = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    files = [(path, "role") for path in roles]
    if (directory / BASELINE_FILE).exists():
        files.append((directory / BASELINE_FILE, "baseline"))
    layers = directory / LAYERS_FOLDER
    found = sorted(layers.glob("*.yaml")) + sorted(layers.glob("*.yml"))
    files += [(path, "layer") for path in found]
    return files


def kind_of(path: Path) -> str:
    """What a file given by name is, from where it sits: the baseline, a layer, or a role."""
    if path.name == BASELINE_FILE:
        return "baseline"
    return "layer" if path.parent.name == LAYERS_FOLDER else "role"


def _node_of(document: RoleDocument) -> yaml.Node | None:
    """The node tree again, only to put line numbers on a problem (valid files are cached
    without it)."""
    return parse_yaml(document.path)[1]


def read_library(directory: Path, paths: Iterable[Path] | None = None) -> list[RoleDocument]:
    """Every document in the library (or just ``paths``), or LibraryError listing all problems."""
    if paths:
        files = [(Path(p), kind_of(Path(p))) for p in paths]
    else:
        if not (directory / "roles").is_dir():
            raise LibraryError([Problem(str(directory), None, "", "no roles/ folder here")])
        files = library_files(directory)
    documents, problems = [], []
    for path, kind in files:
        document, found = read_document(path, kind)
        problems += found
        if document:
            documents.append(document)
    slugs: dict[str, str] = {}
    for document in documents:
        if document.slug in slugs:
            problems.append(Problem(document.path.name, None, "slug",
                                    f"{document.slug!r} is also used by {slugs[document.slug]}"))
        slugs.setdefault(document.slug, document.path.name)
    if not paths and not problems:
        problems += unknown_key_problems(documents, _node_of)
    if problems:
        raise LibraryError(problems)
    return documents
