"""Claiming outbox rows so that any number of dispatchers send each message once.

A claim is one UPDATE ... RETURNING that moves due rows to ``sending`` with a lease. On
PostgreSQL the rows are picked with FOR UPDATE SKIP LOCKED, so two dispatchers never wait for or
take each other's rows; SQLite has one writer at a time, which makes the same statement atomic.
A dispatcher that dies mid-batch leaves its rows ``sending``; when their lease runs out, the
next claim takes them again. Each claim counts as an attempt, and a row whose lease has run
out DISPATCH_MAX_ATTEMPTS times is marked dead instead of claimed again, so a message that
kills its sender every time stops being retried.

The same claim serves the webhook deliveries (``model=WebhookDelivery``), whose table has the
same claim columns: one tested piece of concurrency, two outboxes.

Leases always use the real clock, even when a dispatch replays another time with ``--now``:
a replay must not hand out leases that have already expired (or expire next year) for the
dispatchers running beside it. Hosts running dispatchers should keep their clocks in sync (NTP).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Notification, NotificationStatus as S, utcnow

RETRYABLE = (S.PENDING, S.FAILED)


@dataclass(frozen=True)
class Claim:
    ids: list[int]
    lease_until: datetime


def due_clause(now: datetime, *, max_attempts: int | None = None, wall: datetime | None = None,
               model=Notification):
    """Rows a dispatcher may take at ``now``: due ones, and ones whose lease ran out."""
    expired = sa.and_(model.status == S.SENDING, model.lease_until < (wall or now))
    if max_attempts is not None:
        expired = sa.and_(expired, model.attempts < max_attempts)
    return sa.or_(sa.and_(model.status.in_(RETRYABLE), model.send_after <= now),
                  expired)


def claim(now: datetime, *, batch: int, lease_seconds: int, max_attempts: int,
          model=Notification) -> Claim:
    wall = utcnow()
    # A few random microseconds make every claim's lease its own, so marking a row sent can
    # check that the lease is still ours and not a later claimer's.
    lease_until = wall + timedelta(seconds=lease_seconds, microseconds=random.randrange(1, 1000))
    given_up = (sa.update(model)
                .where(model.status == S.SENDING, model.lease_until < wall,
                       model.attempts >= max_attempts)
                .values(status=S.DEAD, lease_until=None,
                        last_error="its dispatcher stopped while sending it, every time it was "
                                   "tried; re-queue it once the cause is found")
                .execution_options(synchronize_session=False))
    pick = (sa.select(model.id)
            .where(due_clause(now, max_attempts=max_attempts, wall=wall, model=model))
            .order_by(model.send_after, model.id).limit(batch))
    if db.engine.dialect.name == "postgresql":
        pick = pick.with_for_update(skip_locked=True)
    statement = (sa.update(model).where(model.id.in_(pick.scalar_subquery()))
                 .values(status=S.SENDING, lease_until=lease_until,
                         attempts=model.attempts + 1)
                 .returning(model.id)
                 .execution_options(synchronize_session=False))
    with db.engine.begin() as connection:
        connection.execute(given_up)
        ids = sorted(connection.execute(statement).scalars())
    return Claim(ids, lease_until)


def finish(notification_id: int, lease_until: datetime, *, model=Notification, **values) -> bool:
    """Record the outcome of one send, only while our lease holds; False if it was lost."""
    statement = (sa.update(model)
                 .where(model.id == notification_id, model.status == S.SENDING,
                        model.lease_until == lease_until)
                 .values(lease_until=None, **values)
                 .execution_options(synchronize_session=False))
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount == 1


def release(ids: list[int], lease_until: datetime, *, send_after: datetime, reason: str,
            model=Notification) -> int:
    """Give back claimed rows that were never tried (the claim's attempt does not count)."""
    statement = (sa.update(model)
                 .where(model.id.in_(ids), model.status == S.SENDING,
                        model.lease_until == lease_until)
                 .values(status=S.FAILED, lease_until=None, send_after=send_after,
                         attempts=model.attempts - 1, last_error=reason)
                 .execution_options(synchronize_session=False))
    with db.engine.begin() as connection:
        return connection.execute(statement).rowcount


def backoff_seconds(attempts: int, base: int, ceiling: int) -> float:
    """Exponential backoff with jitter: about base, 2×base, 4×base..., never over ``ceiling``."""
    delay = min(ceiling, base * 2 ** max(0, attempts - 1))
    return delay * random.uniform(0.5, 1.5)
