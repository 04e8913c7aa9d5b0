"""Sending what the sweep queued: claim a batch, send each message, record what happened.

Outcomes per message: ``sent``; ``skipped`` with the reason, when what the message was written
for no longer holds (``tracker.reminders.delivery`` decides: archived plan, deactivated person,
someone no longer in the role, their preferences); ``failed`` and tried again later with
exponential backoff and jitter; or ``dead`` after DISPATCH_MAX_ATTEMPTS tries, or at once
when the server refuses that recipient or message for good (a 5xx to RCPT or DATA).
A failure of the mail server itself (cannot connect, login or sender refused) is not the
message's fault: the run stops, and the batch is given back to be tried later, so one bad
password cannot turn the whole outbox dead. Anything else that goes wrong with one message
(a row that breaks the send-time checks, a template or payload that cannot be rendered, an
address that cannot be written or that this server cannot take) is that message's alone: it
is marked ``failed`` with the reason, retried with backoff like any failure (the plan or the
person may be fixed meanwhile), and the run goes on with the next one. Every outcome is
written only while this dispatcher's lease holds, so a dispatcher that stalls past its lease
cannot overwrite what another one did.

Chat rows (``channel`` chat, tracker/reminders/channels.py) are claimed in the same batches and
go through the same send-time checks, then to Slack or the person's chat webhook
(tracker/mail/chat.py) instead of the mail server. Their outcomes are the same (sent, skipped,
retried with backoff, dead after DISPATCH_MAX_ATTEMPTS), except that a 429 waits at least as
long as the receiver asked; one chat receiver being down fails its own rows only, never the run.
"""
from __future__ import annotations

import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.jobs.claim import backoff_seconds, claim, due_clause, finish, release
from tracker.mail import chat
from tracker.mail.backends import UnsendableMessage, get_backend
from tracker.mail.message import build
from tracker.models import Channel, Notification, Plan, utcnow
from tracker.models import NotificationStatus as S
from tracker.reminders.channels import settings_for
from tracker.reminders.delivery import skip_reason

MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, UnsendableMessage)
# What a failing mail server raises; anything else a backend raises is about the message.
SERVER_ERRORS = (OSError, smtplib.SMTPException)


def lease_margin(lease_seconds: int, mail_timeout: float) -> timedelta:
    """Stop starting sends this long before the lease ends: one send can take several SMTP
    round trips of up to MAIL_TIMEOUT each, and must finish while the lease still holds."""
    return timedelta(seconds=min(lease_seconds / 2, 3 * mail_timeout + 5))


@dataclass
class Report:
    sent: int = 0
    retried: int = 0
    dead: int = 0
    skipped: int = 0
    lost: int = 0  # our lease ran out and someone else took the row over
    stopped: str | None = None  # the mail server failed; the rest waits for the next run
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.retried + self.dead


