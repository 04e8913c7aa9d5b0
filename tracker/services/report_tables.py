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
    more: int = 0  # rows left out of the page (the CSV holds every row)


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
    return (sa.select(RoleVersion.template_id)
            .where(RoleVersion.id == Plan.role_version_id).scalar_subquery())


def milestone_counts(where, today: date, by: tuple = ()) -> sa.Select:
    """Per role (template id), milestone key and state, grouped further by ``by``: how many
    milestones are done by the due date (on time), finished after it or still open past it
    (late), or open and not yet due."""
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
        else_="open").label("state")
    role = _role_of_plan().label("role")
    return (sa.select(*by, role, PlanMilestone.key, state, sa.func.count())
            .join(Plan, Plan.id == PlanMilestone.plan_id).where(where)
            .group_by(*by, role, PlanMilestone.key, state))


STATES = ("on time", "late", "open")


def role_names(ids) -> dict[int, str]:
    ids = set(ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(RoleTemplate.id, RoleTemplate.name)
                                   .where(RoleTemplate.id.in_(ids))).all())


def milestone_table(rows) -> Table:
    """``(role id, milestone key, state, count)`` rows as the report."""
    names = role_names(row[0] for row in rows)
    counts: dict[tuple, dict[str, int]] = {}
    for role_id, key, how, n in rows:
        if n:
            cell = counts.setdefault((names[role_id], MilestoneKey(key)), {})
            cell[how] = cell.get(how, 0) + int(n)
    order = {key: i for i, key in enumerate(MilestoneKey)}
    table = [(f"{name} · {key.label}", *(c.get(s, 0) for s in STATES))
             for (name, key), c in sorted(counts.items(), key=lambda i: (i[0][0],
                                                                         order[i[0][1]]))]
    return Table("Milestone completion per role",
                 "Each milestone of each plan: all its goals finished by the due date (on time), "
                 "finished after it or still open past it (late), or still open and not yet due.",
                 ["Role · milestone", "On time", "Late", "Open"], table,
                 series=["on time", "late", "open"])


def milestone_completion(where, today: date) -> Table:
    return milestone_table(db.session.execute(milestone_counts(where, today)).all())


def rating_counts(where, by: tuple = ()) -> sa.Select:
    """Per milestone key and rating, grouped further by ``by``: how many check-ins."""
    return (sa.select(*by, PlanMilestone.key, CheckIn.rating, sa.func.count())
            .join(CheckIn, CheckIn.milestone_id == PlanMilestone.id)
            .join(Plan, Plan.id == PlanMilestone.plan_id)
            .where(where, CheckIn.rating.is_not(None))
            .group_by(*by, PlanMilestone.key, CheckIn.rating))


def rating_table(rows) -> Table:
    counts: dict[MilestoneKey, dict] = {}
    for key, rating, n in rows:
        if n:
            cell = counts.setdefault(MilestoneKey(key), {})
            cell[CheckInRating(rating)] = cell.get(CheckInRating(rating), 0) + int(n)
    ratings = list(CheckInRating)
    table = [(key.label, *(counts[key].get(r, 0) for r in ratings))
             for key in MilestoneKey if key in counts]
    names = [r.value.replace("_", " ") for r in ratings]
    return Table("Check-in ratings per milestone",
                 "How managers rated their reports at each milestone's check-in.",
                 ["Milestone", *(n.capitalize() for n in names)], table, series=names)


def checkin_ratings(where) -> Table:
    return rating_table(db.session.execute(rating_counts(where)).all())


def pulse_counts(where, by: tuple = ()) -> sa.Select:
    """Per week of tenure (0 = the first), grouped further by ``by``: the sum of the answers
    and how many (an average of averages would not be the average)."""
    week = sa.cast(sa.func.floor(_days(PulseCheckIn.due_on, Plan.start_date) / 7.0),
                   sa.Integer).label("week")
    return (sa.select(*by, week, sa.func.sum(PulseCheckIn.confidence), sa.func.count())
            .join(Plan, Plan.id == PulseCheckIn.plan_id).where(where)
            .group_by(*by, week))


