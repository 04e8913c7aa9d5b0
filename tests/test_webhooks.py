"""Webhook deliveries against a real HTTP receiver on loopback: signed as documented, retried
while the receiver is down or failing, delivered once, and queued by the real service calls."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.factories import PlanFactory, cast, days_ago
from tests.webhook_receiver import Receiver
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.jobs.deliver import deliver
from tracker.models import NotificationStatus as S
from tracker.models import User, WebhookDelivery, WebhookEndpoint, utcnow
from tracker.services import hires, webhooks
from tracker.webhooks.events import SUBSCRIBABLE


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "hire")
        plan = PlanFactory(hire=people.hire, manager=people.manager, start=days_ago(25))
        db.session.commit()
        return SimpleNamespace(plan=plan.id, admin=people.admin.id)


world = cached_world(build_world)


def add_endpoint(url: str, events=None) -> tuple[int, str]:
    admin = db.session.scalar(sa.select(User).where(User.is_admin))
    endpoint, secret = webhooks.create_endpoint(
        url, events or [e.value for e in SUBSCRIBABLE], admin)
    db.session.commit()
    return endpoint.id, secret


def create_a_hire(email="nia@example.com"):
    admin = db.session.scalar(sa.select(User).where(User.is_admin))
    plan, _ = hires.create_hire(name="Nia New", email=email, timezone="UTC",
                                role="data-engineer", start=days_ago(-7),
                                manager_email="manager@example.com", actor=admin)
    db.session.commit()
    return plan.id


def verified(secret: str, received) -> dict:
    """What a receiver does, written from the README and not from the tracker's code."""
    fields = dict(part.split("=", 1) for part in received.headers["X-Tracker-Signature"].split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + received.body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, fields["v1"])
    assert abs(time.time() - int(fields["t"])) < 300
    return json.loads(received.body)


def deliveries(app) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)))


def test_a_delivery_is_signed_as_documented_and_says_what_happened(app, world):
    with Receiver() as receiver, app.app_context():
        _, secret = add_endpoint(receiver.url)
        plan_id = create_a_hire()
        report = deliver()
        assert (report.sent, report.failed) == (1, 0)
        assert deliver().sent == 0  # nothing left
    [received] = receiver.requests
    assert received.path == "/hooks/onboarding"
    assert received.headers["Content-Type"] == "application/json"
    assert received.headers["X-Tracker-Event"] == "hire.created"
    body = verified(secret, received)
    [stored] = deliveries(app)
    assert received.headers["X-Tracker-Delivery"] == str(stored.id) == str(body["id"])
    assert body["event"] == "hire.created" and body["occurred_at"]
    assert body["data"]["plan"]["id"] == plan_id
    assert body["data"]["plan"]["hire"]["email"] == "nia@example.com"
    assert body["data"]["plan"]["url"] == f"http://tracker.test/plans/{plan_id}"
    assert (stored.status, stored.attempts, stored.response_status) == (S.SENT, 1, 200)
    assert stored.response_body == '{"ok": true}' and stored.sent_at is not None


def test_a_signature_made_with_another_secret_or_body_does_not_verify(app, world):
    from tracker.webhooks import signing

    body, now = b'{"id":1}', int(time.time())
    value = signing.header("whsec_right", now, body)
    assert signing.verify("whsec_right", value, body)
    assert not signing.verify("whsec_wrong", value, body)
    assert not signing.verify("whsec_right", value, body + b" ")
    assert not signing.verify("whsec_right", value, body, now=now + 301)  # a replay, too late


def test_a_receiver_that_is_down_is_retried_then_gets_the_event_once(app, world):
    down = Receiver()
    app.config.update(DISPATCH_BACKOFF_SECONDS=60)
    with app.app_context():
        _, secret = add_endpoint(down.url)
        create_a_hire()
        first = deliver()
    assert (first.sent, first.retried) == (0, 1)
    [waiting] = deliveries(app)
    assert waiting.status == S.FAILED and waiting.attempts == 1
    assert waiting.response_status is None and "no answer" in waiting.last_error
    assert waiting.send_after > utcnow() + timedelta(seconds=20)  # backoff, with jitter
    with Receiver(down.port) as receiver, app.app_context():
        assert deliver().sent == 0  # not due yet: the backoff holds
        later = utcnow() + timedelta(hours=1)
        assert deliver(later).sent == 1
        assert deliver(later + timedelta(hours=6)).sent == 0
    [received] = receiver.requests  # once, not once per try
    assert verified(secret, received)["id"] == waiting.id
    [done] = deliveries(app)
    assert (done.status, done.attempts, done.response_status) == (S.SENT, 2, 200)


