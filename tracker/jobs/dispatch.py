"""Sending what the sweep queued: claim a batch, send each message, record what happened.

Outcomes per message: ``sent``; ``skipped`` with the reason (archived plan, deactivated person,
their preferences); ``failed`` and tried again later with exponential backoff and jitter; or
``dead`` after DISPATCH_MAX_ATTEMPTS tries, or at once when the server refuses for good (5xx).
Every outcome is written only while this dispatcher's lease holds, so a dispatcher that stalls
past its lease cannot overwrite what another one did.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.jobs.claim import backoff_seconds, claim, due_clause, finish
from tracker.mail.backends import get_backend
from tracker.mail.message import build
from tracker.models import Notification, NotificationStatus as S, Plan, PlanStatus, utcnow
from tracker.services import preferences


def lease_margin(lease_seconds: int) -> timedelta:
    """Stop starting new sends this long before the lease ends, so the last one finishes."""
    return timedelta(seconds=min(30, lease_seconds / 4))


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    lost: int = 0  # our lease ran out and someone else took the row over
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.retried + self.dead


def skip_reason(notification: Notification) -> str | None:
    """Why a queued message should not go out after all (things change between sweep and send)."""
    recipient, plan = notification.recipient, notification.plan
    if not recipient.active:
        return "the recipient's account is deactivated"
    if plan is not None and plan.status != PlanStatus.ACTIVE:
        return f"the plan is {plan.status.value}"
    if not preferences.allows(recipient, notification.kind):
        return f"the recipient chose: {preferences.describe(recipient.notification_preference)}"
    return None


def permanent(error: Exception) -> bool:
    """A 5xx answer means the server will refuse this message however often we try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def describe(error: Exception) -> str:
    """The server's own words, in full: an operator needs them to fix the mail setup."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) \
            else str(error.smtp_error)
        return f"SMTP {error.smtp_code}: {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{who}: SMTP {code} {msg.decode(errors='replace')}"
                         for who, (code, msg) in error.recipients.items())
    return f"{type(error).__name__}: {error}"


def _load(ids: list[int]) -> list[Notification]:
    return list(db.session.scalars(
        sa.select(Notification).where(Notification.id.in_(ids)).order_by(Notification.id)
        .options(so.joinedload(Notification.recipient),
                 so.joinedload(Notification.plan).joinedload(Plan.hire))))


def _send_batch(ids, lease_until, backend, render, report: Report, clock) -> None:
    config = current_app.config
    margin = lease_margin(config["DISPATCH_LEASE_SECONDS"])
    for notification in _load(ids):
        if clock() > lease_until - margin:
            break  # the rest stay claimed until the lease ends, then go to the next claim
        reason = skip_reason(notification)
        if reason:
            report.skipped += finish(notification.id, lease_until, status=S.SKIPPED,
                                     skip_reason=reason)
            continue
        try:
            rendered = render(notification, notification.recipient, notification.plan)
            backend.send(build(notification, notification.recipient, rendered))
        except Exception as error:  # noqa: BLE001 - any failure is recorded on the row, never lost
            text = describe(error)
            report.errors.append(f"#{notification.id} {notification.kind}: {text}")
            if permanent(error) or notification.attempts >= config["DISPATCH_MAX_ATTEMPTS"]:
                report.dead += finish(notification.id, lease_until, status=S.DEAD, last_error=text)
            else:
                delay = backoff_seconds(notification.attempts, config["DISPATCH_BACKOFF_SECONDS"],
                                        config["DISPATCH_BACKOFF_MAX_SECONDS"])
                report.retried += finish(notification.id, lease_until, status=S.FAILED,
                                         last_error=text,
                                         send_after=clock() + timedelta(seconds=delay))
            continue
        if finish(notification.id, lease_until, status=S.SENT, sent_at=clock(), last_error=None):
            report.sent += 1
        else:
            report.lost += 1
    db.session.rollback()  # drop the loaded rows: the next batch reads fresh ones


def dispatch(now: datetime | None = None, *, render=None, backend=None,
             max_batches: int | None = None) -> Report:
    """Send everything due, batch by batch, until nothing is left (or ``max_batches``)."""
    if render is None:
        from tracker.mail.render import render
    config = current_app.config
    fixed = now
    clock = (lambda: fixed) if fixed is not None else utcnow
    report, batches = Report(), 0
    with (backend or get_backend()) as sender:
        while max_batches is None or batches < max_batches:
            batch = claim(clock(), batch=config["DISPATCH_BATCH_SIZE"],
                          lease_seconds=config["DISPATCH_LEASE_SECONDS"])
            if not batch.ids:
                break
            _send_batch(batch.ids, batch.lease_until, sender, render, report, clock)
            batches += 1
    return report


def due_now(now: datetime) -> dict[str, int]:
    """What a dispatch would send right now, by kind, without claiming anything (--dry-run)."""
    rows = db.session.execute(sa.select(Notification.kind, sa.func.count())
                              .where(due_clause(now)).group_by(Notification.kind)).all()
    return dict(sorted(rows))
