"""The catalogue of ML roles, and skeleton templates started from it.

A skeleton has the five milestones and three goals each, every text marked TODO, so it cannot be
loaded by accident before someone has written the real goals (validation refuses TODO).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from tracker.models.enums import MILESTONE_ORDER
from tracker.services.role_library import parse_yaml
from tracker.services.role_rules import CATALOGUE_FILE, LibraryError, schema_problems


@dataclass(frozen=True)
class CatalogueRole:
    slug: str
    name: str
    area: str
    focus: str


def read_catalogue(directory: Path) -> list[CatalogueRole]:
    path = directory / CATALOGUE_FILE
    data, node, problems = parse_yaml(path)
    problems = problems or schema_problems("catalogue", data, node, path.name)
    if problems:
        raise LibraryError(problems)
    return [CatalogueRole(**entry) for entry in data["roles"]]


def find_role(directory: Path, slug: str) -> CatalogueRole | None:
    return next((role for role in read_catalogue(directory) if role.slug == slug), None)


def template_file(directory: Path, slug: str) -> Path | None:
    """The library's template for ``slug``, if it has one (a role has one template)."""
    folder = directory / "roles"
    return next((p for p in (folder / f"{slug}.yaml", folder / f"{slug}.yml") if p.exists()), None)


def skeleton(role: CatalogueRole) -> str:
    milestones = {}
    for key in MILESTONE_ORDER:
        milestones[key.value] = {
            "title": f"TODO: the theme of the {key.label} milestone",
            "goals": [
                {
                    # A placeholder key: rename it to say what the goal is, once, and keep it.
                    "key": f"{key.value}-goal-{n}",
                    "title": f"TODO: goal {n} for {key.label}",
                    "description": "TODO: what the goal is and why it matters for this role.",
                    "owner": owner,
                    "evidence_required": True,
                    "evidence_hint": "TODO: what good evidence looks like.",
                }
                for n, owner in enumerate(("hire", "hire", "manager"), start=1)
            ],
        }
    document = {
        "slug": role.slug,
        "name": role.name,
        "area": role.area,
        "summary": f"{role.focus.rstrip('.')}. TODO: say what this role owns here.",
        "milestones": milestones,
    }
    header = (
        f"# Skeleton for {role.name}, started from the role catalogue.\n"
        "# Replace every TODO; `tracker roles validate` refuses the file until then.\n"
    )
    return header + yaml.safe_dump(document, sort_keys=False, width=100, allow_unicode=True)
