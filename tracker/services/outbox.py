"""What operators do with the outbox by hand: look, and send a dead message again."""
from __future__ import annotations

from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import Notification, User, utcnow
from tracker.models import NotificationStatus as S
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.site_policy import REQUEUEABLE, requeue_notification

# How a status reads on the outbox page: its badges, its filter and its table.
STATUS_LABELS = {status: status.value.replace("_", " ") for status in S}


class StatusCount(NamedTuple):
    status: str  # the stored value, for filters and CSS classes
    label: str
    count: int


def requeue(notification: Notification, actor: User) -> None:
    """Back to pending, due now, with a fresh count of tries; the last error stays for reference."""
    requeue_notification(actor, notification).enforce("status")
    before = {"status": notification.status.value, "attempts": notification.attempts}
    # Conditional, so a row a dispatcher claimed a moment ago is left to it, not sent twice.
    changed = db.session.execute(
        sa.update(Notification)
        .where(Notification.id == notification.id, Notification.status.in_(REQUEUEABLE))
        .values(status=S.PENDING, attempts=0, send_after=utcnow(), lease_until=None,
                skip_reason=None)
        .execution_options(synchronize_session=False)).rowcount
    if changed != 1:
        raise InputError("status", "a dispatcher has just picked this message up; reload the page")
    db.session.refresh(notification)
    record("notification.requeued", plan=notification.plan, actor=actor, target=notification,
           before=before, after={"status": "pending", "kind": notification.kind})


def status_counts() -> list[StatusCount]:
    """How many messages are in each status, in the order a message moves through them."""
    counts = {S(status): count for status, count in db.session.execute(
        sa.select(Notification.status, sa.func.count()).group_by(Notification.status))}
    return [StatusCount(status.value, STATUS_LABELS[status], counts[status])
            for status in S if status in counts]


def outbox_filter(status: str, kind: str) -> tuple:
    """The outbox list's filter as SQL, and the choices it kept; unknown values are ignored."""
    clauses, chosen = [], {}
    if status in S._value2member_map_:
        clauses.append(Notification.status == S(status))
        chosen["status"] = status
    if kind:
        clauses.append(Notification.kind == kind)
        chosen["kind"] = kind
    return sa.and_(sa.true(), *clauses), chosen


def outbox_page(where, limit: int, offset: int) -> list[Notification]:
    """One page of messages, newest due first, with their recipients, in one query."""
    return list(db.session.scalars(
        sa.select(Notification).where(where).options(so.joinedload(Notification.recipient))
        .order_by(Notification.send_after.desc(), Notification.id.desc())
        .limit(limit).offset(offset)))


def kinds_in_outbox() -> list[str]:
    return list(db.session.scalars(
        sa.select(Notification.kind).distinct().order_by(Notification.kind)))
