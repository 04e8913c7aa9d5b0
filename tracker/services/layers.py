"""Layers: optional team and context templates merged on top of the baseline and a role.

A plan is the company baseline, then its role, then any layers in the order HR chose them.
Each layer can add goals, and replace or drop a goal of anything below it by key; a later
layer sees what the earlier ones did. ``merge`` is the one place this happens: plan creation
and every preview (the new-hire form, the studio) call it through ``plans.preview``, so what
HR previews is what the plan gets.

A layer is written for any role, so a key it replaces or drops may be missing for one role:
that is a refusal at preview and at plan creation, naming the layer, the key and the role.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    GoalAction,
    GoalSource,
    GoalTemplate,
    LayerType,
    MilestoneKey,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.services.errors import InputError
from tracker.services.role_versions import current_version

MAX_LAYERS = 10  # far more than anyone picks; bounds the work one request can ask for


@dataclass
class Merged:
    """Per milestone: the goals in plan order with their source, and what layers took out
    (the goal removed, and the layer's replace or drop row that removed it)."""

    goals: dict[MilestoneKey, list[tuple[GoalSource, GoalTemplate]]]
    removed: dict[MilestoneKey, list[tuple[GoalTemplate, GoalTemplate]]] = field(
        default_factory=dict)


@dataclass(frozen=True)
class LayerChoice:
    slug: str
    name: str
    type: LayerType
    summary: str


def layer_choices() -> list[LayerChoice]:
    """Every loaded layer in merge order: contexts, then teams (a team is the most specific,
    so it goes last and wins by key), for the new-hire form and the studio preview."""
    rows = db.session.execute(
        sa.select(RoleTemplate.slug, RoleTemplate.name, RoleTemplate.layer_type,
                  RoleTemplate.summary)
        .where(RoleTemplate.kind == TemplateKind.LAYER)
        .order_by(RoleTemplate.layer_type, RoleTemplate.name)).all()
    return [LayerChoice(*row) for row in rows]


def in_merge_order(slugs: list[str], choices: list[LayerChoice]) -> list[str]:
    """Ticked boxes in the list's order whatever order they arrived in; anything unknown is
    kept (at the end) for ``layer_versions`` to refuse by name."""
    known = [choice.slug for choice in choices if choice.slug in slugs]
    return known + [slug for slug in slugs if slug not in known]


def layer_versions(slugs: list[str]) -> list[RoleVersion]:
    """The latest version of each chosen layer, in the order given; refuses anything else."""
    if len(slugs) > MAX_LAYERS:
        raise InputError("layers", f"choose at most {MAX_LAYERS} layers")
    if len(set(slugs)) != len(slugs):
        raise InputError("layers", "each layer can be chosen once")
    versions = []
    for slug in slugs:
        version = current_version(slug or "")
        if version is None or version.template.kind != TemplateKind.LAYER:
            raise InputError("layers", f"{slug[:80]!r} is not a layer; choose from the list")
        versions.append(version)
    return versions


def merge(role: RoleVersion, baseline: RoleVersion | None = None,
          layers: list[RoleVersion] = ()) -> Merged:
    """Baseline goals, then the role's, in each milestone; then each layer in order."""
    merged = Merged({key: [] for key in MILESTONE_ORDER}, {key: [] for key in MILESTONE_ORDER})
    for source, version in ((GoalSource.BASELINE, baseline), (GoalSource.ROLE, role)):
        for milestone in version.milestones if version else []:
            merged.goals[milestone.key] += [(source, goal) for goal in milestone.goals]
    problems = []
    below = " + ".join(v.template.name for v in (baseline, role) if v)
    for layer in layers:
        for milestone in layer.milestones:
            for goal in milestone.goals:
                problem = _apply(merged, milestone.key, goal, below)
                if problem:
                    problems.append(f"{layer.template.name} {problem}")
        below += f" + {layer.template.name}"
    if problems:
        raise InputError("layers", "; ".join(problems) + ". Choose other layers, or fix the "
                                                       "layer in the library.")
    return merged


def _apply(merged: Merged, key: MilestoneKey, goal: GoalTemplate, below: str) -> str | None:
    """One row of a layer; returns what went wrong, after the layer's name."""
    found = [(k, i) for k in MILESTONE_ORDER
             for i, (_, g) in enumerate(merged.goals[k]) if g.key == goal.key]
    if goal.action == GoalAction.ADD:
        if found:  # two goals with one key could never be told apart again
            return (f"adds {goal.key!r} in {key.label}, but {below} has a goal with that key "
                    "already; the layer should replace it")
        merged.goals[key].append((GoalSource.LAYER, goal))
        return None
    if not found:
        return (f"{goal.action.value}s {goal.key!r} in {key.label}, but {below} has no goal "
                "with that key")
    for k, i in reversed(found):
        merged.removed[k].append((merged.goals[k].pop(i)[1], goal))
    if goal.action == GoalAction.REPLACE:
        first_key, first_index = found[0]
        spot = first_index if first_key == key else len(merged.goals[key])
        merged.goals[key].insert(spot, (GoalSource.LAYER, goal))
    return None


def origin(source: GoalSource, goal: GoalTemplate) -> str:
    """Where a merged goal comes from, for pages: the company baseline, the role, or a layer
    by name (a replacement says so)."""
    if source == GoalSource.BASELINE:
        return "Company baseline"
    name = goal.milestone.version.template.name
    if source == GoalSource.LAYER and goal.action == GoalAction.REPLACE:
        return f"{name} (replaces a lower goal)"
    return name
