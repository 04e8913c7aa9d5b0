"""Webhooks end to end in Chromium, on a phone, by keyboard: HR adds an endpoint (the events
ticked with Space), copies the secret shown once, sends a test event, and reads in the delivery
log what the real receiver answered; the receiver checks the signature with that secret."""
from __future__ import annotations

import pytest

from tests.browser_support import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    demo_app,
    serving,
    sign_in_with_keyboard,
)
from tests.webhook_receiver import Receiver
from tracker.jobs.deliver import deliver
from tracker.services.demo import DEMO_DOMAIN
from tracker.webhooks import signing

pytestmark = pytest.mark.browser


def test_hr_adds_an_endpoint_on_a_phone_and_reads_the_receivers_answer(browser, tmp_path):  # noqa: F811
    app = demo_app(tmp_path / "webhooks.sqlite3")
    with serving(app) as base, Receiver() as receiver:
        receiver.answer = b"got it, thanks"
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sign_in_with_keyboard(page, base, f"hr.admin@{DEMO_DOMAIN}")
        page.goto(base + "/admin/webhooks")
        page.get_by_label("Receiver's address").focus()
        page.keyboard.type(receiver.url)
        page.keyboard.press("Tab")  # the first event's checkbox: a hire created
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")  # a goal approved
        page.keyboard.press("Space")
        page.get_by_role("button", name="Add endpoint").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        secret = page.get_by_label("Signing secret").input_value()
        assert secret.startswith("whsec_")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        page.get_by_role("button", name="Send a test event").focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "A test event for" in page.content() and secret not in page.content()
        with app.app_context():
            assert deliver().sent == 1
        [received] = receiver.requests
        assert received.headers["X-Tracker-Event"] == "ping"
        assert signing.verify(secret, received.headers["X-Tracker-Signature"], received.body)
        page.get_by_role("link", name="Delivery log").first.focus()
        with page.expect_navigation():
            page.keyboard.press("Enter")
        page.locator("table.webhook-log").wait_for()
        log = page.content()
        assert "HTTP 200" in log and "got it, thanks" in log and "delivered" in log
        context.close()
