"""Changes HR makes to a running plan: people, dates, pulse cadence, extra goals, status.

Each function validates first and only then touches the plan, so a refusal leaves nothing
half-changed; each writes an audit event with the values before and after, because a plan's
history is what people argue from at the 6-month review. Flush at most, never commit.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import partial

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    GoalOwner,
    GoalSource,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    User,
    utcnow,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.hires import active_plan_of, people_for
from tracker.services.plans import override_due_date
from tracker.services.text_rules import EVIDENCE_HINT, GOAL_DESCRIPTION, GOAL_TITLE
from tracker.webhooks import Event, emit, payloads

# The 12-month milestone plus a long leave; anything later is a typo, and dates near the end
# of the calendar would break every date sum made from them.
LATEST_DUE = timedelta(days=730)

PULSE_DAYS = range(1, 91)


def change_people(plan: Plan, manager_email: str, buddy_email: str = "",
                  actor: User | None = None) -> list[str]:
    """Returns what changed ("manager", "buddy"); an empty buddy email removes the buddy."""
    manager, buddy = people_for(plan.hire.email, manager_email, buddy_email)
    changed = []
    if manager.id != plan.manager_id:
        record("plan.manager_changed", plan=plan, actor=actor, target=plan,
               before={"manager": plan.manager.email}, after={"manager": manager.email})
        plan.manager = manager
        changed.append("manager")
    if (buddy.id if buddy else None) != plan.buddy_id:
        record("plan.buddy_changed", plan=plan, actor=actor, target=plan,
               before={"buddy": plan.buddy.email if plan.buddy else None},
               after={"buddy": buddy.email if buddy else None})
        plan.buddy = buddy
        changed.append("buddy")
    return changed


def move_due_date(plan: Plan, milestone: PlanMilestone, due: date, reason: str,
                  actor: User | None = None) -> None:
    """A hand-set date; one before the plan starts cannot be met and is a typo."""
    if milestone.plan_id != plan.id:
        raise InputError("milestone", "that milestone belongs to another plan")
    if due <= plan.start_date:
        raise InputError("due_date", f"the plan starts on {plan.start_date:%d %b %Y}; "
                                     "pick a later date")
    if due > plan.start_date + LATEST_DUE:
        raise InputError("due_date", f"{due:%d %b %Y} is more than two years after the start; "
                                     "check the year")
    override_due_date(milestone, due, reason, actor=actor)


def set_pulse_cadence(plan: Plan, days_early: int, days_late: int,
                      actor: User | None = None) -> None:
    for field, value in (("pulse_days_early", days_early), ("pulse_days_late", days_late)):
        if value not in PULSE_DAYS:
            raise InputError(field, "use a whole number of days from 1 to 90")
    before = {"pulse_days_early": plan.pulse_days_early, "pulse_days_late": plan.pulse_days_late}
    plan.pulse_days_early, plan.pulse_days_late = days_early, days_late
    record("plan.pulse_cadence_changed", plan=plan, actor=actor, target=plan, before=before,
           after={"pulse_days_early": days_early, "pulse_days_late": days_late})


def add_custom_goal(plan: Plan, milestone: PlanMilestone, *, title: str, description: str = "",
                    owner: GoalOwner | str = GoalOwner.HIRE, evidence_required: bool = True,
                    evidence_hint: str = "", actor: User | None = None) -> PlanGoal:
    """A goal only this plan has. Buddy-owned goals are fine without a buddy: the manager
    covers them, as for goals copied from a template."""
    if milestone is None or milestone.plan_id != plan.id:
        raise InputError("milestone", "choose one of this plan's milestones")
    title = GOAL_TITLE.check(title)
    if not title:
        raise InputError("title", "give the goal a title")
    description = GOAL_DESCRIPTION.check(description)
    evidence_hint = EVIDENCE_HINT.check(evidence_hint)
    try:
        owner = GoalOwner(owner)
    except ValueError:
        raise InputError("owner", "choose the hire, the manager or the buddy") from None
    last = db.session.scalar(sa.select(sa.func.max(PlanGoal.position))
                             .where(PlanGoal.milestone_id == milestone.id))
    goal = PlanGoal(plan=plan, milestone=milestone, source=GoalSource.CUSTOM, title=title,
                    description=description, owner=owner,
                    evidence_required=bool(evidence_required), evidence_hint=evidence_hint,
                    position=0 if last is None else last + 1)
    db.session.add(goal)
    db.session.flush()
    record("goal.added", plan=plan, actor=actor, target=goal,
           after={"goal": title, "milestone": milestone.key.value})
    return goal


def open_goals(plan: Plan) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(PlanGoal)
        .where(PlanGoal.plan_id == plan.id, PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES))))


STATUS_ACTIONS = {PlanStatus.COMPLETED: "Mark completed", PlanStatus.ARCHIVED: "Archive",
                  PlanStatus.ACTIVE: "Reactivate"}


def status_actions(plan: Plan) -> list[tuple[str, str]]:
    """The status changes HR can make from where the plan is: (new status, button label)."""
    return [(status.value, label) for status, label in STATUS_ACTIONS.items()
            if status != plan.status]


def set_status(plan: Plan, status: PlanStatus | str, actor: User | None = None) -> int:
    """Returns the goals still open, which HR is told about when completing early."""
    try:
        status = PlanStatus(status)
    except ValueError:
        raise InputError("status", "choose active, completed or archived") from None
    if status == plan.status:
        raise InputError("status", f"the plan is already {status.value}")
    if status == PlanStatus.ACTIVE and active_plan_of(plan.hire, other_than=plan):
        raise InputError("status", f"{plan.hire.email} already has another active plan; "
                                   "complete or archive that one first")
    before = plan.status
    plan.status = status
    record("plan.status_changed", plan=plan, actor=actor, target=plan,
           before={"status": before.value}, after={"status": status.value})
    left = open_goals(plan)
    if status == PlanStatus.COMPLETED:
        emit(Event.PLAN_COMPLETED, partial(payloads.plan_completed, plan, left, utcnow()))
    return left
