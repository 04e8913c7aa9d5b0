"""axe-core, in real Chromium, finds nothing serious or critical on any kind of page.

axe is vendored (tracker/static/vendor/axe-core, see its README) and injected by the test, so no
page a person opens loads it. Moderate and minor findings are printed for whoever is curious but
do not fail the run: serious and critical ones are those that stop someone from using the page.
The pages to measure come from tests/page_kinds.py; a new page joins by adding a row there.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import tracker
from tests.browser_support import browser  # noqa: F401 (fixture)
from tests.page_kinds import DESKTOP, DEVICES, PAGE_KINDS, kind_named, site  # noqa: F401 (fixture)

AXE = Path(tracker.__file__).parent / "static" / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = {"serious", "critical"}
pytestmark = pytest.mark.browser

RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                    "best-practice"]},
    resultTypes: ["violations"],
  });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target.join(" "), why: n.failureSummary})),
  }));
}"""


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    assert page.evaluate("typeof axe.run") == "function", "axe-core did not load into the page"
    return page.evaluate(RUN_AXE)


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['url']})")
        for node in v["nodes"]:
            lines.append(f"    at {node['target']}")
            lines.append("       " + node["why"].replace("\n", "\n       "))
    return "\n".join(lines)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("kind", PAGE_KINDS, ids=str)
def test_page_has_no_serious_or_critical_axe_violation(browser, site, kind, device):
    page = site.open(browser, kind, device)
    violations = axe_violations(page)
    page.context.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    if violations:
        print(f"\naxe on {kind} ({kind.path}):\n{describe(violations)}")
    assert not blocking, f"axe on {kind} ({kind.path}) found:\n{describe(blocking)}"


def test_axe_catches_what_it_should(browser, site):
    """The check itself can fail: a page broken on purpose is reported as serious or critical."""
    page = site.open(browser, kind_named("sign-in"), DESKTOP)
    page.evaluate("""() => {
      document.querySelector("label[for=email]").remove();
      const low = document.createElement("p");
      low.textContent = "Pale grey on white";
      low.style.color = "#eee";
      document.querySelector("main").append(low);
    }""")
    found = {v["id"]: v["impact"] for v in axe_violations(page)}
    page.context.close()
    assert found.get("label") == "critical" and found.get("color-contrast") == "serious", found
