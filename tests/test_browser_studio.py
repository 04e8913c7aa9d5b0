"""The template studio end to end in Chromium (issue 9's scenario): HR builds a role from a
catalogue entry, publishes it, hires someone with it and the platform team's layer, improves the
role, compares the versions, and the manager adopts an added and a reworded goal into the
running plan, evidence intact.

Along the way: the draft saves as it is typed and survives a closed tab, a goal is dragged to
another milestone (SortableJS) and moved with the keyboard, and nothing the app serves is
blocked by its own Content-Security-Policy.
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

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ROLE = "computer-vision-engineer"  # in the catalogue, with no template
MILESTONES = ("d30", "d60", "d90", "m6", "m12")
pytestmark = pytest.mark.browser


def saved(page) -> None:
    wait_until(page, "document.getElementById('draft-status').textContent"
                     ".startsWith('All changes saved')")


def write_milestone(page, key: str, goals: int = 3) -> None:
    """Title the milestone (saved in the background) and add goals (plain forms)."""
    title = page.locator(f"#m-{key}-title")
    title.fill(f"Settle in, part {key}")
    title.press("Tab")
    saved(page)
    for n in range(goals):
        adder = page.locator(f"#m-{key} details.studio-add")
        adder.locator("summary").click()
        adder.get_by_label("Title").fill(f"Deliver piece {n + 1} of {key}")
        adder.get_by_label("Description").fill("Build it with the team, then show it working.")
        adder.get_by_label("Evidence hint").fill("A link to the change and its review.")
        with page.expect_navigation():
            adder.get_by_role("button", name="Add goal").click()


def drag(page, handle, onto) -> None:
    """Press, move in steps and release, as a hand does: SortableJS follows the pointer."""
    page.set_viewport_size({"width": 1200, "height": 2400})  # both ends on screen
    start, end = handle.bounding_box(), onto.bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(start["x"] + (end["x"] + 20 - start["x"]) * step / 20,
                        start["y"] + (end["y"] + 10 - start["y"]) * step / 20)
        page.wait_for_timeout(20)
    page.mouse.up()
    page.set_viewport_size({"width": 1200, "height": 1100})


def publish(page, note: str) -> None:
    page.get_by_label("What changed").fill(note)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()
    assert page.url.endswith(f"/studio/{ROLE}"), page.locator("#publish").inner_text()


def test_a_role_built_in_the_studio_reaches_a_running_plan(browser, live_server):
    context = browser.new_context(viewport={"width": 1200, "height": 1100})
    hr = context.new_page()
    refused = []
    hr.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text
          else None)
    sign_in_with_keyboard(hr, live_server, "hr.admin@demo.example.com")
    hr.goto(live_server + "/studio/new")
    hr.get_by_label("A role in the catalogue").check()
    hr.get_by_label("Catalogue role").select_option(ROLE)
    with hr.expect_navigation():
        hr.get_by_role("button", name="Start the draft").click()
    assert hr.url.endswith(f"/studio/{ROLE}/draft")
    assert "needs at least 3 entries" in hr.locator("#m-d30 .problems").inner_text()
    for key in MILESTONES:
        write_milestone(hr, key, goals=4 if key == "d60" else 3)  # one will move to day 30
    assert hr.locator("#problem-count").get_attribute("data-count") == "0"

    # Typed text is saved without a button and is there in a new tab.
    first = hr.locator("#m-d30 li.studio-goal").first
    key = first.get_attribute("data-key")
    first.locator("summary").click()
    first.get_by_label("Target (optional)").fill("Three reviewed changes merged")
    saved(hr)
    hr.close()
    hr = context.new_page()
    hr.goto(live_server + f"/studio/{ROLE}/draft")
    assert "Target: Three reviewed changes merged" in hr.locator(f"#goal-{key}").inner_text()

    # Drag the second goal of day 60 into day 30, then move it down with the keyboard.
    dragged = hr.locator("#m-d60 li.studio-goal").nth(1)
    dragged_key = dragged.get_attribute("data-key")
    drag(hr, dragged.locator(".drag-handle"), hr.locator("#m-d30 li.studio-goal").first)
    saved(hr)
    hr.reload()
    d30 = [li.get_attribute("data-key") for li in hr.locator("#m-d30 li.studio-goal").all()]
    assert dragged_key in d30 and len(d30) == 4
    position = d30.index(dragged_key)
    hr.locator(f"#goal-{dragged_key}").get_by_role("button", name="Move down").focus()
    with hr.expect_navigation():
        hr.keyboard.press("Enter")
    d30 = [li.get_attribute("data-key") for li in hr.locator("#m-d30 li.studio-goal").all()]
    assert d30.index(dragged_key) == position + 1
    ARTIFACTS.mkdir(exist_ok=True)
    hr.locator("#m-d30").scroll_into_view_if_needed()
    hr.locator("#m-d30").screenshot(path=str(ARTIFACTS / "studio-draft.png"))
    publish(hr, "First version of the computer vision role")
    assert "v1" in hr.locator("h1").inner_text()

    # A hire on the new role, who sends evidence for the goal that will be reworded.
    hr.goto(live_server + "/admin/hires/new")
    hr.get_by_label("Full name").fill("Vera Vision")
    hr.get_by_label("Work email").fill("vera.vision@demo.example.com")
    hr.get_by_label("Time zone").fill("Europe/Madrid")
    hr.get_by_label("Role").select_option(ROLE)
    hr.get_by_label("Start date").fill((date.today() - timedelta(days=10)).isoformat())
    hr.get_by_label("Manager's email").fill("maya.chen@demo.example.com")
    hr.get_by_label("Platform team").check()  # a team layer on top of the new role
    with hr.expect_navigation():
        hr.get_by_role("button", name="Create hire and plan").click()
    flash = hr.locator(".flash").nth(1).inner_text()
    link = flash[flash.index("http"):].strip()

    no_js = browser.new_context(java_script_enabled=False,  # plain forms: a navigation each
                                viewport={"width": 390, "height": 800})
    vera = no_js.new_page()
    vera.goto(link)
    vera.get_by_label("New password").fill("a long passphrase")
    vera.get_by_label("The same password again").fill("a long passphrase")
    with vera.expect_navigation():
        vera.get_by_role("button", name="Set password and sign in").click()
    assert "Platform team" in vera.locator("main").inner_text()  # the layer, named on the plan
    assert "Learn the platform's services" in vera.locator("main").inner_text()
    goal = vera.locator("li.goal", has=vera.locator("text=Deliver piece 1 of d30")).first
    goal.locator("summary").first.click()
    goal.get_by_role("textbox", name="Your note").fill("Shipped the first labelling fix.")
    with vera.expect_navigation():
        goal.get_by_role("button", name="Send for review").click()
    no_js.close()

    # Version 2: one goal reworded, one added.
    hr.goto(live_server + f"/studio/{ROLE}")
    with hr.expect_navigation():
        hr.get_by_role("button", name="Edit this template").click()
    reworded = hr.locator("#m-d30 li.studio-goal", has=hr.locator(
        "text=Deliver piece 1 of d30")).first
    reworded.locator("summary").click()
    reworded.get_by_label("Title").fill("Deliver the first labelling fix")
    reworded.get_by_label("Title").press("Tab")
    saved(hr)
    write_extra = hr.locator("#m-d60 details.studio-add")
    write_extra.locator("summary").click()
    write_extra.get_by_label("Title").fill("Pair with the data team on a labelling audit")
    write_extra.get_by_label("Description").fill("Check a sample of labels together and log "
                                                 "what is wrong.")
    write_extra.get_by_label("Evidence hint").fill("The audit notes and the fixes agreed.")
    with hr.expect_navigation():
        write_extra.get_by_role("button", name="Add goal").click()
    publish(hr, "Clearer first goal; a labelling audit at day 60")
    with hr.expect_navigation():
        hr.get_by_role("link", name="Compare with v1").click()
    summary = hr.locator("main").inner_text()
    assert "1 added" in summary and "1 reworded" in summary
    assert "a labelling audit at day 60" in hr.locator(".change-note").inner_text()
    hr.locator("main").screenshot(path=str(ARTIFACTS / "studio-compare.png"))
    assert refused == []
    context.close()

    # The manager adopts both changes; the evidence stays on the reworded goal.
    manager = browser.new_page(viewport={"width": 1100, "height": 1000})
    sign_in_with_keyboard(manager, live_server, "maya.chen@demo.example.com")
    with manager.expect_navigation():
        manager.get_by_role("link", name="Vera Vision").click()
    with manager.expect_navigation():
        manager.get_by_role("link", name="Review and adopt").click()
    for title in ("Deliver the first labelling fix", "Pair with the data team"):
        change = manager.locator("li.template-change", has=manager.locator(f"text={title}"))
        with manager.expect_navigation():
            change.get_by_role("button", name="Adopt").click()
    manager.goto(manager.url.replace("/template-changes", ""))
    plan = manager.locator("main").inner_text()
    assert "Deliver the first labelling fix" in plan and "Pair with the data team" in plan
    goal = manager.locator("li.goal", has=manager.locator(
        "text=Deliver the first labelling fix")).first
    goal.locator("summary").first.click()
    assert "Shipped the first labelling fix." in goal.inner_text()
    manager.close()
