"""Dispatch throughput against a bare smtplib loop sending the same messages, in one run.

Queues N reminders in a throwaway SQLite database (or PostgreSQL with --database-url), starts
a local SMTP server (aiosmtpd, from the test extras), and times:
  1. `dispatch()`: claims with leases, renders each message from its templates, sends over one
     SMTP connection per run, records every outcome in the database;
  2. a bare loop: the same messages, rendered beforehand, sent with smtplib over one connection,
     with no database at all.
The ratio is the cost of doing it safely (once each, retries, a record per message).

    .venv/bin/python bench/dispatch.py [--count 2000] [--database-url postgresql://...]
"""
from __future__ import annotations

import argparse
import smtplib
import sys
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.factories import make_plan, make_user  # noqa: E402
from tests.outbox_data import queue  # noqa: E402
from tests.smtp import SMTPServer  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.jobs.dispatch import dispatch  # noqa: E402
from tracker.mail.message import build  # noqa: E402
from tracker.mail.render import render  # noqa: E402
from tracker.models import Notification, NotificationStatus  # noqa: E402
from tracker.services.role_versions import load_library  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        app = create_app("testing", DATABASE_URL=url)
        with app.app_context(), SMTPServer() as server:
            db.drop_all()
            db.create_all()
            load_library()
            db.session.commit()
            hire = make_user(timezone="Europe/Berlin")
            queue(make_plan(hire, make_user()), hire, args.count)
            db.session.commit()
            app.config.update(server.settings, DISPATCH_BATCH_SIZE=100)

            started = time.perf_counter()
            report = dispatch()
            ours = time.perf_counter() - started
            assert report.sent == args.count, report

            messages = [build(n, n.recipient, render(n, n.recipient, n.plan))
                        for n in db.session.scalars(sa.select(Notification))]
            server.recorder.messages.clear()
            started = time.perf_counter()
            with smtplib.SMTP("127.0.0.1", server.port) as connection:
                for message in messages:
                    connection.send_message(message)
            bare = time.perf_counter() - started
            assert len(server.recorder.messages) == args.count
            sent = db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                                     .where(Notification.status == NotificationStatus.SENT))
            assert sent == args.count
            db.session.remove()  # end the read transaction, or DROP waits for it (PostgreSQL)
            db.drop_all()
    backend = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"{args.count} messages to a local SMTP server, {backend}:")
    print(f"  dispatch(): {ours:6.2f} s  ({args.count / ours:7.0f} messages/s)")
    print(f"  bare smtplib loop, pre-rendered, no database: {bare:6.2f} s  "
          f"({args.count / bare:7.0f} messages/s)")
    print(f"  ratio dispatch / bare: {ours / bare:.2f}")


if __name__ == "__main__":
    main()
