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


def status_counts() -> dict[str, int]:
    return dict(db.session.execute(sa.select(Notification.status, sa.func.count())
                                   .group_by(Notification.status)).all())
