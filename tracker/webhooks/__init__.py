"""Outgoing webhooks: events queued in the transaction that makes them, delivered signed.

The services call :func:`emit` where an event happens (a hire created, evidence sent, a goal
reviewed, a check-in signed, a plan completed; the sweep for plans at risk). It adds one
``webhook_deliveries`` row per active endpoint that chose the event, in the caller's own
transaction: if the change rolls back, so does the delivery, and if it commits, the delivery
is owed (the outbox pattern). The delivery job (tracker/jobs/deliver.py) then POSTs it, signed
(tracker/webhooks/signing.py), with the outbox's retries. The README's "Webhooks" section is
the receivers' side of this.
"""
from __future__ import annotations

from typing import Callable

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import NotificationStatus, WebhookDelivery, WebhookEndpoint, utcnow
from tracker.webhooks.events import Event
from tracker.webhooks.payloads import Occurrence

__all__ = ["Event", "emit"]


def listeners(event: Event) -> list[WebhookEndpoint]:
    """The active endpoints that chose ``event``; there are few, so they are filtered here."""
    active = db.session.scalars(sa.select(WebhookEndpoint).where(WebhookEndpoint.active)
                                .order_by(WebhookEndpoint.id))
    return [endpoint for endpoint in active if endpoint.wants(event.value)]


def emit(event: Event, occurrence: Callable[[], Occurrence], *,
         to: list[WebhookEndpoint] | None = None) -> int:
    """Queue ``event`` for every endpoint listening (or for ``to``); how many were queued.

    ``occurrence`` builds (key, data) and runs only when someone listens, after a flush, so
    the rows it names have their ids and a tracker without webhooks pays one small query. The
    dedupe key (event, occurrence, endpoint) is unique: the same occurrence is queued once.
    """
    endpoints = listeners(event) if to is None else to
    if not endpoints:
        return 0
    db.session.flush()
    key, data = occurrence()
    now = utcnow()
    envelope = {"event": event.value, "occurred_at": now.isoformat(), "data": data}
    rows = [{"endpoint_id": endpoint.id, "event": event.value,
             "dedupe_key": f"{event.value}:{key}:{endpoint.id}", "payload": envelope,
             "status": NotificationStatus.PENDING, "created_at": now, "send_after": now,
             "attempts": 0} for endpoint in endpoints]
    table = WebhookDelivery.__table__
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" \
        else sqlite.insert
    statement = (insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
                 .returning(table.c.id))
    return len(db.session.execute(statement, rows).all())
