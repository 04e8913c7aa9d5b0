"""What operators do with the outbox by hand: look, and send a dead message again."""
from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Notification, NotificationStatus as S, User, utcnow
from tracker.services.audit import record
from tracker.services.errors import InputError

REQUEUEABLE = {S.DEAD, S.FAILED, S.SKIPPED, S.SKIPPED_STALE}


def requeue(notification: Notification, actor: User) -> None:
    """Back to pending, due now, with a fresh count of tries; the last error stays for reference."""
    if notification.status not in REQUEUEABLE:
        raise InputError("status", f"a {notification.status.value} message cannot be queued again")
    before = {"status": notification.status.value, "attempts": notification.attempts}
    notification.status, notification.attempts = S.PENDING, 0
    notification.send_after, notification.lease_until = utcnow(), None
    notification.skip_reason = None
    record("notification.requeued", plan=notification.plan, actor=actor, target=notification,
           before=before, after={"status": "pending", "kind": notification.kind})


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(sa.select(Notification.status, sa.func.count())
                                   .group_by(Notification.status)).all())
