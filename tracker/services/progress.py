"""Where a plan stands today: the derived numbers the timeline and lists show.

Nothing here is stored: it is computed from due dates and goal statuses each time, so it can
never disagree with them. "Today" is the hire's local date, because a milestone due on Monday
is due on the hire's Monday.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from tracker.models import Plan, PlanMilestone
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
        total = len(milestone.goals)
        finished = sum(1 for g in milestone.goals if g.status in FINISHED_GOAL_STATUSES)
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
