"""Adopting a newer template version into a running plan, one change at a time or all at once.

The plan's manager or HR decides on each pending change (services/template_updates.py):
an added goal joins its milestone, open, beside its neighbour in the template; a reworded,
moved or otherwise changed goal takes the template's words and place but keeps its status and
evidence; a removed goal goes, unless work was done on it (evidence, or a finished state), in
which case it is kept and retired so nobody's record disappears. Declining ("stay on this
version") is a decision too. Each decision is stored and audited with the goal before and
after; once every change of the latest version is decided and at least one was adopted, the
plan moves to that version. Services flush, never commit.
"""
from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    AdoptionDecision,
    GoalSource,
    GoalStatus,
    Plan,
    PlanAdoption,
    PlanGoal,
    PlanMilestone,
    User,
)
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.policy import policy
from tracker.services.template_updates import PendingChange, pending_changes, template_updates

COPIED = ("title", "description", "owner", "evidence_required", "evidence_hint", "target")


def _snapshot(goal: PlanGoal | None, milestone: PlanMilestone | None = None) -> dict | None:
    if goal is None:
        return None
    milestone = milestone or goal.milestone
    return {"goal": goal.title, "description": goal.description, "owner": goal.owner.value,
            "evidence_required": goal.evidence_required, "target": goal.target,
            "milestone": milestone.key.value, "status": goal.status.value}


def _key_of(goal: PlanGoal) -> str | None:
    return goal.template_goal.key if goal.template_goal is not None else None


def _position(milestone: PlanMilestone, change: PendingChange, moving: PlanGoal | None) -> int:
    """Where the goal goes: after the nearest goal before it in the template that the plan
    has in this milestone, else before the nearest after it, else at the end. Goals from that
    point on move down one."""
    template_keys = [goal.key for goal in change.after.goal.milestone.goals]
    index = template_keys.index(change.key)
    here = {_key_of(goal): goal for goal in milestone.goals
            if goal is not moving and goal.source == change.source}
    before = next((here[k] for k in reversed(template_keys[:index]) if k in here), None)
    after = next((here[k] for k in template_keys[index + 1:] if k in here), None)
    if before is not None:
        spot = before.position + 1
    elif after is not None:
        spot = after.position
    else:
        return max((goal.position for goal in milestone.goals), default=-1) + 1
    for goal in milestone.goals:
        if goal is not moving and goal.position >= spot:
            goal.position += 1
    return spot


def _milestone(plan: Plan, change: PendingChange) -> PlanMilestone:
    return next(m for m in plan.milestones if m.key == change.after.milestone)


def _apply(plan: Plan, change: PendingChange) -> PlanGoal | None:
    """Change the plan; returns the goal as it now is (None when it was deleted)."""
    goal, template = change.goal, change.after.goal if change.after else None
    if goal is None:
        milestone = _milestone(plan, change)
        goal = PlanGoal(plan=plan, source=change.source, template_goal=template,
                        status=GoalStatus.OPEN, position=_position(milestone, change, None),
                        **{name: getattr(template, name) for name in COPIED})
        milestone.goals.append(goal)
        return goal
    if template is None:
        if change.retires:
            goal.status = GoalStatus.RETIRED
            return goal
        goal.milestone.goals.remove(goal)  # an orphan: deleted at flush, never a plan
        return None
    for name in COPIED:
        setattr(goal, name, getattr(template, name))
    goal.template_goal = template
    goal.source = change.source  # a lower goal a layer now replaces becomes the layer's
    if "moved" in change.kinds:
        milestone = _milestone(plan, change)
        goal.position = _position(milestone, change, goal)
        goal.milestone = milestone
    return goal


def _decide(plan: Plan, change: PendingChange, decision: AdoptionDecision, actor: User | None,
            before: dict | None, after: dict | None, target) -> None:
    db.session.add(PlanAdoption(plan_id=plan.id, key=change.key, source=change.source,
                                version_id=change.version.id, decision=decision,
                                actor_id=actor.id if actor else None))
    action = ("template.change_adopted" if decision == AdoptionDecision.ADOPTED
              else "template.change_declined")
    facts = {"key": change.key, "source": change.source.value, "changes": change.kinds,
             "version": change.version.number}
    record(action, plan=plan, actor=actor, target=target,
           before=before, after={"goal": change.title, **facts, "goal_after": after})


def _move_on(plan: Plan, actor: User | None) -> None:
    """Pin the latest version of each template whose changes are all decided, when at least
    one of them was adopted: declining every change is staying on the version."""
    db.session.flush()
    for update in template_updates(plan):
        if update.changes or not db.session.scalar(sa.select(sa.exists().where(
                PlanAdoption.plan_id == plan.id, PlanAdoption.source == update.source,
                PlanAdoption.version_id == update.latest.id,
                PlanAdoption.decision == AdoptionDecision.ADOPTED))):
            continue
        if update.layer is not None:
            update.layer.version = update.latest
        elif update.source == GoalSource.ROLE:
            plan.role_version = update.latest
        else:
            plan.baseline_version = update.latest
        record("plan.template_version_changed", plan=plan, actor=actor, target=plan,
               before={"source": update.source.value, "version": update.pinned.number},
               after={"source": update.source.value, "version": update.latest.number})


def find_change(plan: Plan, ident: str) -> PendingChange:
    change = next((c for c in pending_changes(plan) if c.ident == ident), None)
    if change is None:
        raise InputError("change", "that change is no longer waiting for a decision; "
                                   "the list below is up to date")
    return change


def adopt(plan: Plan, ident: str, actor: User | None = None) -> PendingChange:
    """Adopt the pending change named ``ident`` ("role:<key>"); returns it."""
    if actor is not None:
        policy(actor, plan).adopt_changes().enforce("change")
    change = find_change(plan, ident)
    milestone = change.goal.milestone if change.goal is not None else None
    before = _snapshot(change.goal, milestone)
    goal = _apply(plan, change)
    db.session.flush()
    _decide(plan, change, AdoptionDecision.ADOPTED, actor, before, _snapshot(goal),
            goal or change.goal)
    _move_on(plan, actor)
    return change


def adopt_all(plan: Plan, actor: User | None = None) -> int:
    """Every pending change, in the order the list shows them; returns how many."""
    if actor is not None:
        policy(actor, plan).adopt_changes().enforce("change")
    idents = [change.ident for change in pending_changes(plan)]
    if not idents:
        raise InputError("change", "there is nothing to adopt: this plan is up to date")
    for ident in idents:
        adopt(plan, ident, actor)
    return len(idents)


def stay(plan: Plan, actor: User | None = None) -> int:
    """Decline every pending change: the plan keeps its goals and its version until a newer
    version changes them again. Returns how many were declined."""
    if actor is not None:
        policy(actor, plan).adopt_changes().enforce("change")
    changes = pending_changes(plan)
    if not changes:
        raise InputError("change", "there is nothing to decline: this plan is up to date")
    for change in changes:
        snapshot = _snapshot(change.goal)
        _decide(plan, change, AdoptionDecision.DECLINED, actor, snapshot, snapshot,
                change.goal or plan)
    _move_on(plan, actor)
    return len(changes)
