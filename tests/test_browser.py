"""End to end in Debian's Chromium: sign in with the keyboard, read the plan, on a phone too.

Runs the real app in a real HTTP server on loopback (fixtures in tests/browser_support.py, which
also says when these skip).
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser_support import (  # noqa: F401 (fixtures)
    browser,
    live_server,
    sign_in_with_keyboard,
    wait_until,
)
from tracker.formatting import nice_date
from tracker.models import MilestoneKey
from tracker.services.due_dates import due_dates

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.browser


def test_hire_signs_in_with_the_keyboard_and_reads_their_plan(browser, live_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in_with_keyboard(page, live_server, "dev.patel@demo.example.com")
    assert "/plans/" in page.url
    assert page.locator("h1").inner_text() == "My plan"
    assert page.locator(".timeline .marker:not(.marker-start)").count() == 5
    assert page.locator(".milestone-summary li").count() == 5
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-desktop.png"), full_page=False)
    first_goal = page.locator("#milestone-d90 details").first
    first_goal.locator("summary").focus()
    page.keyboard.press("Enter")
    assert first_goal.get_attribute("open") is not None
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert page.url.endswith("/login")
    page.close()


def test_plan_and_admin_pages_fit_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    sign_in_with_keyboard(page, live_server, "hr.admin@demo.example.com")
    assert page.url.endswith("/admin/plans")
    assert page.locator("table.plans tbody tr").count() == 6
    with page.expect_navigation():
        page.locator("table.plans tbody tr a").first.click()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the plan page is {overflow}px wider than the phone"
    assert page.locator(".milestone-summary li").first.is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "plan-phone.png"), full_page=False)
    for path in ("/admin/outbox", "/admin/outbox?preview=1", "/admin/hires/new",
                 "/admin/plans/1/edit", "/preferences", "/plans/1/checkins/d30"):
        page.goto(live_server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the phone"
    context.close()


def test_evidence_without_javascript_and_approval_with_htmx(browser, live_server):
    """The hire's browser runs no script at all; the manager's swaps the page in place."""
    no_js = browser.new_context(java_script_enabled=False, viewport={"width": 1100, "height": 1000})
    hire = no_js.new_page()
    sign_in_with_keyboard(hire, live_server, "ana.silva@demo.example.com")
    goal = hire.locator("#milestone-d30 li.goal", has=hire.locator("text=Send for review")).first
    goal_id = goal.get_attribute("id")
    goal.locator("summary").click()
    goal.get_by_role("textbox", name="Your note").fill("Mapped the **serving path**; diagram in the wiki.")
    with hire.expect_navigation():
        goal.get_by_role("button", name="Send for review").click()
    goal = hire.locator(f"#{goal_id}")
    assert "Waiting for review" in goal.locator(".status").inner_text()
    no_js.close()

    manager = browser.new_page(viewport={"width": 1100, "height": 1000})
    refused = []  # what the Content-Security-Policy blocked: nothing of ours may be
    manager.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
               else None)
    sign_in_with_keyboard(manager, live_server, "maya.chen@demo.example.com")
    with manager.expect_navigation():
        manager.get_by_role("link", name="Ana Silva").click()
    wait_until(manager, "window.htmx !== undefined")
    manager.evaluate("window.stillThisPage = true")
    goal = manager.locator(f"#{goal_id}")
    goal.locator("summary").first.click()
    assert goal.locator(".note strong").inner_text() == "serving path"
    ARTIFACTS.mkdir(exist_ok=True)
    goal.screenshot(path=str(ARTIFACTS / "goal-review.png"))
    goal.get_by_role("button", name="Request changes").click()  # no comment: refused in place
    manager.wait_for_selector(f"#{goal_id} .error")
    assert "say what should change" in manager.locator(f"#{goal_id} .error").inner_text()
    manager.locator(f"#{goal_id}").get_by_role("button", name="Approve").click()
    wait_until(manager,
               f"document.querySelector('#{goal_id} .status')?.textContent === 'Approved'")
    assert manager.evaluate("window.stillThisPage") is True  # swapped, not reloaded
    # app.js puts focus back on the goal once htmx has settled the swap (a moment after it)
    wait_until(manager,
               f"document.activeElement && document.activeElement.closest('#{goal_id}') !== null")
    assert "Approved." in manager.locator(".flash").inner_text()
    assert "approved" in manager.locator(".activity").inner_text()
    assert refused == []
    manager.close()


def test_a_check_in_filled_signed_by_both_and_printed(browser, live_server):
    hire = browser.new_page(viewport={"width": 1100, "height": 1000})
    sign_in_with_keyboard(hire, live_server, "ben.okafor@demo.example.com")
    with hire.expect_navigation():
        hire.get_by_role("link", name="30 days check-in").click()
    hire.get_by_label("Overall, how did this milestone go?").fill("Good first month: on call shadowed.")
    hire.get_by_label("What is in your way").fill("GPU quota for experiments")
    with hire.expect_navigation():
        hire.get_by_role("button", name="Save self-assessment").click()
    assert "Self-assessment saved." in hire.locator(".flash").inner_text()
    checkin_url = hire.url

    manager = browser.new_page(viewport={"width": 1100, "height": 1000})
    sign_in_with_keyboard(manager, live_server, "maya.chen@demo.example.com")
    manager.goto(checkin_url)
    assert "GPU quota for experiments" in manager.locator("main").inner_text()
    manager.get_by_label("Your assessment").fill("Ramping up well; pair on the eval job next.")
    manager.get_by_label("On track").check()
    manager.get_by_label("Agreed next steps").fill("Own the nightly evaluation run by day 60.")
    with manager.expect_navigation():
        manager.get_by_role("button", name="Save assessment").click()
    with manager.expect_navigation():
        manager.get_by_role("button", name="Sign this check-in").click()

    hire.reload()
    with hire.expect_navigation():
        hire.get_by_role("button", name="Sign this check-in").click()
    assert hire.locator(".checkin-header .badge").inner_text().startswith("Signed by both on ")
    assert hire.locator("textarea").count() == 0
    hire.evaluate("window.print = () => { window.printed = true }")  # no dialog in a test
    hire.get_by_role("button", name="Print").click()
    assert hire.evaluate("window.printed") is True  # app.js, as the policy allows no onclick
    ARTIFACTS.mkdir(exist_ok=True)
    hire.screenshot(path=str(ARTIFACTS / "checkin-signed.png"), full_page=True)
    hire.emulate_media(media="print")
    assert not hire.locator(".site-header").is_visible()
    assert not hire.get_by_role("button", name="Print").is_visible()
    assert hire.locator("#manager-heading").is_visible()
    pdf = hire.pdf(path=str(ARTIFACTS / "checkin-signed.pdf"))
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    hire.close()
    manager.close()


def test_a_pulse_answered_on_a_phone_shows_on_the_managers_chart(browser, live_server):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    sign_in_with_keyboard(phone, live_server, "dev.patel@demo.example.com")
    phone.locator("#pulse").get_by_label("4", exact=True).check()
    phone.get_by_label("One win since last time (optional)").fill("Shipped the drift alert")
    phone.get_by_role("button", name="Send").click()
    phone.wait_for_selector(".flash")  # htmx swaps the page in place
    assert "your pulse check-in is saved" in phone.locator(".flash").inner_text()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the plan page is {overflow}px wider than the phone"
    context.close()

    manager = browser.new_page(viewport={"width": 1100, "height": 900})
    sign_in_with_keyboard(manager, live_server, "maya.chen@demo.example.com")
    with manager.expect_navigation():
        manager.get_by_role("link", name="My team").click()
    row = manager.locator("tr", has=manager.locator("text=Dev Patel"))
    assert "4/5" in row.locator(".sparkline + span").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    manager.screenshot(path=str(ARTIFACTS / "team.png"), full_page=True)
    with manager.expect_navigation():
        row.get_by_role("link", name="Dev Patel").click()
    chart = manager.locator("#pulse")
    assert chart.locator(".trend-dot").count() >= 10
    chart.screenshot(path=str(ARTIFACTS / "pulse-chart.png"))
    manager.close()


def test_hr_previews_and_creates_a_hire_who_then_chooses_a_password(browser, live_server):
    hr = browser.new_page(viewport={"width": 1100, "height": 1200})
    sign_in_with_keyboard(hr, live_server, "hr.admin@demo.example.com")
    with hr.expect_navigation():
        hr.get_by_role("link", name="New hire", exact=True).first.click()
    hr.get_by_label("Full name").fill("Gia Russo")
    hr.get_by_label("Work email").fill("gia.russo@demo.example.com")
    hr.get_by_label("Time zone").fill("Europe/Rome")
    hr.get_by_label("Role").select_option("machine-learning-engineer")
    start = date.today() + timedelta(days=7 - date.today().weekday())  # next Monday
    hr.get_by_label("Start date").fill(start.isoformat())
    hr.get_by_label("Manager's email").fill("omar.haddad@demo.example.com")
    with hr.expect_navigation():
        hr.get_by_role("button", name="Preview dates").click()
    preview = hr.locator("#dates-preview")
    assert "Nothing has been saved" in preview.inner_text()
    assert preview.locator("tbody tr").count() == 5
    dates = due_dates(start, "next")
    assert nice_date(dates[MilestoneKey.D30]) in preview.inner_text()
    assert nice_date(dates[MilestoneKey.M12]) in preview.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    hr.screenshot(path=str(ARTIFACTS / "new-hire-preview.png"), full_page=True)
    with hr.expect_navigation():
        hr.get_by_role("button", name="Create hire and plan").click()
    assert hr.locator(".flash").first.inner_text() == "Created Gia Russo and their plan."
    flash = hr.locator(".flash").nth(1).inner_text()
    link = flash[flash.index("http"):].strip()
    hr.close()

    newcomer = browser.new_page(viewport={"width": 390, "height": 800})
    newcomer.goto(link)
    assert newcomer.locator("h1").inner_text() == "Welcome, Gia Russo"
    newcomer.get_by_label("New password").fill("a long passphrase")
    newcomer.get_by_label("The same password again").fill("a long passphrase")
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Set password and sign in").click()
    assert newcomer.locator("h1").inner_text() == "My plan"
    assert "Omar Haddad" in newcomer.locator(".plan-header").inner_text()
    newcomer.close()
