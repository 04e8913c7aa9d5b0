"""What a newer template version would change in a running plan, goal by goal, by goal key.

A plan copies its goals when it is made, so a template that moves on leaves it behind. This
module compares the plan's own goals (not the version it pinned: some changes may already be
adopted) with the latest version of its role template, of the company baseline when the plan
has one, and of each of its layers (services/layer_updates.py says what a layer can change).
A change stays pending until someone decides on it for that latest version
(tracker/models/adoption.py); a decline made for an older version still holds while the latest
version says the same about that goal, so "stay on this version" lasts until the template
changes that goal again. Custom goals have no key and are never touched. Nothing here writes.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    AdoptionDecision,
    GoalSource,
    GoalStatus,
    GoalTemplate,
    MilestoneTemplate,
    Plan,
    PlanAdoption,
    PlanGoal,
    PlanLayer,
    RoleVersion,
)
from tracker.services.layer_updates import entries, layer_changes, layer_goal_templates
from tracker.services.role_compare import LABELS, GoalPlace, differences, places


@dataclass
class PendingChange:
    """One goal the latest version says differently from the plan; ``goal`` is the plan's
    goal (None when the version adds it), ``after`` its place in the latest version (None
    when the version removes it)."""

    source: GoalSource
    key: str
    kinds: list[str]
    goal: PlanGoal | None
    after: GoalPlace | None
    version: RoleVersion

    @property
    def ident(self) -> str:
        """How a form names the change: "role:<key>" or "baseline:<key>"."""
        return f"{self.source.value}:{self.key}"

    @property
    def title(self) -> str:
        return self.after.goal.title if self.after else self.goal.title

    @property
    def labels(self) -> list[str]:
        return [LABELS[kind] for kind in self.kinds]

    @property
    def retires(self) -> bool:
        """A removed goal with evidence or a finished state is kept and retired, not deleted."""
        return self.goal is not None and self.after is None and (
            bool(self.goal.evidence) or self.goal.status.is_finished)


@dataclass
class TemplateUpdate:
    """The plan's pinned version of one template, the latest one, and what is pending."""

    source: GoalSource
    pinned: RoleVersion
    latest: RoleVersion
    changes: list[PendingChange] = field(default_factory=list)
    layer: PlanLayer | None = None  # which of the plan's layers, for a layer's update


def _latest(version: RoleVersion) -> RoleVersion:
    return db.session.scalars(
        sa.select(RoleVersion).where(RoleVersion.template_id == version.template_id)
        .order_by(RoleVersion.number.desc()).limit(1)
        .options(so.selectinload(RoleVersion.milestones).selectinload(MilestoneTemplate.goals))
    ).one()


def _with_goals(version_id: int) -> RoleVersion:
    """The version with its milestones and goals, even when a page loaded it without them."""
    return db.session.scalars(
        sa.select(RoleVersion).where(RoleVersion.id == version_id)
        .options(so.selectinload(RoleVersion.milestones).selectinload(MilestoneTemplate.goals))
        .execution_options(populate_existing=True)).one()


def _keys_of(version_id: int) -> set[str]:
    return set(db.session.scalars(
        sa.select(GoalTemplate.key).join(MilestoneTemplate)
        .where(MilestoneTemplate.version_id == version_id)))


def goal_keys(plan: Plan) -> dict[int, str]:
    """Plan goal id -> its template goal's key, in one query (custom goals have none)."""
    return dict(db.session.execute(
        sa.select(PlanGoal.id, GoalTemplate.key)
        .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
        .where(PlanGoal.plan_id == plan.id)).all())


def _still_declined(plan: Plan, source: GoalSource, latest: RoleVersion,
                    latest_places: dict[str, GoalPlace]) -> tuple[set[str], set[str]]:
    """Keys decided for ``latest``, and keys declined for an older version that the latest
    version says the same about."""
    of_template = sa.select(RoleVersion.id).where(RoleVersion.template_id == latest.template_id)
    rows = db.session.scalars(
        sa.select(PlanAdoption).where(PlanAdoption.plan_id == plan.id,
                                      PlanAdoption.source == source,
                                      PlanAdoption.version_id.in_(of_template))
        .order_by(PlanAdoption.id)).all()
    decided = {row.key for row in rows if row.version_id == latest.id}
    declined = {row.key: row.version_id for row in rows
                if row.version_id != latest.id and row.decision == AdoptionDecision.DECLINED}
    held = set()
    for version_id in set(declined.values()):
        older = places(db.session.get(RoleVersion, version_id))
        for key in (k for k, v in declined.items() if v == version_id):
            then, now = older.get(key), latest_places.get(key)
            if (then is None and now is None) or (then and now and not differences(then, now)):
                held.add(key)
    return decided, held


