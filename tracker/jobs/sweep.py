"""The sweep job: insert, once, every row the reminders plan for ``now``.

Correctness lives in the outbox's unique dedupe key, not in the scheduler: each message is an
``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING``, so a second sweep, two schedulers at once,
or a replay with ``--now`` insert nothing twice. After downtime the sweep looks back
``REMINDER_LOOKBACK_DAYS``: what is still fresh is queued, what was missed by more than
``REMINDER_STALE_HOURS`` is recorded as ``skipped_stale`` so the outbox shows it was not sent.

What is due, to whom and when is decided in ``tracker.reminders`` (``plan.planned``); this
module only writes it, so the outbox page can preview a sweep without importing a job.

Only plans with something due are read: each plan keeps the time its next reminder can be due
(``Plan.next_reminder_at``, worked out in ``tracker.reminders.next_due`` by each sweep that
reads it, cleared by any change to its dates or state), so a sweep costs what is due, not the
number of hires. ``read_all`` reads every running plan, as ``tracker sweep --all`` does; plans
are read in batches either way, so that one, and the first sweep after downtime, keep the
memory of one batch (``reminders.plan.batches``).

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

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import exc
from sqlalchemy.dialects import postgresql, sqlite

from tracker.database import savepoint
from tracker.extensions import db
from tracker.models import Notification, NotificationStatus, Plan, SweepSetting, utcnow
from tracker.reminders import data
from tracker.reminders.next_due import NEVER, fingerprint
from tracker.reminders.plan import (
    BATCH,
    STALE,
    UNKNOWN,
    Planned,
    SweepResult,
    count,
    next_time,
    planned,
    preview,
    road_bounds,
)
from tracker.reminders.problems import SAVING, Problems
from tracker.reminders.window import Window
from tracker.services import sweep_problems

__all__ = ["STALE", "SweepResult", "sweep"]

# The database itself is unwell (locked, gone away): no plan's fault, and trying plan by plan
# would only fail again as many times as there are plans.
UNWELL = (exc.OperationalError, exc.InterfaceError, exc.DisconnectionError)


def sweep(now: datetime, *, dry_run: bool = False, read_all: bool = False) -> SweepResult:
    """Queue what is due at ``now`` (aware): rows queued per kind, plus how many were recorded
    as ``skipped_stale``, and the plans left out with the reason. ``dry_run`` counts the same
    and writes nothing."""
    changed = _settings_changed()
    if dry_run:
        return preview(now, read_all=read_all or changed)
    if changed:
        _forget_next_reminders()
    work = planned(now, read_all=read_all, remember=True)
    inserted = _insert_isolated(work.rows, work.problems) if work.rows else []
    failed = work.problems.failed
    _remember_next_reminders(work, set(failed))
    window = Window.at(now)
    data.park_unreachable(**road_bounds(window), today=window.now.date(), never=NEVER)
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


def _settings_changed() -> bool:
    stored = db.session.scalar(sa.select(SweepSetting.fingerprint).where(SweepSetting.id == 1))
    return stored != fingerprint(current_app.config)


def _forget_next_reminders() -> None:
    """The reminder settings changed (after a restart): every plan's time is worked out again
    at this sweep, with the new settings, and the new fingerprint is kept."""
    db.session.execute(sa.update(Plan).values(next_reminder_at=None)
                       .execution_options(synchronize_session=False))
    setting = db.session.get(SweepSetting, 1) or SweepSetting(id=1)
    setting.fingerprint = fingerprint(current_app.config)
    db.session.add(setting)


def _remember_next_reminders(work: Planned, failed: set[int]) -> None:
    """Each plan read (and worked out) gets the time it next needs a sweep, ``BATCH`` plans per
    statement; a plan left out keeps none, so every sweep tries it again, and so does one whose
    dates no rule can work with (it keeps the time it had, which has come)."""
    table = Plan.__table__
    update = sa.update(table).where(table.c.id == sa.bindparam("plan_id")).values(
        next_reminder_at=sa.bindparam("when"))
    rows = []
    for plan_id, micros in zip(work.read, work.next_at):
        if plan_id in failed or micros == UNKNOWN:
            continue
        rows.append({"plan_id": plan_id, "when": next_time(micros)})
        if len(rows) == BATCH:
            db.session.execute(update, rows)
            rows = []
    if rows:
        db.session.execute(update, rows)


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
