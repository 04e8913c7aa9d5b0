"""Delivering webhooks: claim due deliveries, POST each one signed, record what the receiver said.

The mail dispatcher's machinery, on the ``webhook_deliveries`` table: the same leased claim
(tracker/jobs/claim.py, FOR UPDATE SKIP LOCKED on PostgreSQL, so any number of schedulers
deliver each row once), the same DISPATCH_* retries and backoff with jitter, and ``dead`` after
DISPATCH_MAX_ATTEMPTS tries. A 2xx answer is a delivery; any other status, a timeout or a
refused connection is retried. One receiver being down is its deliveries' problem only: every
other endpoint's rows go on being sent in the same run.

A delivery for an endpoint that was turned off after it was queued is ``skipped``; one whose
host has since come to resolve to a private address fails like any other refusal. Outcomes are
written only while this run's lease holds (``finish``), as the dispatcher does.
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.jobs.claim import backoff_seconds, claim, finish
from tracker.jobs.dispatch import Report, lease_margin
from tracker.models import NotificationStatus as S
from tracker.models import WebhookDelivery, utcnow
from tracker.webhooks import signing
from tracker.webhooks.addresses import private_address
from tracker.webhooks.http import Answer, post


def body_of(delivery: WebhookDelivery) -> bytes:
    """The exact bytes sent, and signed: the same on every try of one delivery."""
    document = {"id": delivery.id, **delivery.payload}
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


def send(delivery: WebhookDelivery, *, timeout: float, allow_private: bool) -> Answer:
    endpoint = delivery.endpoint
    if not allow_private:
        parts = urlsplit(endpoint.url)
        refusal = private_address(parts.hostname or "",
                                  parts.port or (443 if parts.scheme == "https" else 80))
        if refusal:
            return Answer(None, None, f"not sent: {refusal}")
    body = body_of(delivery)
    return post(endpoint.url, body, {
        "X-Tracker-Event": delivery.event, "X-Tracker-Delivery": str(delivery.id),
        signing.HEADER: signing.header(endpoint.secret, int(time.time()), body)}, timeout)


def _outcome(delivery: WebhookDelivery, answer: Answer, lease_until, report: Report,
             clock) -> None:
    config = current_app.config
    said = {"model": WebhookDelivery, "response_status": answer.status,
            "response_body": answer.body}
    if answer.delivered:
        if finish(delivery.id, lease_until, status=S.SENT, sent_at=utcnow(), last_error=None,
                  **said):
            report.sent += 1
        else:
            report.lost += 1
        return
    report.errors.append(f"webhook #{delivery.id} {delivery.event}: {answer.error}")
    if delivery.attempts >= config["DISPATCH_MAX_ATTEMPTS"]:
        report.dead += finish(delivery.id, lease_until, status=S.DEAD, last_error=answer.error,
                              **said)
        return
    delay = backoff_seconds(delivery.attempts, config["DISPATCH_BACKOFF_SECONDS"],
                            config["DISPATCH_BACKOFF_MAX_SECONDS"])
    report.retried += finish(delivery.id, lease_until, status=S.FAILED, last_error=answer.error,
                             send_after=clock() + timedelta(seconds=delay), **said)


def _send_batch(ids: list[int], lease_until, report: Report, clock) -> None:
    config = current_app.config
    margin = lease_margin(config["DISPATCH_LEASE_SECONDS"], config["WEBHOOK_TIMEOUT"])
    deliveries = db.session.scalars(
        sa.select(WebhookDelivery).where(WebhookDelivery.id.in_(ids))
        .options(so.joinedload(WebhookDelivery.endpoint)).order_by(WebhookDelivery.id))
    for delivery in deliveries:
        if utcnow() > lease_until - margin:
            break  # the rest stay claimed until the lease ends, then go to the next claim
        if not delivery.endpoint.active:
            report.skipped += finish(delivery.id, lease_until, model=WebhookDelivery,
                                     status=S.SKIPPED, skip_reason="the endpoint was turned off")
            continue
        answer = send(delivery, timeout=config["WEBHOOK_TIMEOUT"],
                      allow_private=config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"])
        _outcome(delivery, answer, lease_until, report, clock)
    db.session.rollback()  # drop the loaded rows: the next batch reads fresh ones


def deliver(now: datetime | None = None, *, max_batches: int | None = None) -> Report:
    """Send every due delivery, batch by batch, until none is left (or ``max_batches``).

    ``now`` replays another time for what counts as due and for retry times; leases use the
    real clock, as in the mail dispatcher."""
    config = current_app.config
    clock = (lambda: now) if now is not None else utcnow
    report, batches = Report(), 0
    while max_batches is None or batches < max_batches:
        batch = claim(clock(), batch=config["DISPATCH_BATCH_SIZE"],
                      lease_seconds=config["DISPATCH_LEASE_SECONDS"],
                      max_attempts=config["DISPATCH_MAX_ATTEMPTS"], model=WebhookDelivery)
        if not batch.ids:
            break
        _send_batch(batch.ids, batch.lease_until, report, clock)
        batches += 1
    return report
