"""HR's overview: the counts at the top of the plan list, and the list's cohorts and sorting.

The counts are one statement of scalar subqueries over active plans: a fixed number of
statements at any size, though each count still reads what it counts (bench/README.md); "at
risk" is the one rule in ``services/at_risk.py``, counted set-wise (``at_risk_ids``).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import CheckIn, GoalStatus, Plan, PlanGoal, PlanMilestone, PlanStatus, User
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services.at_risk import at_risk_ids

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


def overview(today: date) -> Overview:
    active = Plan.status == PlanStatus.ACTIVE
    active_ids = sa.select(Plan.id).where(active)
    goals_of_active = (sa.select(sa.func.count(PlanGoal.id)).join(PlanMilestone)
                       .where(PlanMilestone.plan_id.in_(active_ids)))
    one_signed = sa.or_(
        sa.and_(CheckIn.hire_signed_at.is_not(None), CheckIn.manager_signed_at.is_(None)),
        sa.and_(CheckIn.hire_signed_at.is_(None), CheckIn.manager_signed_at.is_not(None)))
    row = db.session.execute(sa.select(
        sa.select(sa.func.count()).select_from(Plan).where(active).scalar_subquery(),
        sa.select(sa.func.count()).select_from(Plan)
        .where(active, Plan.id.in_(at_risk_ids(today))).scalar_subquery(),
        goals_of_active.where(PlanMilestone.due_date < today,
                              PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)))
        .scalar_subquery(),
        sa.select(sa.func.count(CheckIn.id)).join(PlanMilestone)
        .where(PlanMilestone.plan_id.in_(active_ids), one_signed).scalar_subquery(),
        goals_of_active.where(PlanGoal.status == GoalStatus.SUBMITTED).scalar_subquery(),
    )).one()
    return Overview(*row)


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_range(cohort: str) -> tuple[date, date] | None:
    """The first and last day of a cohort like "2026-Q3"; None for anything else."""
    year, _, quarter = cohort.partition("-Q")
    if not (year.isdigit() and len(year) == 4 and quarter in {"1", "2", "3", "4"}):
        return None
    first_month = 3 * (int(quarter) - 1) + 1
    start = date(int(year), first_month, 1)
    end = date(int(year) + 1, 1, 1) if first_month == 10 else date(int(year), first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


def cohorts() -> list[str]:
    """Every start quarter from the earliest plan's to the latest's, newest first."""
    first, last = db.session.execute(sa.select(sa.func.min(Plan.start_date),
                                               sa.func.max(Plan.start_date))).one()
    if first is None:
        return []
    out, year, quarter = [], first.year, (first.month - 1) // 3
    while (year, quarter) <= (last.year, (last.month - 1) // 3):
        out.append(f"{year}-Q{quarter + 1}")
        year, quarter = (year + 1, 0) if quarter == 3 else (year, quarter + 1)
    return out[::-1]
