"""What a person's calendar feed holds: the milestones of every active plan they are part of.

One all-day entry per milestone, on its due date, for the plans where the person is the hire,
the manager (so a manager's feed holds every report's) or the buddy. The milestone and its
check-in fall on the same day (the emailed invitation is all-day on the due date too), so for
the hire and the manager the entry is "milestone and check-in" and says where the check-in
stands; the buddy's says nothing about the check-in, which is between the hire and the manager
(``PlanPolicy.see_conversations``). An admin's feed holds their own plans, not every plan.

Completed and archived plans are left out: their dates are history, and a calendar full of
finished onboarding hides the plans that still need something. A plan that becomes active
again comes back with the same UIDs.

UIDs are ``milestone-<plan>-<key>@<host>``: stable across polls, moved dates and renamed
people. They are not the emailed invitation's ``checkin-...`` UIDs on purpose: the invitation
lands in the person's own calendar with its own SEQUENCE (the outbox row), while a subscription
is a separate read-only calendar that apps never merge with it; sharing UIDs would only let a
CalDAV server refuse one as a duplicate, or let the lower SEQUENCE look stale.

The number of SQL statements is fixed: the plans (with people), their milestones, one count of
goals per milestone and the check-ins, whatever the number of plans.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.mail.ics import FeedEvent, feed_calendar
from tracker.models import CheckIn, GoalStatus, Plan, PlanGoal, PlanMilestone, PlanStatus, User
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services.policy import checkin_opens_on, own_plans_clause, policy
from tracker.urls import base_url, external_url

REFRESH = timedelta(hours=1)


def feed_plans(user: User) -> list[Plan]:
    """The active plans ``user`` is part of, with hire, manager and milestones loaded."""
    return list(db.session.scalars(
        sa.select(Plan).where(own_plans_clause(user), Plan.status == PlanStatus.ACTIVE)
        .options(so.joinedload(Plan.hire), so.joinedload(Plan.manager),
                 so.selectinload(Plan.milestones), so.raiseload("*"))
        .order_by(Plan.id)))


def _goal_counts(plan_ids: list[int]) -> dict[int, tuple[int, int, datetime | None]]:
    """(finished, total, latest change) per milestone; retired goals are history, not work.
    Filtered by plan, not milestone: five times fewer bound parameters for a large team."""
    if not plan_ids:
        return {}
    finished = sa.func.count().filter(PlanGoal.status.in_(list(FINISHED_GOAL_STATUSES)))
    rows = db.session.execute(
        sa.select(PlanGoal.milestone_id, finished, sa.func.count(),
                  sa.func.max(PlanGoal.updated_at))
        .where(PlanGoal.plan_id.in_(plan_ids), PlanGoal.status != GoalStatus.RETIRED)
        .group_by(PlanGoal.milestone_id))
    return {milestone_id: (done, total, latest) for milestone_id, done, total, latest in rows}


def _checkins(plan_ids: list[int]) -> dict[int, CheckIn]:
    """The check-ins of these plans, by milestone id."""
    if not plan_ids:
        return {}
    return {c.milestone_id: c for c in db.session.scalars(
        sa.select(CheckIn).join(PlanMilestone, PlanMilestone.id == CheckIn.milestone_id)
        .where(PlanMilestone.plan_id.in_(plan_ids)).options(so.raiseload("*")))}


def _day(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def checkin_state(checkin: CheckIn | None, milestone: PlanMilestone) -> str:
    if checkin is not None and checkin.is_signed:
        return "signed by both"
    if checkin is not None and (checkin.hire_signed_at or checkin.manager_signed_at):
        return "signed by one of you, waiting for the other signature"
    if checkin is not None and (checkin.self_assessment or checkin.manager_assessment):
        return "in progress"
    return f"not started; it opens {_day(checkin_opens_on(milestone))}"


def _as_utc(value: datetime | None) -> datetime | None:
    """An aggregate may come back without the column's UTC marking; it was stored as UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _event(user: User, plan: Plan, milestone: PlanMilestone, counts, checkin, host: str
           ) -> FeedEvent:
    label, hire = milestone.key.label, plan.hire.name
    done, total, goals_changed = counts.get(milestone.id, (0, 0, None))
    plan_url = external_url("plans.show", plan_id=plan.id)
    talks = bool(policy(user, plan).see_conversations())
    lines = [f"{hire}'s onboarding plan: the {label} milestone is due "
             f"{_day(milestone.due_date)}.",
             f"Goals finished: {done} of {total}." if total else "No goals at this milestone.",
             f"Manager: {plan.manager.name}."]
    if milestone.title:
        lines.insert(1, f"Milestone: {milestone.title}.")
    if talks:
        lines += [f"Check-in: {checkin_state(checkin, milestone)}.", "The check-in: " +
                  external_url("checkins.show", plan_id=plan.id, key=milestone.key.value)]
    lines.append(f"The plan: {plan_url}")
    changes = [plan.created_at, plan.updated_at, milestone.due_date_changed_at,
               _as_utc(goals_changed), checkin.updated_at if checkin else None]
    return FeedEvent(
        uid=f"milestone-{plan.id}-{milestone.key.value}@{host}", day=milestone.due_date,
        summary=f"{hire}: {label} milestone" + (" and check-in" if talks else ""),
        description="\n".join(lines), url=plan_url, sequence=milestone.due_date_revision,
        created=plan.created_at, modified=max(c for c in changes if c is not None))


def feed_events(user: User) -> list[FeedEvent]:
    plans = feed_plans(user)
    counts = _goal_counts([plan.id for plan in plans])
    checkins = _checkins([plan.id for plan in plans if policy(user, plan).see_conversations()])
    host = urlsplit(base_url()).hostname or "localhost"
    return [_event(user, plan, m, counts, checkins.get(m.id), host)
            for plan in plans for m in plan.milestones]


def feed_ics(user: User, stamp: datetime) -> bytes:
    """The whole feed for ``user`` as iCalendar bytes."""
    return feed_calendar(
        name=f"Onboarding: {user.name}",
        description="Milestones and check-ins from the onboarding tracker. Read-only: "
                    "changes come from the tracker.",
        timezone=user.timezone or "UTC", refresh=REFRESH, stamp=stamp,
        events=feed_events(user))
