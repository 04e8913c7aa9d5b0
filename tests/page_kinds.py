"""Every kind of page the app has, as one table, and how to open each as the right person.

The accessibility checks (axe-core, keyboard) run over this table, so a new page is measured by
adding one row. Each row names a selector that only that page shows in that state: a check that
landed on the sign-in form, an error page or a closed review form fails instead of passing.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
import yaml

from tests.browser_support import PHONE, demo_app, serving
from tracker.extensions import db
from tracker.models import Plan, User
from tracker.services import access_tokens, drafts, sweep_problems, webhooks
from tracker.services.demo import DEMO_PASSWORD
from tracker.services.role_library import PACKAGE_LIBRARY
from tracker.services.role_versions import current_version, load_library

DESKTOP = {"viewport": {"width": 1280, "height": 900}}
MANAGER = "maya.chen"
ADMIN = "hr.admin"
REVIEWED_HIRE = "ana.silva"  # the fixture sends goals of hers for review, withdraws one


@dataclass(frozen=True)
class PageKind:
    name: str
    who: str | None  # demo person's key; None for a signed-out visitor
    path: str  # str.format'ed with the demo plan ids by hire key: "/plans/{dev_patel}"
    proof: str  # a selector that must be visible once the page is ready
    open_first: str | None = None  # a selector to click before measuring (opens a form)

    def __str__(self) -> str:
        return self.name


PAGE_KINDS = [
    PageKind("sign-in", None, "/login", "form input[type=password]"),
    PageKind("forgot-password", None, "/forgot-password", "form input[type=email]"),
    PageKind("plan", "ben.okafor", "/plans/{ben_okafor}", ".milestone-summary"),
    PageKind("goal-review", MANAGER, "/plans/{ana_silva}", "form[action$='/review'] textarea",
             open_first="li.goal:has(form[action$='/review']) > details > summary"),
    PageKind("evidence-history", REVIEWED_HIRE, "/plans/{ana_silva}", ".evidence-withdrawn",
             open_first="li.goal:has(.evidence-withdrawn) > details > summary"),
    PageKind("check-in", "ben.okafor", "/plans/{ben_okafor}/checkins/d30", "form textarea"),
    PageKind("api-docs", ADMIN, "/api/v1/docs", ".api-operation code"),
    PageKind("pulse", "dev.patel", "/plans/{dev_patel}", "#pulse form input[type=radio]"),
    PageKind("team", MANAGER, "/team", "table tbody tr"),
    PageKind("reviews", MANAGER, "/reviews", ".queue li"),
    PageKind("admin-list", ADMIN, "/admin/plans", "table.plans tbody tr"),
    PageKind("new-hire", ADMIN, "/admin/hires/new", "form select"),
    PageKind("import-hires", ADMIN, "/admin/hires/import", "form input[type=file]"),
    PageKind("plan-edit", ADMIN, "/admin/plans/{chloe_martin}/edit", "#status-section form"),
    PageKind("outbox", ADMIN, "/admin/outbox", "h1"),
    PageKind("outbox-sweep-problem", ADMIN, "/admin/outbox", "table.sweep-problems tbody tr"),
    PageKind("report-late-goals", ADMIN, "/admin/reports/late-goals", "table.plans tbody tr"),
    PageKind("report-milestones", ADMIN, "/admin/reports/milestones", "svg.bar-chart rect"),
    PageKind("report-pulses", ADMIN, "/admin/reports/pulses", "table.plans tbody tr"),
    PageKind("studio", ADMIN, "/studio/", "table.plans tbody tr"),
    PageKind("studio-template", ADMIN, "/studio/machine-learning-engineer", "ol.studio-goals li"),
    PageKind("studio-preview", ADMIN, "/studio/preview/plan?role=machine-learning-engineer"
             "&start_date=2027-01-04&layers=platform-team", "#merged-plan ol.studio-goals li"),
    PageKind("studio-compare", ADMIN, "/studio/machine-learning-engineer/compare", "h1"),
    PageKind("studio-draft", ADMIN, "/studio/data-engineer/draft", "li.studio-goal form textarea",
             open_first="li.studio-goal details > summary"),
    PageKind("studio-new", ADMIN, "/studio/new", "form fieldset input[type=radio]"),
    PageKind("studio-editors", ADMIN, "/studio/editors", "form input[type=email]"),
    PageKind("studio-upload", ADMIN, "/studio/files/upload", "form input[type=file]"),
    PageKind("template-changes", MANAGER, "/plans/{ben_okafor}/template-changes",
             "ol.template-changes li form button"),
    PageKind("preferences", "dev.patel", "/preferences", "form fieldset input[type=radio]"),
    PageKind("preferences-tokens", MANAGER, "/preferences", "ul.tokens li form button"),
    PageKind("webhooks", ADMIN, "/admin/webhooks", "form fieldset input[type=checkbox]"),
    PageKind("webhook-log", ADMIN, "/admin/webhooks/{webhook}", "table.webhook-log tbody tr"),
]


def kind_named(name: str) -> PageKind:
    return next(kind for kind in PAGE_KINDS if kind.name == name)


def email(key: str) -> str:
    return f"{key}@demo.example.com"


@dataclass
class Site:
    base: str
    plans: dict[str, int]  # "dev_patel" -> Dev Patel's plan id
    sessions: dict[str, dict]  # person key -> Playwright storage state, signed in once

    def open(self, browser, kind: PageKind, device: dict):
        """A fresh context for ``kind`` as its person, the page loaded and ready to measure."""
        # bypass_csp: the checks inject axe-core and deliberate breakage as inline script and
        # style, which the app's policy rightly refuses; test_browser runs the pages under it.
        context = browser.new_context(storage_state=self.session(browser, kind.who),
                                      bypass_csp=True, **device)
        page = context.new_page()
        response = page.goto(self.base + kind.path.format(**self.plans))
        assert response.ok, f"{kind}: {kind.path} answered {response.status}"
        if kind.open_first:
            page.locator(kind.open_first).first.click()
        page.locator(kind.proof).first.wait_for(state="visible", timeout=5000)
        page.evaluate("document.activeElement && document.activeElement.blur()")
        return page

    def session(self, browser, who: str | None):
        if who is None:
            return None
        if who not in self.sessions:
            context = browser.new_context()
            page = context.new_page()
            sign_in(page, self.base, email(who))
            self.sessions[who] = context.storage_state()
            context.close()
        return self.sessions[who]


def sign_in(page, base: str, address: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Email").fill(address)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert not page.url.endswith("/login"), f"{address} could not sign in"


def send_goals_for_review(browser, base: str) -> None:
    """The demo has nothing waiting for review and no withdrawn evidence; the hire makes both,
    as a person would: one goal sent for review, another sent and then withdrawn."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, base, email(REVIEWED_HIRE))
    sent = []
    for note in ("Read the design docs; notes in the wiki.", "Sent too early, withdrawn."):
        others = "".join(f":not({goal_id})" for goal_id in sent)
        goal = page.locator(f"li.goal{others}", has=page.locator("text=Send for review")).first
        sent.append("#" + goal.get_attribute("id"))
        goal.locator("summary").first.click()
        goal.get_by_role("textbox", name="Your note").fill(note)
        with page.expect_navigation():
            goal.get_by_role("button", name="Send for review").click()
    goal = page.locator(sent[-1])
    goal.locator("summary").first.click()
    with page.expect_navigation():
        goal.get_by_role("button", name="Withdraw").click()
    context.close()


