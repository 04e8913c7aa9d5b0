"""Loading validated role documents into versions, and reading them back out.

A version is immutable: loading a file whose content hash equals the latest version's does
nothing, and any change makes version N+1. Running plans keep the version they pinned.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import (
    GoalAction,
    GoalOwner,
    GoalTemplate,
    LayerType,
    MilestoneKey,
    MilestoneTemplate,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.services.role_library import PACKAGE_LIBRARY, RoleDocument, read_library
from tracker.services.role_rules import layer_entries
from tracker.services.text import storable

BASELINE_SLUG = "company-baseline"


@dataclass(frozen=True)
class LoadResult:
    slug: str
    version: int
    action: str  # "created", "new version" or "unchanged"


def library_dir() -> Path:
    configured = current_app.config.get("ROLE_LIBRARY_DIR")
    return Path(configured) if configured else PACKAGE_LIBRARY


def latest_version(template: RoleTemplate) -> RoleVersion | None:
    return db.session.scalar(
        sa.select(RoleVersion)
        .where(RoleVersion.template_id == template.id)
        .order_by(RoleVersion.number.desc())
        .limit(1)
    )


def load_document(document: RoleDocument, note: str = "", by: User | None = None) -> LoadResult:
    """Version N+1 of the document's template, unless its content equals the latest version.
    ``note`` and ``by`` record what changed and who published it (the studio gives both)."""
    data = document.data
    template = db.session.scalar(sa.select(RoleTemplate).where(RoleTemplate.slug == document.slug))
    action = "new version"
    if template is None:
        template = RoleTemplate(slug=document.slug, kind=TemplateKind(document.kind))
        db.session.add(template)
        action = "created"
    else:
        current = latest_version(template)
        if current and current.content_hash == document.content_hash:
            return LoadResult(template.slug, current.number, "unchanged")
    template.name = data["name"]
    template.area = data.get("area", "")
    template.summary = data["summary"]
    template.layer_type = LayerType(data["type"]) if "type" in data else None
    db.session.flush()
    number = (db.session.scalar(
        sa.select(sa.func.max(RoleVersion.number)).where(RoleVersion.template_id == template.id)
    ) or 0) + 1
    version = RoleVersion(template=template, number=number, content_hash=document.content_hash,
                          source_file=document.path.name, change_note=note, published_by=by)
    db.session.add(version)  # its milestones and goals follow by cascade
    add_milestones(version, data)
    return LoadResult(template.slug, number, action)


def add_milestones(version: RoleVersion, data: dict[str, Any]) -> None:
    """The milestones and goal rows of ``data`` under ``version``, never added to the session
    here: a loaded version cascades them in; the studio's draft preview keeps them transient."""
    for position, key in enumerate(MILESTONE_ORDER):
        milestone_data = data["milestones"].get(key.value)
        if milestone_data is None:
            continue
        # Appended through the collections: only that side cascades into a session.
        milestone = MilestoneTemplate(key=key, position=position,
                                      title=milestone_data.get("title", ""))
        version.milestones.append(milestone)
        entries = [e for e in layer_entries(data) if e[0] == key.value]
        for index, (_, verb, goal_key, goal, _) in enumerate(entries):
            milestone.goals.append(_goal_row(index, GoalAction(verb), goal_key, goal))


def _goal_row(position: int, action: GoalAction, key: str,
              goal: dict[str, Any] | None) -> GoalTemplate:
    """A drop names only the key; its row keeps the key as title so every page can show it."""
    if goal is None:
        return GoalTemplate(position=position, key=key, action=action, title=key,
                            description="", owner=GoalOwner.HIRE, evidence_required=False,
                            evidence_hint="")
    return GoalTemplate(
        position=position, key=key, action=action, target=goal.get("target"),
        title=goal["title"].strip(), description=goal["description"].strip(),
        owner=GoalOwner(goal["owner"]), evidence_required=goal["evidence_required"],
        evidence_hint=goal["evidence_hint"].strip())


