"""The reports and the overview's counts read from the totals: a few rows per role, start
quarter and key, whatever the number of hires. Each returns exactly what the live statement
returns (tests/test_rollup.py), or None when the totals are not ready for that day
(``rollup.ready``), and the caller reads the live statement instead.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import ReportTotal, RoleTemplate
from tracker.models.report_facts import ALL_LAYERS, ANY_ROLE, WIDE
from tracker.services import report_tables as tables
from tracker.services.overview import Overview, quarter_of, quarter_range
from tracker.services.reports import GoalRow, goal_rows
from tracker.services.rollup import ready

T = ReportTotal


def _cells(report: str, role: str = "", layer: str = "", cohort: str = ""):
    """The totals' rows of ``report`` for the report filters (the same choices as
    ``plan_pages.role_layer_cohort``: an unknown role or layer selects nothing, an unknown
    quarter is ignored)."""
    where = [T.report == report]
    if layer:
        where.append(T.layer_id.in_(sa.select(RoleTemplate.id).where(RoleTemplate.slug == layer)))
    else:
        where.append(T.layer_id == ALL_LAYERS)
    if role:
        where.append(T.role_id.in_(sa.select(RoleTemplate.id).where(RoleTemplate.slug == role)))
    quarter = quarter_range(cohort or "")
    if quarter:
        where.append(T.cohort == quarter_of(quarter[0]))
    elif report in WIDE and not role:
        where.append(T.role_id == ANY_ROLE)
    return where


def _summed(report: str, filters: dict, *extra) -> list:
    """(key, *extra, n0, n1, n2, n3, total) summed over the cells the filters pick."""
    return db.session.execute(
        sa.select(T.key, *extra, sa.func.sum(T.n0), sa.func.sum(T.n1), sa.func.sum(T.n2),
                  sa.func.sum(T.n3), sa.func.sum(T.total))
        .where(*_cells(report, **filters)).group_by(T.key, *extra)).all()


def overview_counts(today: date) -> Overview | None:
    if not ready(today):
        return None
    row = db.session.execute(
        sa.select(*(sa.func.coalesce(sa.func.sum(c), 0) for c in (T.n0, T.n2, T.n1, T.n3,
                                                                   T.total)))
        .where(*_cells("overview"))).one()
    return Overview(*(int(n) for n in row))


def late_goals(filters: dict, today: date) -> list[GoalRow] | None:
    if not ready(today):
        return None
    counts = []
    for key, goals, late, waived, sent, _ in _summed("late", filters):
        template_id, _, goal_key = key.partition(":")
        counts.append((int(template_id), goal_key, goals, late, waived, sent))
    return goal_rows(counts)


def report_table(name: str, filters: dict, today: date, where,
                 limit: int | None = None) -> tables.Table | None:
    """One of the other reports by its name in the address; ``where`` is the live filter,
    for the reviews' longest waits (a maximum is read for the rows shown, the first ``limit``
    reviewers)."""
    if not ready(today):
        return None
    if name == "milestones":
        return tables.milestone_table([(role_id, *key.split(":"), n) for key, role_id, n, *_
                                       in _summed("milestones", filters, T.role_id)])
    if name == "check-ins":
        return tables.rating_table([(*key.split(":"), n)
                                    for key, n, *_ in _summed("ratings", filters)])
    if name == "pulses":
        return tables.pulse_table([(int(key), total, n)
                                   for key, n, _, _, _, total in _summed("pulses", filters)])
    return _reviews(filters, where, limit)


def _reviews(filters: dict, where, limit: int | None) -> tables.Table:
    """The reviewers, the longest average wait first: ranked in SQL and only the first
    ``limit`` read, since a company has a reviewer per team."""
    n, seconds = sa.func.sum(T.n0), sa.func.sum(T.total)
    grouped = (sa.select(T.key, n, seconds).where(*_cells("reviews", **filters))
               .group_by(T.key).having(n > 0))
    if limit is None:
        return tables.review_table([(int(k), c, s) for k, c, s in db.session.execute(grouped)],
                                   where)
    first = db.session.execute(grouped.order_by((seconds * 1.0 / n).desc(),
                                                sa.cast(T.key, sa.Integer)).limit(limit)).all()
    everyone = db.session.scalar(sa.select(sa.func.count()).select_from(grouped.subquery()))
    return tables.review_table([(int(k), c, s) for k, c, s in first], where, limit,
                               reviewers=everyone)
