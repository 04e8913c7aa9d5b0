"""The rules every role document keeps, wherever it comes from: a file in the library, an
upload, or a draft in the studio. ``check_document`` is the one place they are applied.

Every problem is reported as ``file:line: place: problem`` (no line for data without a file)
so the person editing a template can jump straight to it.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from tracker.services.text import problem

PACKAGE_LIBRARY = Path(__file__).resolve().parent.parent / "library"
BASELINE_FILE = "baseline.yaml"
CATALOGUE_FILE = "catalogue.yaml"
PLACEHOLDER = re.compile(r"\bTODO\b")
ONE_LINE_KEYS = {"slug", "name", "area", "title"}  # the schema limits every length


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    place: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return (f"{where}: {self.place}: {self.message}" if self.place
                else f"{where}: {self.message}")


class LibraryError(Exception):
    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class RoleDocument:
    """One validated file: ``kind`` is "role", "baseline" or "layer"; ``data`` follows its
    schema."""

    path: Path
    kind: str
    data: dict[str, Any]
    content_hash: str = field(default="")

    @property
    def slug(self) -> str:
        return self.data["slug"]


@lru_cache(maxsize=None)
def _validators() -> dict[str, Draft202012Validator]:
    schemas = {
        name: json.loads((PACKAGE_LIBRARY / f"{name}.schema.json").read_text())
        for name in ("role", "baseline", "layer", "catalogue")
    }
    resources = [(s["$id"], Resource.from_contents(s)) for s in schemas.values()]
    resources.append(("role.schema.json", Resource.from_contents(schemas["role"])))
    registry = Registry().with_resources(resources)
    return {name: Draft202012Validator(s, registry=registry) for name, s in schemas.items()}


def schema_limit(*path: str) -> int:
    """The longest text the role schema allows: ``("name",)`` for a template's field,
    ``("goal", "title")`` or ``("milestone", "title")`` for one inside it."""
    schema = _validators()["role"].schema
    where = schema["properties"] if len(path) == 1 else schema["$defs"][path[0]]["properties"]
    return where[path[-1]]["maxLength"]


def line_of(node: yaml.Node | None, path: Iterable[Any]) -> int | None:
    """Follow a JSON path through the YAML node tree to the line the value starts on."""
    if node is None:
        return None
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = [v for k, v in node.value if k.value == step]
            if not match:
                break
            node = match[0]
        elif (isinstance(node, yaml.SequenceNode) and isinstance(step, int)
              and step < len(node.value)):
            node = node.value[step]
        else:
            break
    return node.start_mark.line + 1


def place_of(path: Iterable[Any]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def describe(error) -> str:
    """jsonschema's messages repeat whole documents; say the problem in a sentence instead."""
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        missing = [name for name in expected if name not in value]
        if missing == ["key"] and isinstance(value.get("title"), str):
            from tracker.services.goal_keys import key_from_title

            return (f"missing required field 'key', the goal's stable name, kept when it is "
                    f"reworded or moved; for example key: {key_from_title(value['title'])}")
        return "missing required field " + ", ".join(repr(m) for m in missing)
    if kind == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(k for k in value if k not in allowed)
        return f"unknown field {', '.join(map(repr, extra))}; allowed: {', '.join(sorted(allowed))}"
    if kind == "enum":
        return f"{value!r} is not allowed; use one of: {', '.join(map(str, expected))}"
    if kind == "const":
        return f"must be {expected!r}, found {value!r}"
    if kind == "type":
        return f"should be a {expected}, found {type(value).__name__} {value!r}"
    if kind == "minItems":
        return f"needs at least {expected} entries, found {len(value)}"
    if kind == "minProperties":
        return f"needs at least {expected} entries, found {len(value)}"
    if kind == "minLength":
        return f"is too short: {len(value)} characters, at least {expected} expected"
    if kind == "maxLength":
        return f"is too long: {len(value)} characters, at most {expected} allowed"
    if kind == "pattern":
        return f"{value!r} must be lower-case words joined by hyphens, like 'data-engineer'"
    return error.message


def schema_problems(kind: str, data: Any, node, file: str) -> list[Problem]:
    errors = sorted(_validators()[kind].iter_errors(data), key=lambda e: list(map(str, e.path)))
    return [
        Problem(file, line_of(node, e.absolute_path), place_of(e.absolute_path), describe(e))
        for e in errors
    ]


