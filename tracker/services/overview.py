"""HR's overview: the counts at the top of the plan list, and the list's cohorts and sorting.

The counts are one statement of scalar subqueries over active plans: a fixed number of
statements at any size, though each count still reads what it counts (bench/README.md); "at
risk" is the one rule in ``services/at_risk.py``, counted from its set-wise parts (the same
plans as ``at_risk_ids``, tests/test_overview_counts.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import CheckIn, GoalStatus, Plan, PlanGoal, PlanMilestone, PlanStatus, User
from tracker.services.at_risk import (
    Thresholds,
    late_goals_by_plan,
    latest_pulse_low,
    rated_ids,
)

# The list's orders: (label, ORDER BY); the first is the default.
SORTS = {
    "newest": ("Newest start first", (Plan.start_date.desc(), Plan.id.desc())),
    "oldest": ("Oldest start first", (Plan.start_date.asc(), Plan.id.asc())),
    "name": ("Hire's name", (sa.select(User.name).where(User.id == Plan.hire_id)
                             .scalar_subquery().asc(), Plan.id.asc())),
}


@dataclass(frozen=True)
class Overview:
    active: int
    at_risk: int
    overdue_goals: int
    checkins_to_sign: int
    waiting_review: int


def one_side_signed() -> sa.ColumnElement:
    """A check-in signed by the hire or the manager, not both: waiting for a signature."""
    return sa.or_(
        sa.and_(CheckIn.hire_signed_at.is_not(None), CheckIn.manager_signed_at.is_(None)),
        sa.and_(CheckIn.hire_signed_at.is_(None), CheckIn.manager_signed_at.is_not(None)))


def overview(today: date, t: Thresholds | None = None) -> Overview:
    """The counts, in one statement. Each count joins from the rows it counts (partial indexes
    on unfinished and submitted goals and on half-signed check-ins, migration 0017) to their
    plan, instead of reading every goal of every active plan; the unfinished goals of past
    milestones are read once, per plan, for both the overdue count and at risk's "overdue
    goals" reason; at risk then asks the rating reason set-wise (``rated_ids``) and the pulse
    one plan by plan, last, of the plans still left (one index probe each).
    tests/test_overview_counts.py checks every count against plain Python."""
    t = t or Thresholds.from_settings()
    active = Plan.status == PlanStatus.ACTIVE
    late = late_goals_by_plan(today, t)
    if t.overdue_goals <= 0:  # "at least 0 goals overdue": every plan (at_risk_ids)
        risky = sa.true()
    else:
        risky = sa.or_(
            Plan.id.in_(sa.select(late.c.plan_id)
                        .where(late.c.past_grace >= t.overdue_goals)),
            Plan.id.in_(rated_ids(t)), latest_pulse_low(t))
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Plan).where(active).scalar_subquery(),
        sa.select(sa.func.count()).select_from(Plan).where(active, risky).scalar_subquery(),
        sa.select(sa.func.coalesce(sa.func.sum(late.c.late), 0)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(CheckIn)
        .join(PlanMilestone, PlanMilestone.id == CheckIn.milestone_id)
        .join(Plan, Plan.id == PlanMilestone.plan_id)
        .where(active, one_side_signed()).scalar_subquery(),
        sa.select(sa.func.count()).select_from(PlanGoal)
        .join(PlanMilestone, PlanMilestone.id == PlanGoal.milestone_id)
        .join(Plan, Plan.id == PlanMilestone.plan_id)
        .where(active, PlanGoal.status == GoalStatus.SUBMITTED).scalar_subquery(),
    )).one()
    return Overview(*(int(n) for n in row))


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_range(cohort: str) -> tuple[date, date] | None:
    """The first and last day of a cohort like "2026-Q3"; None for anything else."""
    year, _, quarter = cohort.partition("-Q")
    # ASCII digits only ("２０２６" is digits to Python, and int() reads it), and a year the
    # calendar holds whole (0000 and 9999-Q4 would raise).
    if not (year.isascii() and year.isdigit() and len(year) == 4 and "0001" <= year <= "9998"
            and quarter in {"1", "2", "3", "4"}):
        return None
    first_month = 3 * (int(quarter) - 1) + 1
    start = date(int(year), first_month, 1)
    end = date(int(year) + 1, 1, 1) if first_month == 10 else date(int(year), first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def cohorts() -> list[str]:
    """Every start quarter from the earliest plan's to the latest's, newest first."""
    # Two scalar subqueries, not min() and max() in one SELECT: each is then one probe of
    # ix_plans_start_date, where SQLite scanned every plan for the pair (7 ms at 100k).
    first, last = db.session.execute(sa.select(
        sa.select(sa.func.min(Plan.start_date)).scalar_subquery(),
        sa.select(sa.func.max(Plan.start_date)).scalar_subquery())).one()
    if first is None:
        return []
    out, year, quarter = [], first.year, (first.month - 1) // 3
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        out.append(f"{year}-Q{quarter + 1}")
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return out[::-1]
