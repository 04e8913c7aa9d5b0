"""The webhook pages: add an endpoint (its secret shown once), refusals beside their fields,
turn off and on, send a test event, delete, and a delivery log with the receiver's answer."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import make_user
from tests.webhook_receiver import Receiver
from tracker.extensions import db
from tracker.jobs.deliver import deliver
from tracker.models import AuditEvent, WebhookDelivery, WebhookEndpoint


@pytest.fixture
def admin(app, client):
    with app.app_context():
        make_user("admin@example.com", is_admin=True)
        db.session.commit()
    login_as(client, app, "admin@example.com")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def add(client, url: str, events=("hire.created", "goal.approved")):
    return client.post("/admin/webhooks", data={"url": url, "events": list(events)})


def only_endpoint(app) -> WebhookEndpoint:
    with app.app_context():
        return db.session.scalar(sa.select(WebhookEndpoint))


def test_adding_an_endpoint_shows_its_secret_once(app, client, admin):
    form = client.get("/admin/webhooks")
    assert form.status_code == 200
    page = text(form)
    assert 'name="events" type="checkbox" value="plan.at_risk"' in page
    assert "required" not in page[page.index('name="events"') - 30:]  # one is enough
    assert 'maxlength="500"' in page and 'type="url"' in page
    added = add(client, "https://hooks.example.com/onboarding")
    assert added.status_code == 200 and added.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret" type="text" readonly value="(whsec_[0-9a-f]{48})"',
                       added.get_data(as_text=True)).group(1)
    stored = only_endpoint(app)
    assert stored.secret == secret and stored.events == ["goal.approved", "hire.created"]
    assert stored.url == "https://hooks.example.com/onboarding" and stored.active
    assert secret not in client.get("/admin/webhooks").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "webhook.created"))
        assert secret not in str(event.after)


@pytest.mark.parametrize("url,events,message", [
    ("", ["hire.created"], "this is required"),
    ("https://hooks.example.com/x", [], "choose at least one event to send"),
    ("https://hooks.example.com/x", ["no.such.event"], "choose events from the list"),
    ("ftp://hooks.example.com/x", ["hire.created"], "use an address that starts with https://"),
    ("https://hooks.example.com/\x00", ["hire.created"], "remove the NUL character"),
    ("https://hooks.example.com/" + "x" * 500, ["hire.created"], "the limit is 500"),
])
def test_bad_input_is_refused_beside_its_field_and_nothing_is_saved(app, client, admin, url,
                                                                    events, message):
    refused = add(client, url, events)
    assert refused.status_code == 422 and message in text(refused)
    assert only_endpoint(app) is None


def test_a_private_address_is_refused_when_private_addresses_are_off(app, client, admin):
    app.config["WEBHOOK_ALLOW_PRIVATE_ADDRESSES"] = False
    refused = add(client, "http://127.0.0.1:8080/hook")
    assert refused.status_code == 422
    assert "private, loopback or reserved address" in text(refused)
    assert only_endpoint(app) is None


def test_test_event_delivery_log_turn_off_on_and_delete(app, client, admin):
    with Receiver() as receiver:
        receiver.answer = b"thanks <b>from the receiver</b>"
        add(client, receiver.url)
        endpoint_id = only_endpoint(app).id
        queued = client.post(f"/admin/webhooks/{endpoint_id}/test")
        assert queued.status_code == 302
        with app.app_context():
            assert deliver().sent == 1
    assert [r.headers["X-Tracker-Event"] for r in receiver.requests] == ["ping"]
    log = client.get(f"/admin/webhooks/{endpoint_id}")
    page = log.get_data(as_text=True)
    assert log.status_code == 200 and "HTTP 200" in page and "delivered" in page
    assert re.search(r"Last 7 days: delivered 1\s+·", text(client.get("/admin/webhooks")))
    assert "thanks &lt;b&gt;from the receiver&lt;/b&gt;" in page  # shown, never run
    assert client.post(f"/admin/webhooks/{endpoint_id}/off").status_code == 302
    assert not only_endpoint(app).active
    again = client.post(f"/admin/webhooks/{endpoint_id}/test", follow_redirects=True)
    assert "Turn the endpoint on before sending it a test event." in text(again)
    assert client.post(f"/admin/webhooks/{endpoint_id}/on").status_code == 302
    assert only_endpoint(app).active
    assert client.post(f"/admin/webhooks/{endpoint_id}/delete").status_code == 302
    assert only_endpoint(app) is None
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(WebhookDelivery.id))) == 0
    assert client.get(f"/admin/webhooks/{endpoint_id}").status_code == 404


def test_the_log_shows_a_failed_trys_error_and_next_try_until_it_is_delivered(app, client,
                                                                             admin):
    with Receiver() as receiver:
        receiver.status = 500
        add(client, receiver.url)
        endpoint_id = only_endpoint(app).id
        client.post(f"/admin/webhooks/{endpoint_id}/test")
        with app.app_context():
            deliver()
        failed = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
        assert "HTTP 500" in failed and "next try" in failed and 'class="error-text"' in failed
        receiver.status = 200
        with app.app_context():
            delivery = db.session.scalar(sa.select(WebhookDelivery))
            delivery.send_after = delivery.created_at  # the retry is due now
            db.session.commit()
            assert deliver().sent == 1
    sent = client.get(f"/admin/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "delivered" in sent and "next try" not in sent and 'class="error-text"' not in sent


def test_the_outbox_page_links_to_the_webhooks(app, client, admin):
    assert 'href="/admin/webhooks"' in client.get("/admin/outbox").get_data(as_text=True)
