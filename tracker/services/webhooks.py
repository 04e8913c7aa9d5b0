"""What admins do with webhook endpoints: add one, turn it off or on, delete it, send a test
event, and read its delivery log.

Every change asks the policy (``site_policy.manage_webhooks``) and is audited without the
secret. The secret is made here and returned once, for the page that shows it; it is needed
in clear to sign, so it is stored as given, and only the page that made it ever shows it.
"""
from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import NotificationStatus as S
from tracker.models import User, WebhookDelivery, WebhookEndpoint, utcnow
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.site_policy import manage_webhooks
from tracker.webhooks import Event, emit
from tracker.webhooks.addresses import check_url
from tracker.webhooks.events import SUBSCRIBABLE

# How a delivery's status reads in the log: "sent" is what the receiver accepted.
STATUS_LABELS = {S.PENDING: "waiting", S.SENDING: "sending", S.SENT: "delivered",
                 S.FAILED: "failed, will retry", S.DEAD: "gave up", S.SKIPPED: "not sent",
                 S.SKIPPED_STALE: "not sent"}


class EndpointRow(NamedTuple):
    endpoint: WebhookEndpoint
    counts: dict[str, int]  # how a status reads (STATUS_LABELS) -> how many


def check_events(chosen: list[str] | None) -> list[str]:
    known = {event.value for event in SUBSCRIBABLE}
    chosen = sorted(set(chosen or []))
    if not chosen:
        raise InputError("events", "choose at least one event to send")
    if not set(chosen) <= known:
        raise InputError("events", "choose events from the list")
    return chosen


def create_endpoint(url: str, events: list[str], actor: User) -> tuple[WebhookEndpoint, str]:
    """The new endpoint, and its secret: the only time anyone sees it."""
    manage_webhooks(actor).enforce("url")
    url = check_url(url, allow_private=current_app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
    secret = "whsec_" + secrets.token_hex(24)
    endpoint = WebhookEndpoint(url=url, events=check_events(events), secret=secret,
                               active=True, created_by=actor)
    db.session.add(endpoint)
    db.session.flush()
    record("webhook.created", actor=actor, target=endpoint,
           after={"url": url, "events": endpoint.events})
    return endpoint, secret


def set_active(endpoint: WebhookEndpoint, active: bool, actor: User) -> None:
    """Off: nothing new is queued for it, and what waits is recorded as not sent."""
    manage_webhooks(actor).enforce("endpoint")
    if endpoint.active == active:
        raise InputError("endpoint", f"the endpoint is already {'on' if active else 'off'}")
    endpoint.active = active
    record("webhook.turned_on" if active else "webhook.turned_off", actor=actor,
           target=endpoint, after={"url": endpoint.url})


def delete_endpoint(endpoint: WebhookEndpoint, actor: User) -> None:
    """Gone with its delivery log; a delivery being sent right now still finishes."""
    manage_webhooks(actor).enforce("endpoint")
    record("webhook.deleted", actor=actor, target=endpoint,
           before={"url": endpoint.url, "events": endpoint.events})
    db.session.delete(endpoint)


def send_test(endpoint: WebhookEndpoint, actor: User) -> None:
    """A ``ping`` for this endpoint alone, queued like any event and signed the same way."""
    manage_webhooks(actor).enforce("endpoint")
    if not endpoint.active:
        raise InputError("endpoint", "turn the endpoint on before sending it a test event")
    emit(Event.PING, lambda: (f"test:{uuid.uuid4().hex}", {
        "message": "A test event from the onboarding tracker.", "endpoint": endpoint.id,
        "sent_by": {"id": actor.id, "name": actor.name}, "at": utcnow().isoformat()}),
        to=[endpoint])


RECENT = timedelta(days=7)  # the list counts this much of each log; the log has it all


def endpoints() -> list[EndpointRow]:
    """Every endpoint, newest first, with its recent deliveries counted by status, in two
    queries; recent only, so the list costs the same however long the logs grow."""
    found = list(db.session.scalars(
        sa.select(WebhookEndpoint).options(so.joinedload(WebhookEndpoint.created_by))
        .order_by(WebhookEndpoint.id.desc())))
    counts: dict[int, dict[str, int]] = {endpoint.id: {} for endpoint in found}
    for endpoint_id, status, count in db.session.execute(
            sa.select(WebhookDelivery.endpoint_id, WebhookDelivery.status, sa.func.count())
            .where(WebhookDelivery.created_at >= utcnow() - RECENT)
            .group_by(WebhookDelivery.endpoint_id, WebhookDelivery.status)):
        label = STATUS_LABELS[S(status)]
        mine = counts.setdefault(endpoint_id, {})  # one added since the first query
        mine[label] = mine.get(label, 0) + count
    return [EndpointRow(endpoint, counts[endpoint.id]) for endpoint in found]


def delivery_count(endpoint: WebhookEndpoint) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(WebhookDelivery)
                             .where(WebhookDelivery.endpoint_id == endpoint.id))


def deliveries(endpoint: WebhookEndpoint, limit: int, offset: int) -> list[WebhookDelivery]:
    """One page of the endpoint's delivery log, newest first."""
    return list(db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit).offset(offset)))