def record_sweep_problem(plan_id: int) -> None:
    """A plan the sweep could not work out, as the sweep records one, for the outbox page's
    list of problems (the demo's plans all sweep cleanly)."""
    from tracker.models import utcnow
    from tracker.reminders.problems import MILESTONES, describe

    sweep_problems.record({plan_id: describe(MILESTONES, OverflowError(
        "date value out of range"))}, utcnow())
    db.session.commit()


def add_webhook() -> int:
    """An endpoint with a test event waiting, for the webhook pages (the demo has none)."""
    hr = db.session.scalar(sa.select(User).where(User.email == email(ADMIN)))
    endpoint, _ = webhooks.create_endpoint("https://hooks.example.com/onboarding",
                                           ["hire.created", "plan.at_risk"], hr)
    webhooks.send_test(endpoint, hr)
    db.session.commit()
    return endpoint.id


def add_tokens() -> None:
    """Two access tokens of the manager's, one used, for the list on her preferences page
    (the demo has none)."""
    maya = db.session.scalar(sa.select(User).where(User.email == email(MANAGER)))
    _, raw = access_tokens.create_token(maya, "HRIS sync", read_only=True)
    access_tokens.create_token(maya, "Team dashboard script", read_only=False)
    db.session.commit()
    access_tokens.authenticate(f"Bearer {raw}")


def release_template_update(folder) -> None:
    """A newer version of Ben's role (the MLOps engineer), so his plan has changes to adopt
    (the demo's plans are all on the latest versions): one goal reworded, one added."""
    library = folder / "library"
    shutil.copytree(PACKAGE_LIBRARY, library)
    path = library / "roles" / "mlops-engineer.yaml"
    data = yaml.safe_load(path.read_text())
    goals = data["milestones"]["d60"]["goals"]
    goals[0]["title"] += " and write down what you learned"
    goals.append({"key": "review-alerts-with-the-on-call-team", "title":
                  "Review the alerts with the on-call team", "owner": "hire",
                  "description": "Go through a week of alerts and retire the noisy ones.",
                  "evidence_required": True, "evidence_hint": "The alerts you changed."})
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    load_library(library)
    db.session.commit()


def open_draft(slug: str) -> None:
    """A draft in the studio for the editor's page (the demo has none), as HR starts one."""
    hr = db.session.scalar(sa.select(User).where(User.email == email(ADMIN)))
    drafts.start_from(current_version(slug), hr)
    db.session.commit()


@pytest.fixture(scope="module")
def site(browser, tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("a11y") / "a11y.sqlite3")
    with app.app_context():
        rows = db.session.execute(
            sa.select(Plan.id, User.email).join(User, Plan.hire_id == User.id))
        plans = {address.split("@")[0].replace(".", "_"): plan_id for plan_id, address in rows}
        record_sweep_problem(plans["felix_wagner"])
        release_template_update(tmp_path_factory.mktemp("library"))
        open_draft("data-engineer")
        plans["webhook"] = add_webhook()  # not a plan: the paths are formatted with these
        add_tokens()
    with serving(app) as base:
        send_goals_for_review(browser, base)
        yield Site(base, plans, {})


DEVICES = [pytest.param(DESKTOP, id="desktop"), pytest.param(PHONE, id="phone")]
