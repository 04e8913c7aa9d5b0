"""The sweep job: insert, once, every row the reminders plan for ``now``.

Correctness lives in the outbox's unique dedupe key, not in the scheduler: each message is an
``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING``, so a second sweep, two schedulers at once,
or a replay with ``--now`` insert nothing twice. After downtime the sweep looks back
``REMINDER_LOOKBACK_DAYS``: what is still fresh is queued, what was missed by more than
``REMINDER_STALE_HOURS`` is recorded as ``skipped_stale`` so the outbox shows it was not sent.

What is due, to whom and when is decided in ``tracker.reminders`` (``plan.planned_rows``); this
module only writes it, so the outbox page can preview a sweep without importing a job.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import Notification, NotificationStatus
from tracker.reminders.plan import STALE, count, planned_rows, preview

__all__ = ["STALE", "sweep"]


def sweep(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Queue what is due at ``now`` (aware); returns rows queued per kind, plus how many were
    recorded as ``skipped_stale``. ``dry_run`` counts the same and writes nothing."""
    if dry_run:
        return preview(now)
    rows = planned_rows(now)
    counts = count(_insert(rows)) if rows else {}
    db.session.commit()
    return counts


def _insert(rows: list[dict]) -> list[tuple[str, NotificationStatus]]:
    """Insert, skipping keys someone else inserted first; returns what was really inserted."""
    table = Notification.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
                 .returning(table.c.kind, table.c.status))
    return [tuple(row) for row in db.session.execute(statement, rows)]
