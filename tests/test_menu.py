"""The top bar shows each person the pages they can use, and only those (the policy's menu)."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import PlanStatus
from tracker.services.site_policy import MENU


def menu_labels(page: str) -> list[str]:
    nav = page[page.index('<nav aria-label="Main">'):page.index("</nav>")]
    return re.findall(r'<a href="[^"]+"(?: aria-current="page")?>([^<]+)</a>', nav)


@pytest.fixture
def people(app, library):
    with app.app_context():
        manager, hire = make_user("manager@example.com"), make_user("hire@example.com")
        make_user("admin@example.com", is_admin=True)
        make_plan(hire, manager)
        former = make_user("former.manager@example.com")
        make_plan(make_user(), former).status = PlanStatus.COMPLETED
        db.session.commit()


@pytest.mark.parametrize("who,expected", [
    ("hire", ["My plans", "Email"]),
    ("manager", ["My plans", "My team", "Reviews", "Email"]),
    ("former.manager", ["My plans", "Email"]),  # their only report finished: no team today
    ("admin", ["My plans", "All plans", "New hire", "Reports", "Studio", "Outbox", "Email"]),
])
def test_the_menu_holds_only_what_the_person_can_use(app, client, people, who, expected):
    login_as(client, app, f"{who}@example.com")
    page = client.get("/preferences").get_data(as_text=True)
    assert menu_labels(page) == expected
    assert set(expected) <= {label for _, label, _ in MENU}


def test_the_current_page_is_marked_in_the_menu(app, client, people):
    login_as(client, app, "manager@example.com")
    page = client.get("/team").get_data(as_text=True)
    assert '<a href="/team" aria-current="page">My team</a>' in page


def test_signed_out_visitors_get_no_menu(app, client):
    assert '<nav aria-label="Main">' not in client.get("/login").get_data(as_text=True)
