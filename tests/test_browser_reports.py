"""HR's overview and the late-goals report in Chromium, on the demo company: the counts, the
at-risk filter, the chart with its table, and a goal opened in the studio from the report."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser_support import browser, live_server, sign_in_with_keyboard  # noqa: F401

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
pytestmark = pytest.mark.browser


def test_hr_reads_the_overview_and_follows_a_late_goal_into_the_studio(browser, live_server):
    hr = browser.new_page(viewport={"width": 1200, "height": 1000})
    sign_in_with_keyboard(hr, live_server, "hr.admin@demo.example.com")
    hr.goto(live_server + "/admin/plans")
    counts = hr.locator(".overview-counts li")
    assert counts.count() == 5
    at_risk = int(counts.nth(1).locator("strong").inner_text())
    hr.locator(".risk-rule summary").click()
    assert "latest pulse answer" in hr.locator(".risk-rule").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    hr.screenshot(path=str(ARTIFACTS / "overview.png"),
                  clip={"x": 0, "y": 0, "width": 1200, "height": 700})
    hr.get_by_label("At risk only").check()
    with hr.expect_navigation():
        hr.get_by_role("button", name="Filter").click()
    assert hr.locator("table.plans tbody tr").count() == min(at_risk, 50)

    with hr.expect_navigation():
        hr.get_by_role("link", name="Reports").click()
    with hr.expect_navigation():
        hr.get_by_role("link", name="Goals that run late").click()
    assert hr.locator("h1").inner_text() == "Goals that run late"
    bars = hr.locator("svg.bar-chart rect.bar")
    assert bars.count() >= 1  # the demo company has late goals
    table_rows = hr.locator("table.plans tbody tr")
    assert table_rows.count() >= bars.count()
    hr.screenshot(path=str(ARTIFACTS / "report-late-goals.png"),
                  clip={"x": 0, "y": 0, "width": 1200, "height": 900})
    first = table_rows.first.locator("th a")
    title = first.inner_text()
    with hr.expect_navigation():
        first.click()
    assert "/studio/" in hr.url and "#goal-" in hr.url
    key = hr.url.split("#goal-")[1]
    assert title.split(" ")[0] in hr.locator(f"#goal-{key}").inner_text()
    hr.close()
