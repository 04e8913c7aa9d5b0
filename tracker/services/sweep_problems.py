"""The sweep's problems, kept for HR: which plans the last sweeps could not work out, and why.

The sweep job records a plan it had to leave out (``tracker.reminders.problems``) and marks
a plan's problem resolved once a sweep no longer fails on it; the outbox page lists both, so
HR can open the plan and fix what is wrong. One row per plan (see ``SweepProblem``), written
with an upsert, so two schedulers sweeping at once cannot trip over each other. Like every
service, these functions flush at most; the sweep job commits.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import Plan, SweepProblem

RECENTLY_RESOLVED = timedelta(days=7)  # resolved problems stay on the page this long
SHOWN = 20


def record(failed: dict[int, str], at: datetime) -> None:
    """Note each plan left out at ``at``: a new problem, or one more failure of an open one (a
    problem resolved earlier starts again from one)."""
    if not failed:
        return
    table = SweepProblem.__table__
    insert = (postgresql.insert if db.session.get_bind().dialect.name == "postgresql"
              else sqlite.insert)(table)
    still_open = table.c.resolved_at.is_(None)
    statement = insert.on_conflict_do_update(index_elements=[table.c.plan_id], set_={
        "error": insert.excluded.error,
        "last_failed_at": insert.excluded.last_failed_at,
        "failures": sa.case((still_open, table.c.failures + 1), else_=1),
        "first_failed_at": sa.case((still_open, table.c.first_failed_at),
                                   else_=insert.excluded.first_failed_at),
        "resolved_at": None,
    })
    db.session.execute(statement, [
        {"plan_id": plan_id, "error": error, "failures": 1, "first_failed_at": at,
         "last_failed_at": at, "resolved_at": None}
        for plan_id, error in sorted(failed.items())])


def resolve(failed: set[int], at: datetime) -> None:
    """Every open problem whose plan this sweep did not fail on is resolved. A plan the sweep no
    longer looks at (archived, or long finished) cannot hold anyone's reminders up either."""
    db.session.execute(
        sa.update(SweepProblem)
        .where(SweepProblem.resolved_at.is_(None), SweepProblem.plan_id.not_in(sorted(failed)))
        .values(resolved_at=at)
        .execution_options(synchronize_session=False))


def recent(now: datetime, limit: int = SHOWN) -> list[SweepProblem]:
    """Open problems, newest first, then those resolved in the last week: one query, with each
    plan's hire for the page."""
    return list(db.session.scalars(
        sa.select(SweepProblem)
        .where(sa.or_(SweepProblem.resolved_at.is_(None),
                      SweepProblem.resolved_at >= now - RECENTLY_RESOLVED))
        .options(so.joinedload(SweepProblem.plan).joinedload(Plan.hire))
        .order_by(SweepProblem.resolved_at.is_not(None), SweepProblem.last_failed_at.desc(),
                  SweepProblem.plan_id)
        .limit(limit)))
