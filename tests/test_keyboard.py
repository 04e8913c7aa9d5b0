"""Every action on every kind of page is reached with Tab and shows where the focus is.

For each page in tests/page_kinds.py: press Tab until the focus comes round again, and check
1. every visible link, button, field and summary was reached (one radio per group, as Tab does);
2. nothing looks clickable (a pointer cursor) that the keyboard cannot reach;
3. each focused element draws a focus ring it did not have before (outline or box-shadow), in a
   colour with at least 3:1 contrast against what is behind it (WCAG 1.4.11), so it shows on a
   white card and on the dark header alike.
Desktop only: a phone is rarely driven with Tab, and the styles are the same.
"""
from __future__ import annotations

import pytest

from tests.browser_support import browser  # noqa: F401 (fixture)
from tests.page_kinds import DESKTOP, PAGE_KINDS, kind_named, site  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

HELPERS = """() => {
window.__kbRing = el => { const s = getComputedStyle(el);
  return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.outlineOffset, s.boxShadow].join();
};
window.__kbSay = el => `<${el.tagName.toLowerCase()}> "${(el.innerText || el.value || el.name
  || el.getAttribute("aria-label") || "").trim().slice(0, 40)}"` + (el.id ? ` #${el.id}` : "");
}"""

MARK = """() => {
  const focusable =
    "a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]";
  const shown = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})
    && el.getBoundingClientRect().width * el.getBoundingClientRect().height > 0;
  const operable = el => shown(el) && !el.disabled && el.tabIndex >= 0 && !el.closest("[inert]")
    && (el.tagName !== "SUMMARY" || el.parentElement.querySelector(":scope > summary") === el);
  window.__kbBefore = {};
  const targets = [];
  document.querySelectorAll(focusable).forEach((el, i) => {
    el.dataset.kb = i;
    window.__kbBefore[i] = window.__kbRing(el);
    if (!operable(el)) return;
    const group = el.type === "radio" ? `radio ${el.form && el.form.action} ${el.name}` : `${i}`;
    targets.push({idx: `${i}`, group, what: window.__kbSay(el)});
  });
  const operated = "a[href], button, input, select, textarea, summary, label, [tabindex='0']";
  const unreachable = [...document.querySelectorAll("body *")].filter(el =>
    shown(el) && getComputedStyle(el).cursor === "pointer" && !el.closest(operated)
  ).map(window.__kbSay);
  return {targets, unreachable};
}"""

STEP = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const rgb = text => (text.match(/rgba?\\(([^)]+)\\)/) || [null, ""])[1].split(",").map(Number);
  const lum = ([r, g, b]) => { const f = c => { c /= 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05); };
  let behind = el.parentElement;
  while (behind && rgb(getComputedStyle(behind).backgroundColor)[3] === 0) {
    behind = behind.parentElement;
  }
  const ground = behind ? rgb(getComputedStyle(behind).backgroundColor) : [255, 255, 255];
  const s = getComputedStyle(el);
  const colours = [];
  if (!["none", "hidden"].includes(s.outlineStyle) && parseFloat(s.outlineWidth) >= 2)
    colours.push(rgb(s.outlineColor));
  if (s.boxShadow !== "none") colours.push(rgb(s.boxShadow));
  const drawn = colours.filter(c => c.length >= 3 && c[3] !== 0);
  const best = Math.max(0, ...drawn.map(c => ratio(c, ground)));
  return {idx: el.dataset.kb ?? null, what: window.__kbSay(el),
          changed: window.__kbRing(el) !== window.__kbBefore[el.dataset.kb], contrast: best};
}"""


def tab_round(page, limit: int) -> list[dict]:
    """Focused elements in Tab order, from the top of the page until the focus comes round."""
    seen, steps, last = set(), [], None
    for _ in range(limit):
        page.keyboard.press("Tab")
        step = page.evaluate(STEP)
        if step is None:
            continue  # the focus left the page for the browser's own controls
        if step["idx"] == last:
            continue  # a date field's day, month, year and picker: one element, four stops
        last = step["idx"]
        if step["idx"] in seen:
            break
        seen.add(step["idx"])
        steps.append(step)
    return steps


def problems(marked: dict, steps: list[dict]) -> list[str]:
    """What a keyboard user would trip over on the page, one line each; empty when none."""
    found = []
    if not marked["targets"]:
        found.append("nothing to operate was found, so the check measured nothing")
    reached = {s["idx"] for s in steps}
    groups_reached = {t["group"] for t in marked["targets"] if t["idx"] in reached}
    found += [f"Tab never reaches {t['what']}" for t in marked["targets"]
              if t["group"] not in groups_reached]
    found += [f"looks clickable but the keyboard cannot reach it: {what}"
              for what in marked["unreachable"]]
    found += [f"no focus indicator on {s['what']}" for s in steps
              if not s["changed"] or s["contrast"] == 0]
    found += [f"focus ring {s['contrast']:.1f}:1 against its background on {s['what']}"
              for s in steps if 0 < s["contrast"] < 3]
    return found


def measure(page, limit: int | None = None) -> list[str]:
    page.evaluate(HELPERS)
    marked = page.evaluate(MARK)
    steps = tab_round(page, limit=limit or 4 * len(marked["targets"]) + 10)
    return problems(marked, steps)


@pytest.mark.parametrize("kind", PAGE_KINDS, ids=str)
def test_every_action_is_reached_by_tab_with_a_visible_focus(browser, site, kind):
    page = site.open(browser, kind, DESKTOP)
    found = measure(page)
    page.context.close()
    assert not found, f"{kind} ({kind.path}):\n  " + "\n  ".join(found)


def test_the_keyboard_check_sees_a_missing_ring_a_faint_ring_and_a_mouse_only_control(browser,
                                                                                         site):
    """The check itself can fail: each kind of breakage, made on purpose, is reported."""
    page = site.open(browser, kind_named("sign-in"), DESKTOP)
    page.add_style_tag(content="button:focus-visible { outline: none; box-shadow: none; }"
                               "input:focus-visible { outline-color: #ddd; box-shadow: none; }")
    page.evaluate("""() => { const div = document.createElement("div");
      div.textContent = "Click me"; div.style.cursor = "pointer";
      document.querySelector("main").append(div); }""")
    found = measure(page)
    page.context.close()
    assert 'looks clickable but the keyboard cannot reach it: <div> "Click me"' in found
    assert 'no focus indicator on <button> "Sign in"' in found
    assert any(line.startswith("focus ring 1.") and "#password" in line for line in found), found
