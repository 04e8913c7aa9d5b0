"""A deliberately naive dispatcher, to prove the concurrency tests can fail.

It does what a first attempt usually does: select the due rows, send each, then mark it sent,
with no claim, lease or lock. Two of these running together send the same message twice, and
tests/test_dispatch_processes.py checks that they do. Run as a script: ``python -m
tests.naive_dispatcher``; ``NAIVE_START_AT`` (a Unix time) lines several copies up.
"""
import os
import time

import sqlalchemy as sa

from tracker import create_app
from tracker.extensions import db
from tracker.mail.backends import get_backend
from tracker.mail.message import build
from tracker.mail.render import render
from tracker.models import Notification, NotificationStatus, utcnow


def main() -> None:
    app = create_app()
    with app.app_context():
        start_at = float(os.environ.get("NAIVE_START_AT", "0"))
        time.sleep(max(0.0, start_at - time.time()))
        due = db.session.scalars(sa.select(Notification).where(
            Notification.status == NotificationStatus.PENDING)).all()
        with get_backend() as backend:
            for notification in due:
                rendered = render(notification, notification.recipient, notification.plan)
                backend.send(build(notification, notification.recipient, rendered))
                notification.status, notification.sent_at = NotificationStatus.SENT, utcnow()
                db.session.commit()


if __name__ == "__main__":
    main()
