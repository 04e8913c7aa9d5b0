"""The calendar feed end to end in Chromium, on a phone: a manager makes an address with the
keyboard, a calendar client (here, a plain HTTP request with no cookie) reads it with the
icalendar parser, and turning the feed off closes it."""
from __future__ import annotations

import pytest
from icalendar import Calendar

from tests.browser_support import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    live_server,
    sign_in_with_keyboard,
)
from tracker.services.demo import DEMO_DOMAIN

pytestmark = pytest.mark.browser


def test_a_manager_subscribes_on_a_phone_and_turns_the_feed_off(browser, live_server):  # noqa: F811
    context = browser.new_context(**PHONE)
    page = context.new_page()
    sign_in_with_keyboard(page, live_server, f"maya.chen@{DEMO_DOMAIN}")
    page.goto(live_server + "/preferences")
    page.get_by_role("button", name="Make my calendar address").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    address = page.get_by_label("Calendar address (private)").input_value()
    assert address.startswith(live_server + "/calendar/") and address.endswith(".ics")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    webcal = page.get_by_role("link", name="Open in my calendar app").get_attribute("href")
    assert webcal == "webcal://" + address.split("://", 1)[1]

    outsider = browser.new_context()  # a calendar server: no cookie, only the address
    response = outsider.request.get(address)
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = Calendar.from_ical(response.body()).walk("VEVENT")
    hires = {str(event["summary"]).split(":")[0] for event in events}
    assert len(events) >= 10 and len(hires) >= 2  # her reports' plans, five milestones each

    page.goto(live_server + "/preferences")
    assert address not in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Turn the feed off").click()
    assert "Your calendar feed is off" in page.content()
    assert outsider.request.get(address).status == 404
    outsider.close()
    context.close()