def load_library(directory: Path | None = None, paths=None) -> list[LoadResult]:
    """Validate everything first, then load: the caller's commit takes all of it or none."""
    documents = read_library(directory or library_dir(), paths)
    results = [load_document(document) for document in documents]
    db.session.flush()
    return results


def current_version(slug: str) -> RoleVersion | None:
    """The latest version of ``slug``; None for any text no slug can be (PostgreSQL cannot
    even compare one holding a NUL character)."""
    if not storable(slug):
        return None
    template = db.session.scalar(sa.select(RoleTemplate).where(RoleTemplate.slug == slug))
    return latest_version(template) if template else None


def version_of(slug: str, number: int) -> RoleVersion | None:
    return db.session.scalar(
        sa.select(RoleVersion).join(RoleTemplate)
        .where(RoleTemplate.slug == slug, RoleVersion.number == number))


def current_baseline() -> RoleVersion | None:
    return current_version(BASELINE_SLUG)


def version_as_document(version: RoleVersion) -> dict[str, Any]:
    """The YAML shape of a stored version, so ``roles export`` round-trips through ``load``."""
    template = version.template
    doc: dict[str, Any] = {"slug": template.slug, "name": template.name}
    if template.kind == TemplateKind.ROLE:
        doc["area"] = template.area
    if template.kind == TemplateKind.LAYER:
        doc["type"] = template.layer_type.value
    doc["summary"] = template.summary
    doc["milestones"] = {}
    for milestone in version.milestones:
        entry: dict[str, Any] = {}
        if template.kind == TemplateKind.ROLE:
            entry["title"] = milestone.title
        by_action = {action: [g for g in milestone.goals if g.action == action]
                     for action in GoalAction}
        if by_action[GoalAction.ADD] or template.kind != TemplateKind.LAYER:
            entry["goals"] = [_goal_document(goal) for goal in by_action[GoalAction.ADD]]
        if by_action[GoalAction.REPLACE]:
            entry["replaces"] = {goal.key: _goal_document(goal, keyed=False)
                                 for goal in by_action[GoalAction.REPLACE]}
        if by_action[GoalAction.DROP]:
            entry["drops"] = [goal.key for goal in by_action[GoalAction.DROP]]
        doc["milestones"][MilestoneKey(milestone.key).value] = entry
    return doc


def _goal_document(goal: GoalTemplate, keyed: bool = True) -> dict[str, Any]:
    doc = {"key": goal.key} if keyed else {}
    doc |= {"title": goal.title, "description": goal.description,
            "owner": goal.owner.value, "evidence_required": goal.evidence_required,
            "evidence_hint": goal.evidence_hint}
    if goal.target:
        doc["target"] = goal.target
    return doc


def templates_overview() -> list[tuple[RoleTemplate, RoleVersion, int]]:
    """(template, latest version, goal count) for every template, in a fixed number of queries."""
    latest = (
        sa.select(RoleVersion.template_id, sa.func.max(RoleVersion.number).label("number"))
        .group_by(RoleVersion.template_id).subquery()
    )
    goal_counts = (
        sa.select(MilestoneTemplate.version_id, sa.func.count(GoalTemplate.id).label("goals"))
        .join(GoalTemplate).group_by(MilestoneTemplate.version_id).subquery()
    )
    rows = db.session.execute(
        sa.select(RoleTemplate, RoleVersion, sa.func.coalesce(goal_counts.c.goals, 0))
        .join(latest, latest.c.template_id == RoleTemplate.id)
        .join(RoleVersion, sa.and_(RoleVersion.template_id == RoleTemplate.id,
                                   RoleVersion.number == latest.c.number))
        .outerjoin(goal_counts, goal_counts.c.version_id == RoleVersion.id)
        .order_by(RoleTemplate.kind, RoleTemplate.name)
    ).all()
    return [tuple(row) for row in rows]
