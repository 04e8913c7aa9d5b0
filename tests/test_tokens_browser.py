"""Personal access tokens in Chromium, on a phone and with the keyboard only: a hire makes a
token, copies it from the page that shows it once, finds it listed without the secret, and
revokes it. The page that shows the token is a POST's answer, so tests/page_kinds.py cannot
open it; it is measured here with the same axe and Tab checks."""
from __future__ import annotations

import re

import pytest

from tests.browser_support import (  # noqa: F401 (fixtures)
    PHONE,
    browser,
    live_server,
    sign_in_with_keyboard,
)
from tests.test_accessibility import BLOCKING, axe_violations, describe
from tests.test_keyboard import measure
from tracker.services.demo import DEMO_DOMAIN

pytestmark = pytest.mark.browser
RAW = re.compile(r"trk_[A-Za-z0-9_-]{43}")


def test_a_hire_makes_copies_and_revokes_a_token_on_a_phone_with_the_keyboard(
        browser, live_server):  # noqa: F811
    # bypass_csp: axe-core is injected as inline script, which the app's policy refuses.
    context = browser.new_context(bypass_csp=True, **PHONE)
    page = context.new_page()
    sign_in_with_keyboard(page, live_server, f"dev.patel@{DEMO_DOMAIN}")
    page.goto(live_server + "/preferences#tokens")
    assert page.get_by_text("You have no tokens.").is_visible()
    page.get_by_role("textbox", name="Name").focus()
    page.keyboard.type("HRIS sync")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "read_only"
    assert page.get_by_role("checkbox", name=re.compile("^Read-only")).is_checked()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Make token"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    shown = page.get_by_role("textbox", name="Token “HRIS sync” (read-only)")
    raw = shown.input_value()
    assert RAW.fullmatch(raw)
    assert page.get_by_text("It will not be shown again.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    box = shown.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]
    violations = axe_violations(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    assert not measure(page)

    with page.expect_navigation():
        page.get_by_role("link", name="Back to your tokens").click()
    assert raw not in page.content()
    listed = page.locator("ul.tokens li")
    assert listed.count() == 1
    assert "HRIS sync" in listed.inner_text() and f"{raw[:8]}…" in listed.inner_text()
    assert "read-only" in listed.inner_text() and "last used never" in listed.inner_text()
    page.get_by_role("button", name=f"Revoke HRIS sync ({raw[:8]}…)").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_text(f"Revoked “HRIS sync” ({raw[:8]}…): it no longer opens the API."
                            ).is_visible()
    assert page.get_by_text("You have no tokens.").is_visible()
    context.close()
