"""The sweep job: insert, once, every row the reminders plan for ``now``.

Correctness lives in the outbox's unique dedupe key, not in the scheduler: each message is an
``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING``, so a second sweep, two schedulers at once,
or a replay with ``--now`` insert nothing twice. After downtime the sweep looks back
``REMINDER_LOOKBACK_DAYS``: what is still fresh is queued, what was missed by more than
``REMINDER_STALE_HOURS`` is recorded as ``skipped_stale`` so the outbox shows it was not sent.

What is due, to whom and when is decided in ``tracker.reminders`` (``plan.planned``); this
module only writes it, so the outbox page can preview a sweep without importing a job.

One plan never stops the others. The rules already leave out a plan they cannot work out
(``tracker.reminders.problems``). The rows are then written in one statement inside a
SAVEPOINT; should the database refuse it, the savepoint is rolled back and the rows are
written again plan by plan, each plan in a savepoint of its own, so the plan whose rows are
refused keeps none of them and every other plan keeps all of its own. Plans left out are
recorded for the outbox page (``tracker.services.sweep_problems``) in the same transaction.
"""
from __future__ import annotations

from datetime import datetime
from itertools import groupby

from flask import current_app
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite

from tracker.database import savepoint
from tracker.extensions import db
from tracker.models import Notification, NotificationStatus, utcnow
from tracker.reminders.plan import STALE, SweepResult, count, planned, preview
from tracker.reminders.problems import SAVING, Problems
from tracker.services import sweep_problems

__all__ = ["STALE", "SweepResult", "sweep"]

# The database itself is unwell (locked, gone away): no plan's fault, and trying plan by plan
# would only fail again as many times as there are plans.
UNWELL = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError)


def sweep(now: datetime, *, dry_run: bool = False) -> SweepResult:
    """Queue what is due at ``now`` (aware): rows queued per kind, plus how many were recorded
    as ``skipped_stale``, and the plans left out with the reason. ``dry_run`` counts the same
    and writes nothing."""
    if dry_run:
        return preview(now)
    work = planned(now)
    inserted = _insert_isolated(work.rows, work.problems) if work.rows else []
    failed = work.problems.failed
    when = utcnow()  # when it happened, even when --now replays another time
    sweep_problems.record(failed, when)
    sweep_problems.resolve(set(failed), when)
    db.session.commit()
    return SweepResult(count(inserted), dict(failed))


def _insert_isolated(rows: list[dict], problems: Problems) -> list[tuple]:
    """All rows in one statement; if the database refuses it, plan by plan."""
    try:
        with savepoint(db.session):
            return _insert(rows)
    except UNWELL:
        raise
    except Exception:  # noqa: BLE001 - some plan's rows were refused: find which, below
        pass
    inserted: list[tuple] = []
    for plan_id, group in groupby(sorted(rows, key=_plan_of), key=_plan_of):
        try:
            with savepoint(db.session):
                inserted += _insert(list(group))
        except UNWELL:
            raise
        except Exception as error:  # noqa: BLE001 - this plan's rows alone are rolled back
            if plan_id > 0:
                problems.record(plan_id, SAVING, error)
            else:  # the managers' messages (digests, review lists) belong to no plan
                current_app.logger.exception("sweep: the managers' messages could not be "
                                             "saved; the plans' reminders were")
    return inserted


def _plan_of(row: dict) -> int:
    return row["plan_id"] or 0


def _insert(rows: list[dict]) -> list[tuple[str, NotificationStatus]]:
    """Insert, skipping keys someone else inserted first; returns what was really inserted."""
    table = Notification.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
                 .returning(table.c.kind, table.c.status))
    return [tuple(row) for row in db.session.execute(statement, rows)]
