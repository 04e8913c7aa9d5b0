"""HR creates a hire: the dry-run preview, the saved plan, every refusal, rehires, and access."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, UserFactory, cast, days_ago, make_plan
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    GoalSource,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    User,
)
from tracker.services.accounts import find_user
from tracker.services.plans import preview
from tracker.services.role_versions import current_baseline, current_version

START = date.today() + timedelta(days=14)
ROLE = "data-engineer"


def build_world(app):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "buddy", "hire", "other_hire")
        UserFactory(email="left@example.com", name="Lou Leaver", active=False, password=None)
        PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                    start=days_ago(40))
        PlanFactory(hire=people.other_hire, manager=people.other_manager, role=ROLE)
        db.session.commit()
    return SimpleNamespace()


world = cached_world(build_world)


def hire_form(**changes):
    data = {"name": "Nina New", "email": "nina@example.com", "timezone": "Europe/Berlin",
            "role": ROLE, "start_date": START.isoformat(), "manager": "manager@example.com",
            "buddy": "buddy@example.com", "baseline": "y", "create": "Create hire and plan"}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def counts(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (User, Plan, PlanMilestone, PlanGoal, AuditEvent)}


def expected_goals(app, baseline: bool) -> int:
    with app.app_context():
        items = preview(current_version(ROLE), START,
                        baseline=current_baseline() if baseline else None)
        return sum(len(item.goals) for item in items)


@pytest.fixture
def admin(app, client, world):
    login_as(client, app, "admin@example.com")
    return client


def test_the_form_starts_with_the_default_time_zone_and_the_baseline_ticked(app, admin):
    page = admin.get("/admin/hires/new").get_data(as_text=True)
    assert f'value="{app.config["DEFAULT_TIMEZONE"]}"' in page
    assert '<input checked id="baseline" name="baseline" type="checkbox"' in page
    assert '<option value="manager@example.com">Maya Manager</option>' in page
    assert '<option value="left@example.com">' not in page  # inactive people are not offered
    assert "Data Engineer" in page


def test_preview_shows_dates_and_goals_and_saves_nothing(app, admin):
    before = counts(app)
    response = admin.post("/admin/hires/new", data=hire_form(create=None, preview="Preview dates"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert counts(app) == before
    with app.app_context():
        items = preview(current_version(ROLE), START, baseline=current_baseline())
    for item in items:
        assert f"{item.due:%a} {item.due.day} {item.due:%b %Y}" in page  # with the weekday
        assert f"{len(item.goals)} goal" in page
        assert item.goals[0][1].title.replace("'", "&#39;") in page
    assert "Company baseline" in page and "Nothing has been saved" in page
    assert 'value="Nina New"' in page  # the input stays for "Create"


def test_preview_without_baseline_lists_only_role_goals(app, admin):
    page = admin.post("/admin/hires/new", data=hire_form(
        create=None, preview="Preview dates", baseline=None)).get_data(as_text=True)
    assert "Company baseline" not in page and "Get accounts and access in place" not in page


def test_preview_needs_only_role_and_start_date(app, admin):
    response = admin.post("/admin/hires/new", data={"role": ROLE, "start_date": START.isoformat(),
                                                    "preview": "Preview dates"})
    assert response.status_code == 200
    assert "Nothing has been saved" in response.get_data(as_text=True)
    refused = admin.post("/admin/hires/new", data={"role": ROLE, "preview": "Preview dates"})
    assert refused.status_code == 422
    assert "Nothing has been saved" not in refused.get_data(as_text=True)


@pytest.mark.parametrize("baseline", [True, False])
def test_create_makes_one_user_one_plan_five_milestones_and_the_goals(app, admin, baseline):
    before = counts(app)
    response = admin.post("/admin/hires/new", data=hire_form(baseline="y" if baseline else None))
    assert response.status_code == 302
    after = counts(app)
    assert after["User"] == before["User"] + 1 and after["Plan"] == before["Plan"] + 1
    assert after["PlanMilestone"] == before["PlanMilestone"] + 5
    assert after["PlanGoal"] == before["PlanGoal"] + expected_goals(app, baseline)
    with app.app_context():
        nina = find_user("nina@example.com")
        plan = db.session.scalar(sa.select(Plan).where(Plan.hire_id == nina.id))
        assert response.headers["Location"] == f"/plans/{plan.id}"
        assert nina.password_hash is None and nina.timezone == "Europe/Berlin" and nina.active
        assert plan.manager.email == "manager@example.com"
        assert plan.buddy.email == "buddy@example.com"
        assert (plan.baseline_version is not None) == baseline
        sources = {g.source for m in plan.milestones for g in m.goals}
        assert (GoalSource.BASELINE in sources) == baseline
        assert db.session.scalar(sa.select(AuditEvent.actor_id).where(
            AuditEvent.plan_id == plan.id, AuditEvent.action == "plan.created")) == find_user(
            "admin@example.com").id
    landed = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Created Nina New and their plan" in landed


def test_a_buddy_is_optional(app, admin):
    assert admin.post("/admin/hires/new", data=hire_form(buddy="")).status_code == 302
    with app.app_context():
        assert db.session.scalar(sa.select(Plan.buddy_id).join(User, User.id == Plan.hire_id)
                                 .where(User.email == "nina@example.com")) is None


REFUSALS = [
    ({"manager": "nobody@example.com"}, "manager",
     "nobody active has the email nobody@example.com"),
    ({"manager": "left@example.com"}, "manager", "nobody active has the email left@example.com"),
    ({"manager": "NINA@example.com"}, "manager", "the manager must be someone other than the hire"),
    ({"buddy": "nina@example.com"}, "buddy", "the buddy must be someone other than the hire"),
    ({"buddy": "manager@example.com"}, "buddy", "the buddy must be someone other than the hire"),
    ({"buddy": "ghost@example.com"}, "buddy", "nobody active has the email ghost@example.com"),
    ({"email": "hire@example.com"}, "email", "hire@example.com already has an active plan"),
    ({"timezone": "Mars/Olympus"}, "timezone", "is not a time zone"),
    ({"timezone": "Europe"}, "timezone", "is not a time zone"),  # a folder, not a zone
    ({"timezone": "Etc"}, "timezone", "is not a time zone"),
    ({"name": "Eve\r\nBcc: all@example.com"}, "name", "remove the line break from the name"),
    ({"name": ""}, "name", "this is required"),
    ({"email": ""}, "email", "this is required"),
    ({"manager": ""}, "manager", "this is required"),
    ({"role": ""}, "role", "choose a role"),
    ({"role": "company-baseline"}, "role", "choose one of the roles in the list"),
    ({"start_date": ""}, "start_date", "this is required"),
    ({"start_date": "next week"}, "start_date", "Not a valid date value"),
    ({"start_date": (date.today() - timedelta(days=400)).isoformat()}, "start_date",
     "is more than a year ago"),
    ({"start_date": (date.today() + timedelta(days=800)).isoformat()}, "start_date",
     "is more than two years ahead"),
]


@pytest.mark.parametrize("changes,field,message", REFUSALS,
                         ids=[f"{f}:{m[:24]}" for _, f, m in REFUSALS])
def test_each_refusal_names_the_field_keeps_the_input_and_saves_nothing(
        app, admin, changes, field, message):
    before = counts(app)
    data = hire_form(**changes)
    response = admin.post("/admin/hires/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" id="{field}-error">' in page
    error = page.split(f'<p class="error" id="{field}-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    for name in ("name", "email", "timezone", "manager", "buddy"):
        if data.get(name):
            assert f'value="{data[name]}"' in page, name
    assert counts(app) == before


def test_an_existing_person_without_an_active_plan_is_rehired_with_their_account(app, admin):
    with app.app_context():
        leaver = find_user("left@example.com")
        old = make_plan(leaver, find_user("manager@example.com"), role=ROLE,
                        start=date.today() - timedelta(days=300))
        old.status = PlanStatus.ARCHIVED
        db.session.commit()
    before = counts(app)
    response = admin.post("/admin/hires/new", data=hire_form(email="Left@Example.com",
                                                             name="Lou Returning"))
    assert response.status_code == 302
    assert counts(app)["User"] == before["User"]
    assert counts(app)["Plan"] == before["Plan"] + 1
    with app.app_context():
        leaver = find_user("left@example.com")
        assert leaver.active and leaver.timezone == "Europe/Berlin"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(
            Plan.hire_id == leaver.id, Plan.status == PlanStatus.ACTIVE)) == 1
    landed = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "already had an account" in landed and "rehired" in landed


def test_nav_offers_new_hire_to_admins_only(app, client, world):
    login_as(client, app, "admin@example.com")
    page = client.get("/admin/plans").get_data(as_text=True)
    assert '<li><a href="/admin/hires/new">New hire</a></li>' in page
    login_as(client, app, "manager@example.com")
    assert "New hire" not in client.get("/team").get_data(as_text=True)


VIEWERS = ["admin", "manager", "other.manager", "hire", "other.hire", "buddy", None]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("viewer", VIEWERS)
def test_access_matrix(app, client, world, method, viewer):
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    before = counts(app)
    response = client.open("/admin/hires/new", method=method, data=hire_form())
    expected = {"admin": 200 if method == "GET" else 302, None: 302}.get(viewer, 403)
    assert response.status_code == expected
    if viewer is None:
        assert response.headers["Location"].startswith("/login")
    if viewer != "admin" or method == "GET":
        assert counts(app) == before
