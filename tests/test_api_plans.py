"""The JSON API's hires and plans (issue 12, part 1): the same rules and services as the pages,
errors in one shape, and a fixed number of SQL statements per list page."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.api_support import as_person
from tests.conftest import count_queries
from tests.factories import PlanFactory, cast, days_ago, make_user
from tracker.extensions import db
from tracker.models import AuditEvent, Plan, PlanStatus, User

START = (date.today() + timedelta(days=10)).isoformat()
NEW_HIRE = {"name": "Nia New", "email": "nia@example.com", "role": "machine-learning-engineer",
            "start_date": START, "manager_email": "manager@example.com",
            "timezone": "Europe/Berlin", "layers": ["platform-team"]}


@pytest.fixture
def world(app, library):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "hire", "other_hire", "buddy")
        mine = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        other = PlanFactory(hire=people.other_hire, manager=people.other_manager,
                            start=days_ago(3))
        db.session.commit()
        return SimpleNamespace(plan=mine.id, other=other.id)


def test_without_a_token_or_session_the_api_answers_401_in_its_one_shape(client, world):
    response = client.get("/api/v1/plans")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert set(response.get_json()["error"]) == {"code", "message", "fields"}
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_hr_creates_a_hire_and_reads_the_plan_back(app, client, world):
    hr = as_person(app, client, "admin@example.com")
    created = hr.post("/plans", NEW_HIRE)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["hire"]["email"] == "nia@example.com" and body["rehired"] is False
    assert body["role"]["slug"] == "machine-learning-engineer"
    assert body["layers"] == ["platform-team"]
    assert [m["key"] for m in body["milestones"]] == ["d30", "d60", "d90", "m6", "m12"]
    assert body["progress"]["done"] == 0 and body["progress"]["total"] > 10
    again = hr.get(f"/plans/{body['id']}").get_json()
    assert again["milestones"] == body["milestones"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "plan.created")) >= 1


@pytest.mark.parametrize("change,field", [
    ({"role": "astronaut"}, "role"), ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"manager_email": "nobody@example.com"}, "manager"), ({"email": "not-an-email"}, "email"),
    ({"start_date": "2026-02-30"}, "start_date"), ({"layers": ["no-such-layer"]}, "layers"),
    ({"surprise": 1}, "surprise"),
])
def test_a_refused_hire_names_the_field_and_creates_nothing(app, client, world, change, field):
    hr = as_person(app, client, "admin@example.com")
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    refused = hr.post("/plans", NEW_HIRE | change)
    assert refused.status_code == 422
    error = refused.get_json()["error"]
    assert error["code"] == "invalid" and error["message"]
    assert any(name.startswith(field) for name in error["fields"]), error
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == before


def test_only_hr_creates_hires(app, client, world):
    manager = as_person(app, client, "manager@example.com")
    refused = manager.post("/plans", NEW_HIRE)
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"


def test_people_list_only_their_own_plans_and_hr_lists_every_plan(app, client, world):
    def ids(email, query=""):
        return [p["id"] for p in as_person(app, client, email).get("/plans" + query)
                .get_json()["items"]]
    assert ids("hire@example.com") == [world.plan]
    assert ids("buddy@example.com") == [world.plan]
    assert ids("other.manager@example.com") == [world.other]
    assert sorted(ids("admin@example.com")) == sorted([world.plan, world.other])
    assert ids("admin@example.com", "?role=data-engineer") == []
    assert ids("admin@example.com", "?per_page=1&page=2") == [world.plan]  # newest start first


def test_a_plan_outside_your_relations_does_not_exist(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    missing = hire.get(f"/plans/{world.other}")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert hire.get("/plans/999999").status_code == 404


def test_hr_changes_people_and_start_date_then_archives(app, client, world):
    hr = as_person(app, client, "admin@example.com")
    new_start = days_ago(20).isoformat()
    changed = hr.patch(f"/plans/{world.plan}", {"manager_email": "other.manager@example.com",
                                                "buddy_email": "", "start_date": new_start})
    assert changed.status_code == 200, changed.get_json()
    body = changed.get_json()
    assert body["manager"]["email"] == "other.manager@example.com" and body["buddy"] is None
    assert body["start_date"] == new_start
    assert body["milestones"][0]["due_date"] == (days_ago(20) + timedelta(days=30)).isoformat() \
        or body["milestones"][0]["due_date"] > new_start  # moved off a weekend
    archived = hr.post(f"/plans/{world.plan}/archive")
    assert archived.status_code == 200 and archived.get_json()["status"] == "archived"
    twice = hr.post(f"/plans/{world.plan}/archive")
    assert twice.status_code == 422 and "already archived" in twice.get_json()["error"]["message"]
    manager = as_person(app, client, "manager@example.com")
    assert manager.patch(f"/plans/{world.other}", {"buddy_email": ""}).status_code == 404
    with app.app_context():
        assert db.session.get(Plan, world.plan).status == PlanStatus.ARCHIVED


def test_the_plan_list_costs_the_same_sql_for_one_plan_or_many(app, client, world):
    hr = as_person(app, client, "admin@example.com")
    hr.get("/plans")  # warm: the first request loads what every request shares

    def statements():
        with count_queries(app) as seen:
            assert hr.get("/plans").status_code == 200
        return len(seen)

    few = statements()
    with app.app_context():
        def person(email):
            return db.session.scalar(sa.select(User).where(User.email == email))
        manager, buddy = person("manager@example.com"), person("buddy@example.com")
        for n in range(6):
            PlanFactory(hire=make_user(f"extra{n}@example.com"), manager=manager,
                        start=days_ago(n), buddy=buddy if n % 2 else None)
        db.session.commit()
    assert statements() == few
