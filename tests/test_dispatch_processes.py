"""Real dispatcher processes racing for one database and one SMTP server.

Each test starts `flask --app wsgi tracker dispatch --once` (or the naive dispatcher) as
separate OS processes against the test's own database (SQLite in WAL mode, and PostgreSQL),
and counts what the loopback SMTP server received.
"""
import collections
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.factories import make_plan, make_user
from tests.outbox_data import queue
from tests.smtp import SMTPServer
from tracker.extensions import db
from tracker.models import Notification, NotificationStatus as S

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def outbox(app, library):
    def fill(count: int) -> SimpleNamespace:
        with app.app_context():
            hire = make_user(timezone="America/New_York")
            plan = make_plan(hire, make_user())
            queue(plan, hire, count)
            db.session.commit()
        return SimpleNamespace(count=count)

    return fill


def start(app, server: SMTPServer, *command: str, **settings) -> subprocess.Popen:
    env = os.environ | {"TRACKER_CONFIG": "testing", "DATABASE_URL": app.config["DATABASE_URL"],
                        **{k: str(v) for k, v in server.settings.items()},
                        **{k: str(v) for k, v in settings.items()}}
    return subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def dispatcher(app, server, **settings):
    return start(app, server, "-m", "flask", "--app", "wsgi", "tracker", "dispatch", "--once",
                 **settings)


def finish(processes, timeout=180) -> list[str]:
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=timeout)
        assert process.returncode == 0, err
        assert "database is locked" not in err
        outputs.append(out + err)
    return outputs


def statuses(app) -> collections.Counter:
    with app.app_context():
        return collections.Counter(db.session.scalars(sa.select(Notification.status)))


def test_two_dispatchers_send_2000_reminders_exactly_once(app, outbox):
    outbox(2000)
    with SMTPServer() as server:
        outputs = finish([dispatcher(app, server), dispatcher(app, server)])
        keys = [m["X-Tracker-Notification"] for m in server.recorder.messages]
    assert len(keys) == 2000 and len(set(keys)) == 2000, outputs
    assert statuses(app) == {S.SENT: 2000}
    sent_each = [int(out.split("sent ")[1].split(",")[0]) for out in outputs]
    assert sum(sent_each) == 2000 and all(sent_each), sent_each  # both took a share


def test_the_naive_dispatcher_does_send_duplicates(app, outbox):
    """The control: without claims, two dispatchers at once send some messages twice."""
    outbox(300)
    with SMTPServer() as server:
        begin = time.time() + 4  # both processes wait for this instant, then select at once
        finish([start(app, server, "-m", "tests.naive_dispatcher", NAIVE_START_AT=begin)
                for _ in range(2)])
        keys = [m["X-Tracker-Notification"] for m in server.recorder.messages]
    assert len(set(keys)) == 300
    assert len(keys) > 300, "the naive dispatcher sent no duplicates: the race was not exercised"


def test_a_dispatcher_killed_mid_batch_loses_nothing_and_repeats_at_most_its_batch(app, outbox):
    outbox(200)
    settings = {"DISPATCH_BATCH_SIZE": 20, "DISPATCH_LEASE_SECONDS": 4}
    with SMTPServer() as server:
        server.recorder.delay = 0.02
        victim = dispatcher(app, server, **settings)
        deadline = time.time() + 60
        while len(server.recorder.messages) < 50 and time.time() < deadline:
            time.sleep(0.01)
        victim.send_signal(signal.SIGKILL)
        victim.communicate()  # waits for it and closes its pipes
        at_kill = statuses(app)
        assert at_kill[S.SENDING] > 0, at_kill  # killed with a batch in flight
        time.sleep(4.5)  # let the dead dispatcher's lease run out
        finish([dispatcher(app, server, **settings)])
        keys = [m["X-Tracker-Notification"] for m in server.recorder.messages]
    assert len(set(keys)) == 200 and statuses(app) == {S.SENT: 200}
    assert len(keys) - 200 <= settings["DISPATCH_BATCH_SIZE"]
