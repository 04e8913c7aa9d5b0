"""The rules tied to one plan's road: welcome, milestone coming up, check-in, overdue, pulse.

Each rule turns loaded plans into ``Due`` messages for the window. Dates are calendar dates
on the plan (a milestone due on Monday is due on everyone's Monday); the instant each message
goes out is that date's ``REMINDER_LOCAL_HOUR`` in the recipient's own zone. What a message
says is decided from the state at sweep time: a goal finished yesterday is not nagged about.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Iterator

from tracker.models import GoalStatus, Plan, PlanGoal, PlanMilestone, User
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.reminders.kinds import NotificationKind as K
from tracker.reminders.window import Due, Window
from tracker.services.policy import owner_of
from tracker.services.pulses import schedule

# Goals that wait on their owner; a submitted goal waits on the manager's review instead.
NEEDS_OWNER = frozenset({GoalStatus.OPEN, GoalStatus.CHANGES_REQUESTED})
OVERDUE_STAGES = ("owner", "manager", "hr")


@dataclass(frozen=True)
class MilestoneEvent:
    plan: Plan
    milestone: PlanMilestone
    kind: K  # milestone_soon, checkin_invite, goal_overdue
    day: date  # the local date it goes out, after the weekend rule
    offset: int = 0  # days before (coming up) or after (overdue) the due date
    stage: int = 0  # overdue: 0 the owners, 1 the manager, 2 and later HR


def _milestone_payload(plan: Plan, milestone: PlanMilestone) -> dict:
    return {"milestone": milestone.key.value, "milestone_label": milestone.key.label,
            "milestone_title": milestone.title, "due_date": milestone.due_date.isoformat(),
            "hire_name": plan.hire.name, "manager_name": plan.manager.name}


def _goal(goal: PlanGoal) -> dict:
    return {"id": goal.id, "title": goal.title, "owner": goal.owner.value,
            "status": goal.status.value}


def people(plan: Plan) -> dict[int, User]:
    found = {plan.hire.id: plan.hire, plan.manager.id: plan.manager}
    if plan.buddy is not None:
        found[plan.buddy.id] = plan.buddy
    return found


def welcome(window: Window, plans: Iterable[Plan]) -> Iterator[Due]:
    """Goes out at the next sweep, not at 09:00: HR just made the account and the new person
    may be waiting for the link. Only people who have no password yet get one."""
    for plan in plans:
        hire = plan.hire
        if hire.password_hash or not hire.active:
            continue
        if window.start <= plan.created_at <= window.now:
            yield Due(f"plan:{plan.id}:welcome:{hire.id}", K.WELCOME, hire.id, plan.id,
                      plan.created_at,
                      {"hire_name": hire.name, "manager_name": plan.manager.name,
                       "start_date": plan.start_date.isoformat()})


def milestone_events(window: Window, plans: Iterable[Plan], *, soon_days: list[int],
                     checkin: bool, overdue_days: list[int]) -> Iterator[MilestoneEvent]:
    """Every milestone date event whose local date can fall in the window (needs no goals)."""
    for plan in plans:
        for milestone in plan.milestones:
            due = milestone.due_date
            for days in soon_days:
                day = window.moved_before(due - timedelta(days=days), due)
                if window.may_contain(day) and day < due:
                    yield MilestoneEvent(plan, milestone, K.MILESTONE_SOON, day, days)
            if checkin and window.may_contain(window.moved(due)):
                yield MilestoneEvent(plan, milestone, K.CHECKIN_INVITE, window.moved(due))
            for stage, days in enumerate(overdue_days):
                day = window.moved(due + timedelta(days=days))
                if window.may_contain(day):
                    yield MilestoneEvent(plan, milestone, K.GOAL_OVERDUE, day, days,
                                         min(stage, len(OVERDUE_STAGES) - 1))


def _by_owner(plan: Plan, goals: list[PlanGoal]) -> dict[int, list[PlanGoal]]:
    owners: dict[int, list[PlanGoal]] = {}
    for goal in goals:
        owners.setdefault(owner_of(plan, goal), []).append(goal)
    return owners


def _due(window: Window, event: MilestoneEvent, recipient: User, payload: dict,
         rank: int = 0) -> Due | None:
    if not recipient.active:
        return None
    send = window.slot(event.day, recipient.timezone)
    if send is None:
        return None
    plan, milestone = event.plan, event.milestone
    key = (f"plan:{plan.id}:milestone:{milestone.key.value}:{event.kind}:{recipient.id}:"
           f"{event.day.isoformat()}")
    return Due(key, event.kind, recipient.id, plan.id, send,
               _milestone_payload(plan, milestone) | payload, rank)


def expand(window: Window, events: Iterable[MilestoneEvent], goals: dict[int, list[PlanGoal]],
           signed: set[int], admins: list[User]) -> Iterator[Due]:
    """Milestone events to messages, one per recipient, with the goals each one is about."""
    for event in events:
        plan, milestone = event.plan, event.milestone
        mine = goals.get(milestone.id, [])
        if event.kind == K.CHECKIN_INVITE:
            if milestone.id in signed:
                continue
            for role, person in (("hire", plan.hire), ("manager", plan.manager)):
                due = _due(window, event, person, {
                    "role": role, "hire_email": plan.hire.email,
                    "manager_email": plan.manager.email})
                if due:
                    yield due
            continue
        waiting = [g for g in mine if g.status in NEEDS_OWNER]
        unfinished = [g for g in mine if g.status not in FINISHED_GOAL_STATUSES]
        if event.kind == K.MILESTONE_SOON:
            extra = {"days": (milestone.due_date - event.day).days}
        else:
            extra = {"days": (event.day - milestone.due_date).days,
                     "stage": OVERDUE_STAGES[event.stage]}
        if event.kind == K.MILESTONE_SOON or event.stage == 0:
            targets = _by_owner(plan, waiting)
        elif not unfinished:
            continue
        elif event.stage == 1:
            targets = {plan.manager_id: unfinished}
        else:
            targets = {admin.id: unfinished for admin in admins}
        everyone = people(plan) | {admin.id: admin for admin in admins}
        for recipient_id, items in targets.items():
            due = _due(window, event, everyone[recipient_id],
                       extra | {"goals": [_goal(g) for g in items]}, rank=event.stage)
            if due:
                yield due


def pulse_dates(window: Window, plans: Iterable[Plan]) -> Iterator[tuple[Plan, date, date]]:
    """(plan, pulse date, local send date) for pulses whose prompt can fall in the window;
    a pulse already replaced by the next one before its prompt goes out is left out."""
    for plan in plans:
        if not plan.milestones or not plan.hire.active:
            continue
        # Only the pulses near the window: a weekend moves a prompt two days at most.
        until = min(window.last_day + timedelta(days=3), plan.milestones[-1].due_date)
        dates = schedule(plan, until=until, after=window.first_day - timedelta(days=3))
        for index, pulse in enumerate(dates):
            day = window.moved(pulse)
            following = dates[index + 1] if index + 1 < len(dates) else None
            if window.may_contain(day) and not (following and following <= day):
                yield plan, pulse, day


def pulse_prompts(window: Window, found: Iterable[tuple[Plan, date, date]],
                  answered: dict[int, date]) -> Iterator[Due]:
    for plan, pulse, day in found:
        last = answered.get(plan.id)
        if last is not None and last >= pulse:
            continue
        hire = plan.hire
        send = window.slot(day, hire.timezone)
        if send is None:
            continue
        yield Due(f"plan:{plan.id}:pulse_prompt:{hire.id}:{day.isoformat()}", K.PULSE_PROMPT,
                  hire.id, plan.id, send,
                  {"pulse_date": pulse.isoformat(), "hire_name": hire.name,
                   "manager_name": plan.manager.name})