def pulse_table(rows) -> Table:
    weeks: dict[int, list[int]] = {}
    for week, total, n in rows:
        if n:
            cell = weeks.setdefault(int(week), [0, 0])
            cell[0] += int(total)
            cell[1] += int(n)
    table = [(f"Week {w + 1}", round(total / n, 1), n)
             for w, (total, n) in sorted(weeks.items())]
    return Table("Pulse confidence by week of tenure",
                 "The average answer (1 to 5) to \"how confident are you\", by the week of the "
                 "hire's onboarding the pulse was due in.",
                 ["Week", "Average confidence", "Answers"], table, chart="bar", value_column=1,
                 scale=5.0)


def pulse_by_week(where) -> Table:
    return pulse_table(db.session.execute(pulse_counts(where)).all())


def _reviewed(where):
    return (sa.select().select_from(Evidence)
            .join(PlanGoal, PlanGoal.id == Evidence.goal_id)
            .join(Plan, Plan.id == PlanGoal.plan_id)
            .where(where, Evidence.reviewed_at.is_not(None)))


def review_counts(where, by: tuple = ()) -> sa.Select:
    """Per reviewer, grouped further by ``by``: how many reviews and their waits summed in whole
    seconds (so sums of parts add up exactly)."""
    seconds = sa.func.round(_hours(Evidence.reviewed_at, Evidence.created_at) * 3600.0)
    return (_reviewed(where)
            .add_columns(*by, Evidence.reviewer_id, sa.func.count(Evidence.id),
                         sa.func.sum(seconds))
            .group_by(*by, Evidence.reviewer_id))


def longest_waits(where, reviewers) -> dict[int, float]:
    """Each of ``reviewers``' longest wait in hours: read for the rows shown, since a maximum
    cannot be taken apart again like a sum."""
    if not reviewers:
        return {}
    hours = _hours(Evidence.reviewed_at, Evidence.created_at)
    return dict(db.session.execute(
        _reviewed(sa.and_(where, Evidence.reviewer_id.in_(sorted(reviewers))))
        .add_columns(Evidence.reviewer_id, sa.func.max(hours))
        .group_by(Evidence.reviewer_id)).all())


def review_table(rows, where, limit: int | None = None, reviewers: int | None = None) -> Table:
    """``(reviewer id, reviews, seconds)`` rows as the report, the longest average first; the
    first ``limit`` of them (a company has a reviewer per team: the page shows the slowest,
    the CSV all), out of ``reviewers`` when the rows are already only the first."""
    per: dict[int, list[int]] = {}
    for reviewer_id, n, seconds in rows:
        if n and reviewer_id is not None:
            cell = per.setdefault(reviewer_id, [0, 0])
            cell[0] += int(n)
            cell[1] += int(seconds or 0)
    ranked = sorted(per.items(), key=lambda i: (-i[1][1] / i[1][0], i[0]))[:limit]
    names = dict(db.session.execute(sa.select(User.id, User.name).where(
        User.id.in_(sorted(rid for rid, _ in ranked)))).all()) if ranked else {}
    longest = longest_waits(where, [rid for rid, _ in ranked])
    table = [(names[rid], n, round(seconds / n / 3600.0, 1), round(float(longest[rid]), 1))
             for rid, (n, seconds) in ranked]
    worst = max((row[2] for row in table), default=0) or 1
    return Table("Time from evidence sent to review",
                 "Hours between a piece of evidence being sent and its review, per reviewer "
                 "(usually the manager).",
                 ["Reviewer", "Reviews", "Average hours", "Longest hours"], table, chart="bar",
                 value_column=2, scale=float(worst),
                 more=(len(per) if reviewers is None else reviewers) - len(table))


def review_times(where, limit: int | None = None) -> Table:
    return review_table(db.session.execute(review_counts(where)).all(), where, limit)
