"""Where a plan stands today: the derived numbers the timeline and lists show.

Nothing here is stored: it is computed from due dates and goal statuses each time, so it can
never disagree with them. "Today" is the hire's local date, because a milestone due on Monday
is due on the hire's Monday.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tracker.models import MilestoneKey, Plan, PlanGoal, PlanMilestone
from tracker.models.enums import FINISHED_GOAL_STATUSES


def local_today(tz_name: str, now: datetime | None = None) -> date:
    now = now or datetime.now(timezone.utc)
    return now.astimezone(ZoneInfo(tz_name)).date()


@dataclass(frozen=True)
class MilestoneProgress:
    milestone: PlanMilestone
    finished: int
    total: int
    state: str  # "done", "current", "overdue", "upcoming"
    days_left: int

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


@dataclass(frozen=True)
class PlanProgress:
    today: date
    milestones: list[MilestoneProgress]
    current: MilestoneProgress | None
    finished: int
    total: int
    overdue_goals: int
    elapsed_percent: int  # how far along the road from start to 12 months today is

    @property
    def percent(self) -> int:
        return round(100 * self.finished / self.total) if self.total else 100


def plan_progress(plan: Plan, today: date) -> PlanProgress:
    """Needs ``plan.milestones`` and their ``goals`` loaded (list pages use selectinload)."""
    rows, current, overdue = [], None, 0
    for milestone in plan.milestones:
        # A retired goal is shown but not counted (services/adoption.py); now_at agrees, since
        # "finished" includes retired and an empty milestone has nothing unfinished.
        counted = [g for g in milestone.goals if g.status.counts]
        total = len(counted)
        finished = sum(1 for g in counted if g.status in FINISHED_GOAL_STATUSES)
        days_left = (milestone.due_date - today).days
        if finished == total:
            state = "done"
        elif days_left < 0:
            state = "overdue"
            overdue += total - finished
        elif current is None:
            state = "current"
        else:
            state = "upcoming"
        row = MilestoneProgress(milestone, finished, total, state, days_left)
        if state == "current":
            current = row
        rows.append(row)
    if current is None:
        # Nothing upcoming is open: point at the earliest overdue milestone, if any.
        current = next((r for r in rows if r.state == "overdue"), None)
    span = (plan.milestones[-1].due_date - plan.start_date).days if plan.milestones else 0
    elapsed = (today - plan.start_date).days
    elapsed_percent = max(0, min(100, round(100 * elapsed / span))) if span > 0 else 100
    return PlanProgress(today, rows, current, sum(r.finished for r in rows),
                        sum(r.total for r in rows), overdue, elapsed_percent)


def now_at(key: MilestoneKey, today: date):
    """Plans whose current milestone is ``key``, by the same rule as the "Now at" column.

    The SQL twin of ``plan_progress`` above (tests/test_admin_plans_edit.py holds the two to
    parity): the first milestone with an unfinished goal that is not yet due; if every such
    milestone is past its date, the earliest overdue one. Done in SQL, so the list costs the
    same statements for ten plans or ten thousand. ``today`` is the server's UTC date; the
    column uses the hire's own date, so near midnight the two can differ by a day for a
    milestone due that very day.
    """
    unfinished = sa.exists().where(PlanGoal.milestone_id == PlanMilestone.id,
                                   PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)))
    open_ms = sa.select(PlanMilestone.plan_id, PlanMilestone.position, PlanMilestone.due_date) \
        .where(unfinished).subquery()
    upcoming = (sa.select(open_ms.c.plan_id, sa.func.min(open_ms.c.position).label("position"))
                .where(open_ms.c.due_date >= today).group_by(open_ms.c.plan_id).subquery())
    earliest = (sa.select(open_ms.c.plan_id, sa.func.min(open_ms.c.position).label("position"))
                .group_by(open_ms.c.plan_id).subquery())
    current = (sa.select(earliest.c.plan_id,
                         sa.func.coalesce(upcoming.c.position, earliest.c.position).label("position"))
               .outerjoin(upcoming, upcoming.c.plan_id == earliest.c.plan_id).subquery())
    return Plan.id.in_(
        sa.select(current.c.plan_id)
        .join(PlanMilestone, sa.and_(PlanMilestone.plan_id == current.c.plan_id,
                                     PlanMilestone.position == current.c.position))
        .where(PlanMilestone.key == key))