def permanent(error: Exception) -> bool:
    """A 5xx answer about this recipient or message: it will be refused however often we try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPDataError) and error.smtp_code >= 500


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


def _retry_or_bury(notification: Notification, lease_until, text: str, *, dead_now: bool,
                   report: Report, clock, at_least: float | None = None) -> None:
    config = current_app.config
    if dead_now or notification.attempts >= config["DISPATCH_MAX_ATTEMPTS"]:
        report.dead += finish(notification.id, lease_until, status=S.DEAD, last_error=text)
        return
    delay = backoff_seconds(notification.attempts, config["DISPATCH_BACKOFF_SECONDS"],
                            config["DISPATCH_BACKOFF_MAX_SECONDS"])
    delay = max(delay, at_least or 0)
    report.retried += finish(notification.id, lease_until, status=S.FAILED, last_error=text,
                             send_after=clock() + timedelta(seconds=delay))


def _failed(notification: Notification, error: Exception, *, lease_until, report: Report, clock,
            dead_now: bool = False) -> str:
    """This message failed: noted in the report, then retried later or dead."""
    text = describe(error)
    report.errors.append(f"#{notification.id} {notification.kind}: {text}")
    _retry_or_bury(notification, lease_until, text, dead_now=dead_now, report=report,
                   clock=clock)
    return text


def _stop(error: Exception, notification: Notification, pending: list[int], lease_until,
          report: Report, clock) -> None:
    """The mail server failed: this message waits like any failure, the rest go back untried."""
    text = _failed(notification, error, lease_until=lease_until, report=report, clock=clock)
    report.stopped = text
    delay = current_app.config["DISPATCH_BACKOFF_SECONDS"]
    release(pending, lease_until, send_after=clock() + timedelta(seconds=delay),
            reason=f"not tried: the mail server failed ({text})")


def _send_chat(notification: Notification, lease_until, report: Report, clock) -> None:
    """One chat row: the send-time checks, then sent, skipped for good, or retried like any
    failure. Chat has no connection to lose, so nothing here stops the run."""
    try:
        reason = skip_reason(notification)
        result = None if reason else chat.send(
            notification, settings_for(notification.recipient_id), current_app.config)
    except Exception as error:  # noqa: BLE001 - a bad row or payload: this one only
        _failed(notification, error, lease_until=lease_until, report=report, clock=clock)
        return
    if reason or result.skip:
        report.skipped += finish(notification.id, lease_until, status=S.SKIPPED,
                                 skip_reason=(reason or result.skip)[:255])
    elif result.error:
        report.errors.append(f"#{notification.id} {notification.kind} (chat): {result.error}")
        _retry_or_bury(notification, lease_until, result.error, dead_now=False, report=report,
                       clock=clock, at_least=result.retry_after)
    elif finish(notification.id, lease_until, status=S.SENT, sent_at=utcnow(), last_error=None):
        report.sent += 1
    else:
        report.lost += 1


def _send_batch(ids, lease_until, backend, render, report: Report, clock) -> None:
    config = current_app.config
    margin = lease_margin(config["DISPATCH_LEASE_SECONDS"], config["MAIL_TIMEOUT"])
    pending = list(ids)
    for notification in _load(ids):
        if utcnow() > lease_until - margin:
            break  # the rest stay claimed until the lease ends, then go to the next claim
        pending.remove(notification.id)
        failed = partial(_failed, notification, lease_until=lease_until, report=report,
                         clock=clock)
        if notification.channel == Channel.CHAT:
            _send_chat(notification, lease_until, report, clock)
            continue
        try:
            reason = skip_reason(notification)
            message = None if reason else build(
                notification, notification.recipient,
                render(notification, notification.recipient, notification.plan))
        except Exception as error:  # noqa: BLE001 - a bad row, template or address: this one only
            failed(error)
            continue
        if reason:
            report.skipped += finish(notification.id, lease_until, status=S.SKIPPED,
                                     skip_reason=reason)
            continue
        try:
            backend.send(message)
        except MESSAGE_ERRORS as error:
            failed(error, dead_now=permanent(error))
            continue
        except SERVER_ERRORS as error:
            _stop(error, notification, pending, lease_until, report, clock)
            break
        except Exception as error:  # noqa: BLE001 - not the server's: this message cannot go
            failed(error)
            continue
        if finish(notification.id, lease_until, status=S.SENT, sent_at=utcnow(), last_error=None):
            report.sent += 1
        else:
            report.lost += 1
    db.session.rollback()  # drop the loaded rows: the next batch reads fresh ones


def dispatch(now: datetime | None = None, *, render=None, backend=None,
             max_batches: int | None = None) -> Report:
    """Send everything due, batch by batch, until nothing is left (or ``max_batches``).

    ``now`` replays another time for what counts as due and for retry times; leases always
    use the real clock (see tracker.jobs.claim)."""
    if render is None:
        from tracker.mail.render import render
    config = current_app.config
    fixed = now
    clock = (lambda: fixed) if fixed is not None else utcnow
    report, batches = Report(), 0
    with (backend or get_backend()) as sender:
        while max_batches is None or batches < max_batches:
            batch = claim(clock(), batch=config["DISPATCH_BATCH_SIZE"],
                          lease_seconds=config["DISPATCH_LEASE_SECONDS"],
                          max_attempts=config["DISPATCH_MAX_ATTEMPTS"])
            if not batch.ids:
                break
            _send_batch(batch.ids, batch.lease_until, sender, render, report, clock)
            batches += 1
            if report.stopped:
                break
    return report


def due_now(now: datetime) -> dict[str, int]:
    """What a dispatch would send right now, by kind, without claiming anything (--dry-run)."""
    rows = db.session.execute(
        sa.select(Notification.kind, sa.func.count())
        .where(due_clause(now, max_attempts=current_app.config["DISPATCH_MAX_ATTEMPTS"],
                          wall=utcnow()))
        .group_by(Notification.kind)).all()
    return dict(sorted(rows))
