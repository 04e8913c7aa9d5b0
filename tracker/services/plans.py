"""Building plans from role versions and keeping their due dates right.

Services flush but never commit: the caller (a view, a CLI command, the demo loader creating
thousands of plans) owns the transaction and decides how much to commit at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from zoneinfo import available_timezones

from flask import current_app

from tracker.extensions import db
from tracker.models import (
    GoalSource,
    GoalTemplate,
    MilestoneKey,
    Plan,
    PlanGoal,
    PlanLayer,
    PlanMilestone,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.services.audit import record
from tracker.services.due_dates import due_date, due_dates
from tracker.services.errors import InputError
from tracker.services.layers import merge
from tracker.services.text_rules import DUE_DATE_REASON


@dataclass
class MilestonePreview:
    key: MilestoneKey
    title: str
    due: date
    goals: list[tuple[GoalSource, GoalTemplate]] = field(default_factory=list)
    # Goals a layer took out here: (the goal removed, the layer's replace or drop row).
    removed: list[tuple[GoalTemplate, GoalTemplate]] = field(default_factory=list)


def weekend_rule() -> str:
    return current_app.config["DUE_DATE_WEEKEND_RULE"]


def preview(
    version: RoleVersion, start: date, *, rule: str | None = None,
    baseline: RoleVersion | None = None, layers: list[RoleVersion] = (),
) -> list[MilestonePreview]:
    """What a plan from ``version`` (with ``baseline`` and ``layers``) starting on ``start``
    would hold, without saving anything; plan creation builds from exactly this.

    Baseline goals come first in each milestone: access and introductions unblock role work.
    The layers then add, replace and drop in order (services/layers.py).
    """
    if version.template.kind != TemplateKind.ROLE:
        raise InputError("role", f"{version.template.slug} is not a role template")
    dates = due_dates(start, rule or weekend_rule())
    by_key = {m.key: m for m in version.milestones}
    merged = merge(version, baseline, list(layers))
    out = []
    for key in MILESTONE_ORDER:
        milestone = by_key.get(key)
        out.append(MilestonePreview(key, milestone.title if milestone else key.label,
                                    dates[key], merged.goals[key], merged.removed[key]))
    return out


@cache
def time_zones() -> tuple[str, ...]:
    """The IANA zone names people pick from, sorted (``Europe/Berlin``, ..., ``UTC``)."""
    return tuple(sorted(name for name in available_timezones() if "/" in name) + ["UTC"])


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_timezone(name: str) -> str:
    """One of the IANA zones (``Europe`` is a folder of zones, not one)."""
    if name not in _known_zones():
        raise InputError("timezone",
                         f"{name[:64]!r} is not a time zone; use a name like Europe/Berlin")
    return name


def create_plan(
    *, version: RoleVersion, start: date, hire: User, manager: User, buddy: User | None = None,
    timezone: str | None = None, baseline: RoleVersion | None = None,
    layers: list[RoleVersion] = (), rule: str | None = None, actor: User | None = None,
) -> Plan:
    """A new active plan with its milestones and copied goals, flushed but not committed."""
    if hire is manager or (hire.id is not None and hire.id == manager.id):
        raise InputError("manager", "a hire cannot be their own manager")
    if buddy is not None and (buddy is hire or buddy is manager):
        raise InputError("buddy", "the buddy must be someone other than the hire and the manager")
    if timezone:
        hire.timezone = check_timezone(timezone)
    rule = rule or weekend_rule()
    items = preview(version, start, rule=rule, baseline=baseline, layers=layers)  # may refuse
    plan = Plan(hire=hire, manager=manager, buddy=buddy, role_version=version,
                baseline_version=baseline, start_date=start, weekend_rule=rule,
                layers=[PlanLayer(version=layer, position=index)
                        for index, layer in enumerate(layers)])
    plan.milestones = [
        PlanMilestone(key=item.key, title=item.title, position=position, due_date=item.due,
                      goals=[PlanGoal(plan=plan, template_goal=goal, source=source,
                                      title=goal.title, description=goal.description,
                                      owner=goal.owner, evidence_required=goal.evidence_required,
                                      evidence_hint=goal.evidence_hint, target=goal.target,
                                      position=index)
                             for index, (source, goal) in enumerate(item.goals)])
        for position, item in enumerate(items)
    ]
    db.session.add(plan)
    db.session.flush()
    record("plan.created", plan=plan, actor=actor, target=plan,
           after={"role": version.template.slug, "version": version.number,
                  "start_date": start.isoformat(),
                  **({"layers": [f"{v.template.slug} v{v.number}" for v in layers]}
                     if layers else {})})
    return plan


def change_start_date(plan: Plan, start: date, actor: User | None = None) -> list[PlanMilestone]:
    """Move the start date; milestones someone set by hand keep their date. Returns those moved."""
    before = plan.start_date
    plan.start_date = start
    moved = []
    for milestone in plan.milestones:
        if milestone.is_overridden:
            continue
        new_due = due_date(start, milestone.key, plan.weekend_rule)
        if new_due != milestone.due_date:
            milestone.due_date = new_due
            moved.append(milestone)
    record("plan.start_date_changed", plan=plan, actor=actor, target=plan,
           before={"start_date": before.isoformat()}, after={"start_date": start.isoformat()})
    return moved


def override_due_date(milestone: PlanMilestone, due: date, reason: str,
                      actor: User | None = None) -> None:
    reason = DUE_DATE_REASON.check(reason)
    if not reason:
        raise InputError("reason", "say why the date moves; the reason is kept with the plan")
    before = milestone.due_date
    milestone.due_date = due
    milestone.due_date_override_reason = reason
    record("milestone.due_date_overridden", plan=milestone.plan, actor=actor, target=milestone,
           before={"due_date": before.isoformat()},
           after={"due_date": due.isoformat(), "reason": reason})
