"""One message that cannot be built or sent never stops the others going out.

Each broken message here is a real row, as an old row, a hand edit or a person's odd address
would leave it; the dispatcher sends through the real aiosmtpd server in tests/smtp.py. The
broken one comes first in the batch (it is due earliest), so a dispatcher that stops at it
sends nothing else.
"""
from types import SimpleNamespace

import sqlalchemy as sa

from tests.factories import PlanFactory, cast, make_user
from tests.outbox_data import queue
from tests.smtp import SMTPServer
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.dispatch import dispatch
from tracker.models import Notification, Plan
from tracker.models import NotificationStatus as S


def build_world(app):
    with app.app_context():
        people = cast("manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager)
        good = queue(plan, people.hire, 3, due_minutes_ago=5)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, hire=people.hire.id, good=good)


world = cached_world(build_world)


def broken(app, world, *, recipient=None, payload=None) -> int:
    """One more pulse prompt for the plan, due before the others, made broken as asked."""
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        [row_id] = queue(plan, recipient or plan.hire, 1, due_minutes_ago=10, prefix="broken")
        if payload is not None:
            db.session.execute(sa.update(Notification).where(Notification.id == row_id)
                               .values(payload=payload))
        db.session.commit()
        return row_id


def outcome(app) -> dict[int, tuple]:
    with app.app_context():
        return {n.id: (n.status, n.last_error) for n in db.session.scalars(sa.select(Notification))}


def test_a_payload_that_breaks_the_send_time_checks_fails_alone(app, world, smtp_server):
    bad = broken(app, world, payload=["not", "an", "object"])
    with app.app_context():
        report = dispatch()
    assert (report.sent, report.retried, report.stopped) == (3, 1, None)
    stored = outcome(app)
    assert {stored[i][0] for i in world.good} == {S.SENT}
    status, error = stored[bad]
    assert status == S.FAILED and "AttributeError" in error
    assert len(smtp_server.recorder.messages) == 3
    assert any(line.startswith(f"#{bad} ") for line in report.errors)


def test_a_payload_the_email_cannot_be_rendered_from_fails_alone(app, world, smtp_server):
    bad = broken(app, world, payload={"hire_name": "Hana Hire"})  # no pulse date
    with app.app_context():
        report = dispatch()
    assert (report.sent, report.retried, report.stopped) == (3, 1, None)
    status, error = outcome(app)[bad]
    assert status == S.FAILED and "fromisoformat" in error


def test_an_address_the_server_cannot_take_fails_alone_and_the_run_goes_on(app, world):
    """A server that does not offer SMTPUTF8 (many do not) cannot take an address with a
    non-ASCII domain; that is this message's problem, not the server's."""
    with app.app_context():
        zoe = make_user("zoe@exämple.com", name="Zoë Example")
        db.session.commit()
        plan = db.session.get(Plan, world.plan)
        plan.buddy_id = zoe.id
        db.session.commit()
        bad = broken(app, world, recipient=db.session.get(type(zoe), zoe.id))
    with SMTPServer(smtputf8=False) as server:
        app.config.update(server.settings)
        with app.app_context():
            report = dispatch()
    assert report.stopped is None, report.stopped
    assert (report.sent, report.retried) == (3, 1)
    status, error = outcome(app)[bad]
    assert status == S.FAILED and "SMTPUTF8" in error
    assert [m["To"] for m in server.recorder.messages] == ["Hana Hire <hire@example.com>"] * 3


def test_a_message_that_keeps_failing_ends_dead_and_the_rest_still_go(app, world, smtp_server):
    app.config["DISPATCH_MAX_ATTEMPTS"] = 1
    bad = broken(app, world, payload=["not", "an", "object"])
    with app.app_context():
        report = dispatch()
    assert (report.sent, report.dead) == (3, 1)
    assert outcome(app)[bad][0] == S.DEAD
