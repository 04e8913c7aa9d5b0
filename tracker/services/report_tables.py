"""HR's other reports, each one grouped statement over the plans a filter selects:
milestone completion per role, check-in ratings per milestone, pulse confidence by week of
tenure, and the time evidence waits for review per reviewer.

Each returns a :class:`Table`: the headers, the rows, and what the page draws from them (stacked
bars of counts, or one bar per row), so the page, the picture and the CSV show the same numbers.
Date arithmetic differs between SQLite and PostgreSQL; ``_days`` and ``_hours`` hide that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    Evidence,
    GoalStatus,
    MilestoneKey,
    Plan,
    PlanGoal,
    PlanMilestone,
    PulseCheckIn,
    RoleTemplate,
    RoleVersion,
    User,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES


@dataclass(frozen=True)
class Table:
    title: str
    about: str
    headers: list[str]
    rows: list[tuple]
    # "stacked": columns 1.. are counts drawn as one stacked bar per row (``series`` names
    # them); "bar": ``value_column`` drawn as one bar per row, out of ``scale``.
    chart: str = "stacked"
    series: list[str] = field(default_factory=list)
    value_column: int = 1
    scale: float = 100.0


def _is_sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def _days(later, earlier):
    if _is_sqlite():
        return sa.func.julianday(later) - sa.func.julianday(earlier)
    return later - earlier  # date - date is a whole number of days on PostgreSQL


def _hours(later, earlier):
    if _is_sqlite():
        return (sa.func.julianday(later) - sa.func.julianday(earlier)) * 24.0
    return sa.extract("epoch", later - earlier) / 3600.0


def _role_of_plan():
    return (sa.select(RoleTemplate.name).join(RoleVersion)
            .where(RoleVersion.id == Plan.role_version_id).scalar_subquery())


def milestone_completion(where, today: date) -> Table:
    """Per role and milestone: done by the due date, done late or still open past it, open."""
    counted = sa.and_(PlanGoal.milestone_id == PlanMilestone.id,
                      PlanGoal.status != GoalStatus.RETIRED)
    unfinished = (sa.select(sa.func.count(PlanGoal.id)).where(
        counted, PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES))).scalar_subquery())
    last_done = (sa.select(sa.func.max(sa.func.date(PlanGoal.finished_at)))
                 .where(counted).scalar_subquery())
    state = sa.case(
        (sa.and_(unfinished == 0, sa.or_(last_done.is_(None), last_done <= PlanMilestone.due_date)),
         "on time"),
        (sa.or_(unfinished == 0, PlanMilestone.due_date < today), "late"),
        else_="open")
    role = _role_of_plan().label("role")
    rows = db.session.execute(
        sa.select(role, PlanMilestone.key, state.label("state"), sa.func.count())
        .join(Plan, Plan.id == PlanMilestone.plan_id).where(where)
        .group_by(role, PlanMilestone.key, "state")).all()
    counts: dict[tuple, dict[str, int]] = {}
    for role_name, key, how, n in rows:
        counts.setdefault((role_name, MilestoneKey(key)), {})[how] = n
    order = {key: i for i, key in enumerate(MilestoneKey)}
    table = [(f"{name} · {key.label}", c.get("on time", 0), c.get("late", 0), c.get("open", 0))
             for (name, key), c in sorted(counts.items(), key=lambda i: (i[0][0],
                                                                         order[i[0][1]]))]
    return Table("Milestone completion per role",
                 "Each milestone of each plan: all its goals finished by the due date (on time), "
                 "finished after it or still open past it (late), or still open and not yet due.",
                 ["Role · milestone", "On time", "Late", "Open"], table,
                 series=["on time", "late", "open"])


def checkin_ratings(where) -> Table:
    rows = db.session.execute(
        sa.select(PlanMilestone.key, CheckIn.rating, sa.func.count())
        .join(CheckIn, CheckIn.milestone_id == PlanMilestone.id)
        .join(Plan, Plan.id == PlanMilestone.plan_id)
        .where(where, CheckIn.rating.is_not(None))
        .group_by(PlanMilestone.key, CheckIn.rating)).all()
    counts: dict[MilestoneKey, dict] = {}
    for key, rating, n in rows:
        counts.setdefault(MilestoneKey(key), {})[CheckInRating(rating)] = n
    ratings = list(CheckInRating)
    table = [(key.label, *(counts[key].get(r, 0) for r in ratings))
             for key in MilestoneKey if key in counts]
    names = [r.value.replace("_", " ") for r in ratings]
    return Table("Check-in ratings per milestone",
                 "How managers rated their reports at each milestone's check-in.",
                 ["Milestone", *(n.capitalize() for n in names)], table, series=names)


def pulse_by_week(where) -> Table:
    week = sa.cast(sa.func.floor(_days(PulseCheckIn.due_on, Plan.start_date) / 7.0),
                   sa.Integer).label("week")
    rows = db.session.execute(
        sa.select(week, sa.func.avg(PulseCheckIn.confidence), sa.func.count())
        .join(Plan, Plan.id == PulseCheckIn.plan_id).where(where)
        .group_by(week).order_by(week)).all()
    table = [(f"Week {int(w) + 1}", round(float(avg), 1), n) for w, avg, n in rows]
    return Table("Pulse confidence by week of tenure",
                 "The average answer (1 to 5) to \"how confident are you\", by the week of the "
                 "hire's onboarding the pulse was due in.",
                 ["Week", "Average confidence", "Answers"], table, chart="bar", value_column=1,
                 scale=5.0)


def review_times(where) -> Table:
    reviewer = so.aliased(User)
    hours = _hours(Evidence.reviewed_at, Evidence.created_at)
    rows = db.session.execute(
        sa.select(reviewer.name, sa.func.count(Evidence.id), sa.func.avg(hours),
                  sa.func.max(hours))
        .join(reviewer, reviewer.id == Evidence.reviewer_id)
        .join(PlanGoal, PlanGoal.id == Evidence.goal_id)
        .join(Plan, Plan.id == PlanGoal.plan_id)
        .where(where, Evidence.reviewed_at.is_not(None))
        .group_by(reviewer.name).order_by(sa.func.avg(hours).desc())).all()
    table = [(name, n, round(float(avg), 1), round(float(worst), 1))
             for name, n, avg, worst in rows]
    longest = max((row[2] for row in table), default=0) or 1
    return Table("Time from evidence sent to review",
                 "Hours between a piece of evidence being sent and its review, per reviewer "
                 "(usually the manager).",
                 ["Reviewer", "Reviews", "Average hours", "Longest hours"], table, chart="bar",
                 value_column=2, scale=float(longest))
