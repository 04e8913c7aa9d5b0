"""What every browser test module shares: Chromium, a live demo server, signing in.

Each module that drives a browser imports the fixtures from here, so the launch flags, the
skip-or-fail rule and the way the app is served are written once. The server fixture is
module-scoped: a module's tests may change the demo company, and the next module starts over.

Skips with the reason when Chromium or Playwright is missing, unless TRACKER_REQUIRE_BROWSER=1
(CI), which makes that a failure.
"""
from __future__ import annotations

import contextlib
import os
import threading
import time

import pytest
from werkzeug.serving import make_server

from tracker import create_app
from tracker.extensions import db
from tracker.services.demo import DEMO_PASSWORD, seed_demo

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
               "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("TRACKER_REQUIRE_BROWSER") == "1":
        pytest.fail(reason + " (TRACKER_REQUIRE_BROWSER=1 makes this a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    need(os.path.exists(CHROMIUM), f"{CHROMIUM} is missing: apt-get install -y chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        need(False, "playwright is not installed: pip install -e '.[test]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def demo_app(path):
    """The app on a fresh SQLite file holding the demo company, CSRF on as in production."""
    app = create_app("testing", DATABASE_URL=f"sqlite:///{path}", WTF_CSRF_ENABLED=True)
    with app.app_context():
        db.create_all()
        seed_demo()
        db.session.commit()
    return app


@contextlib.contextmanager
def serving(app):
    """Serve ``app`` over real HTTP on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base  # links in pages and emails name this server, as deployed
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory):
    app = demo_app(tmp_path_factory.mktemp("e2e") / "e2e.sqlite3")
    with serving(app) as base:
        yield base


def sign_in_with_keyboard(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.get_by_label("Email").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll a JavaScript expression until it is true.

    ``page.wait_for_function`` evaluates its string inside the page, which the app's
    Content-Security-Policy (no eval) rightly refuses; ``page.evaluate`` is not bound by it.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