def _update(plan: Plan, source: GoalSource, pinned_id: int | None,
            keys: dict[int, str]) -> TemplateUpdate | None:
    if pinned_id is None:
        return None
    pinned = db.session.get(RoleVersion, pinned_id)
    latest = _latest(pinned)
    if latest.id == pinned.id:
        return None
    update = TemplateUpdate(source, pinned, latest)
    latest_places = places(latest)
    pinned_keys = _keys_of(pinned.id)
    mine, retired = {}, set()
    for milestone in plan.milestones:
        for goal in milestone.goals:
            if goal.source != source or goal.id not in keys:
                continue
            if goal.status == GoalStatus.RETIRED:
                retired.add(keys[goal.id])
            else:
                mine.setdefault(keys[goal.id], (milestone.key, goal))
    decided, held = _still_declined(plan, source, latest, latest_places)
    for key, place in latest_places.items():
        milestone_key, goal = mine.get(key, (None, None))
        if goal is None:
            # Not in the plan though the pinned version had it: HR removed it, or a removal
            # was adopted; either way it is not new.
            kinds = [] if key in pinned_keys or key in retired else ["added"]
        else:
            # A plan goal has the template goal's fields, so it compares like one.
            kinds = differences(GoalPlace(goal, milestone_key, goal.position), place)
        if kinds and key not in decided and key not in held:
            update.changes.append(PendingChange(source, key, kinds, goal, place, latest))
    for key, (_, goal) in mine.items():
        if key not in latest_places and key not in decided and key not in held:
            update.changes.append(PendingChange(source, key, ["removed"], goal, None, latest))
    return update


def _layer_held(plan: Plan, latest: RoleVersion) -> tuple[set[str], set[str]]:
    """A layer's keys decided for its latest version, and keys declined for an older one that
    the latest says the same about (the same goal, or the same drop)."""
    of_template = sa.select(RoleVersion.id).where(RoleVersion.template_id == latest.template_id)
    rows = db.session.scalars(sa.select(PlanAdoption).where(
        PlanAdoption.plan_id == plan.id, PlanAdoption.source == GoalSource.LAYER,
        PlanAdoption.version_id.in_(of_template)).order_by(PlanAdoption.id)).all()
    decided = {row.key for row in rows if row.version_id == latest.id}
    now_places, now_drops = entries(latest)
    held = set()
    for row in rows:
        if row.version_id == latest.id or row.decision != AdoptionDecision.DECLINED:
            continue
        then_places, then_drops = entries(_with_goals(row.version_id))
        then, now = then_places.get(row.key), now_places.get(row.key)
        same_drop = (row.key in then_drops) == (row.key in now_drops)
        if same_drop and ((then is None and now is None)
                          or (then and now and not differences(then, now))):
            held.add(row.key)
    return decided, held


def _layer_update(plan: Plan, layer: PlanLayer, owners) -> TemplateUpdate:
    pinned = _with_goals(layer.version_id)
    latest = _latest(pinned)
    update = TemplateUpdate(GoalSource.LAYER, pinned, latest, layer=layer)
    decided, held = _layer_held(plan, latest)
    for key, kinds, goal, place in layer_changes(plan, pinned, latest, owners, decided | held):
        update.changes.append(PendingChange(GoalSource.LAYER, key, kinds, goal, place, latest))
    return update


def outdated(plan: Plan) -> set[int]:
    """Which of the plan's pinned versions have a newer version, in one query: the plan page
    pays only this while the plan follows the latest templates."""
    pinned = [i for i in (plan.role_version_id, plan.baseline_version_id) if i is not None]
    pinned += [layer.version_id for layer in plan.layers]
    newer = so.aliased(RoleVersion)
    return set(db.session.scalars(sa.select(RoleVersion.id).where(
        RoleVersion.id.in_(pinned),
        sa.exists().where(newer.template_id == RoleVersion.template_id,
                          newer.number > RoleVersion.number))))


def template_updates(plan: Plan) -> list[TemplateUpdate]:
    """The role's update first, then the baseline's, then each layer's, in merge order; only
    templates with a newer version.

    Needs ``plan.milestones`` and their goals, and ``plan.layers``, loaded (the plan page's
    options do that).
    """
    stale = outdated(plan)
    if not stale:
        return []
    keys = goal_keys(plan)
    found = [_update(plan, source, pinned_id, keys) for source, pinned_id in (
        (GoalSource.ROLE, plan.role_version_id), (GoalSource.BASELINE, plan.baseline_version_id))
        if pinned_id in stale]
    layers = [layer for layer in plan.layers if layer.version_id in stale]
    if layers:
        owners = layer_goal_templates(plan)
        found += [_layer_update(plan, layer, owners) for layer in layers]
    return [update for update in found if update is not None]


def pending_changes(plan: Plan) -> list[PendingChange]:
    return [change for update in template_updates(plan) for change in update.changes]


def pending_count(plan: Plan) -> int:
    """For the plan page's banner: one query when the plan is on the latest versions, a few
    more when it is not, whatever the size of the plan."""
    return len(pending_changes(plan))