def test_a_failing_receiver_is_retried_with_its_answer_logged_then_given_up(app, world):
    app.config.update(DISPATCH_MAX_ATTEMPTS=2)
    with Receiver() as receiver, app.app_context():
        receiver.status, receiver.answer = 500, b"database is down\x00 for maintenance"
        add_endpoint(receiver.url)
        create_a_hire()
        assert deliver().retried == 1
        [failed] = deliveries(app)
        assert (failed.status, failed.response_status) == (S.FAILED, 500)
        assert failed.response_body == "database is down for maintenance"
        assert failed.last_error == "the receiver answered HTTP 500, an error"
        assert deliver(utcnow() + timedelta(days=1)).dead == 1
    first, second = receiver.requests
    assert first.body == second.body  # the same delivery, signed afresh each time
    assert first.headers["X-Tracker-Delivery"] == second.headers["X-Tracker-Delivery"]
    assert deliveries(app)[0].status == S.DEAD


def test_a_redirect_is_not_followed(app, world):
    with Receiver() as target, Receiver() as receiver, app.app_context():
        receiver.status, receiver.location = 307, target.url
        add_endpoint(receiver.url)
        create_a_hire()
        assert deliver().retried == 1
    assert len(receiver.requests) == 1 and target.requests == []
    assert "redirect" in deliveries(app)[0].last_error


def test_a_turned_off_endpoint_gets_nothing_more(app, world):
    with Receiver() as receiver, app.app_context():
        endpoint_id, _ = add_endpoint(receiver.url)
        create_a_hire()
        admin = db.session.scalar(sa.select(User).where(User.is_admin))
        webhooks.set_active(db.session.get(WebhookEndpoint, endpoint_id), False, admin)
        db.session.commit()
        create_a_hire("ola@example.com")  # queued for nobody: the endpoint is off
        assert deliver().skipped == 1
    assert receiver.requests == []
    [skipped] = deliveries(app)
    assert skipped.status == S.SKIPPED and skipped.skip_reason == "the endpoint was turned off"


def test_a_loopback_address_is_refused_at_send_time_when_private_addresses_are_off(app, world):
    with Receiver() as receiver, app.app_context():
        add_endpoint(receiver.url)  # allowed when it was saved
        create_a_hire()
        app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
        assert deliver().retried == 1
    assert receiver.requests == []
    assert "private, loopback or reserved" in deliveries(app)[0].last_error


@pytest.mark.parametrize("url,message", [
    ("http://127.0.0.1:8080/hook", "private, loopback or reserved"),
    ("http://localhost/hook", "private, loopback or reserved"),
    ("https://10.1.2.3/hook", "private, loopback or reserved"),
    ("http://169.254.169.254/latest/meta-data", "private, loopback or reserved"),
    ("http://[::1]/hook", "private, loopback or reserved"),
    ("http://[::ffff:127.0.0.1]/hook", "private, loopback or reserved"),
    ("http://0.0.0.0/hook", "private, loopback or reserved"),
    ("ftp://example.com/hook", "starts with https://"),
    ("javascript:alert(1)", "starts with https://"),
    ("https:///hook", "has no host name"),
    ("http://[", "is not a web address"),
    ("https://user:pass@example.com/hook", "leave the user name and password out"),
    ("https://example.com/a\nb", "remove the line break"),
])
def test_addresses_that_are_not_public_http_are_refused(app, url, message):
    from tracker.services.errors import InputError
    from tracker.webhooks.addresses import check_url

    with pytest.raises(InputError) as refused:
        check_url(url, allow_private=False)
    assert message in refused.value.message and refused.value.field == "url"


def test_a_public_address_is_accepted(app):
    from tracker.webhooks.addresses import check_url

    assert check_url(" https://93.184.215.14/hook ", allow_private=False) == \
        "https://93.184.215.14/hook"
    assert check_url("http://127.0.0.1:9/x", allow_private=True) == "http://127.0.0.1:9/x"


def test_the_readme_verification_snippet_accepts_a_real_delivery(app, world):
    """The snippet receivers copy, run as written against what the receiver got."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    section = readme[readme.index("## Webhooks"):]
    snippet = section[section.index("```python") + 9:section.index("```", section.index(
        "```python") + 9)]
    namespace: dict = {}
    exec(snippet, namespace)  # noqa: S102 - our own README
    with Receiver() as receiver, app.app_context():
        _, secret = add_endpoint(receiver.url)
        create_a_hire()
        deliver()
    [received] = receiver.requests
    header = received.headers["X-Tracker-Signature"]
    assert namespace["verify"](secret, header, received.body)
    assert not namespace["verify"](secret, header, received.body.replace(b"Nia", b"Eve"))
    assert not namespace["verify"]("whsec_" + "0" * 48, header, received.body)


def test_two_deliverers_at_once_send_each_delivery_once(app, world):
    """Two schedulers' delivery jobs at the same moment: the shared claim splits the rows."""
    app.config.update(DISPATCH_BATCH_SIZE=3)
    with Receiver() as receiver:
        with app.app_context():
            add_endpoint(receiver.url, ["hire.created"])
            for n in range(12):
                create_a_hire(f"hire{n}@example.com")
        reports = []

        def run():
            with app.app_context():
                reports.append(deliver())

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    ids = [r.headers["X-Tracker-Delivery"] for r in receiver.requests]
    assert len(ids) == 12 and len(set(ids)) == 12
    assert sum(report.sent for report in reports) == 12
    assert {d.status for d in deliveries(app)} == {S.SENT}