def placeholder_problems(data: Any, node, file: str, path: tuple = ()) -> list[Problem]:
    """A skeleton started from the catalogue is marked TODO until someone writes the goals."""
    if isinstance(data, dict):
        return [p for k, v in data.items()
                for p in placeholder_problems(v, node, file, path + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data)
                for p in placeholder_problems(v, node, file, path + (i,))]
    if isinstance(data, str) and PLACEHOLDER.search(data):
        return [Problem(file, line_of(node, path), place_of(path),
                        "still a TODO placeholder; write the real text")]
    return []


def text_problems(data: Any, node, file: str, path: tuple = ()) -> list[Problem]:
    """A NUL character anywhere, or a line break in a name or title: what a form would refuse
    (services/text.py), and PostgreSQL could not store a NUL at all."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in text_problems(v, node, file, path + (k,))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in text_problems(v, node, file, path + (i,))]
    if isinstance(data, str):
        key = next((step for step in reversed(path) if isinstance(step, str)), "text")
        found = problem(data.strip(), key, one_line=key in ONE_LINE_KEYS)
        return [Problem(file, line_of(node, path), place_of(path), found)] if found else []
    return []


def check_document(data: Any, kind: str, path: Path,
                   node: yaml.Node | None = None) -> tuple[RoleDocument | None, list[Problem]]:
    """The rules of ``roles validate`` for data from anywhere: a file, an upload or a studio
    draft (which has no node tree, so its problems carry a place but no line)."""
    file = path.name
    problems = schema_problems(kind, data, node, file)
    if problems:
        return None, problems
    problems = placeholder_problems(data, node, file) + text_problems(data, node, file)
    if kind in ("role", "layer") and data["slug"] != path.stem:
        problems.append(Problem(file, line_of(node, ["slug"]), "slug",
                                f"{data['slug']!r} must match the file name {path.stem!r}"))
    for key, milestone in data["milestones"].items():
        seen: dict[str, int] = {}
        for index, goal in enumerate(milestone.get("goals", [])):
            title = goal["title"].strip().lower()
            if title in seen:
                where = ["milestones", key, "goals", index, "title"]
                problems.append(Problem(file, line_of(node, where), place_of(where),
                                        f"same title as goal [{seen[title]}] of this milestone"))
            seen.setdefault(title, index)
    problems += key_problems(data, node, file)
    if problems:
        return None, problems
    return RoleDocument(path, kind, data, content_hash(data)), []


def content_hash(data: Any) -> str:
    """sha256 of the canonical JSON: equal content, equal hash, whatever the YAML looked like."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def layer_entries(data: Any):
    """Every goal entry of a document as (milestone, action, key, goal or None, JSON path):
    a role or the baseline only adds; a layer also replaces by key and drops by key."""
    for milestone, entry in data["milestones"].items():
        for index, goal in enumerate(entry.get("goals", [])):
            yield milestone, "add", goal["key"], goal, ["milestones", milestone, "goals", index]
        for key, goal in entry.get("replaces", {}).items():
            yield milestone, "replace", key, goal, ["milestones", milestone, "replaces", key]
        for index, key in enumerate(entry.get("drops", [])):
            yield milestone, "drop", key, None, ["milestones", milestone, "drops", index]


def key_problems(data: Any, node, file: str) -> list[Problem]:
    """A key names one goal in the whole template: goals move between milestones. A layer uses
    each key once too: adding, replacing and dropping the same goal would contradict itself."""
    problems, owners = [], {}
    for milestone, action, key, goal, where in layer_entries(data):
        here = {"add": f"goal [{where[-1]}] of {milestone}",
                "replace": f"the replacement in {milestone}",
                "drop": f"the drop in {milestone}"}[action]
        if key in owners:
            at = where + ["key"] if action == "add" else where
            problems.append(Problem(file, line_of(node, at), place_of(at),
                                    f"key {key!r} is also used by {owners[key]}"))
        owners.setdefault(key, here)
    return problems


def unknown_key_problems(documents: list[RoleDocument], node_of=None) -> list[Problem]:
    """A layer that replaces or drops a key no other template of the library has names a goal
    that can never be in a plan: a typo, or a goal renamed since. (Which role a layer meets is
    only known when a plan is made; services/layers.py reports a key missing there.)"""
    known: dict[str, set[str]] = {}
    for document in documents:
        for _, action, key, _, _ in layer_entries(document.data):
            if action == "add":
                known.setdefault(key, set()).add(document.slug)
    problems = []
    for document in documents:
        if document.kind != "layer":
            continue
        node = node_of(document) if node_of else None
        for _, action, key, _, where in layer_entries(document.data):
            if action != "add" and not known.get(key, set()) - {document.slug}:
                problems.append(Problem(document.path.name, line_of(node, where),
                                        place_of(where),
                                        f"no template in the library has a goal with key {key!r}"
                                        f" to {action}; check the key"))
    return problems
