"""Layers on a hire's plan: HR picks them, the plan gets the merge, a bad choice saves nothing."""
import shutil
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import GoalSource, GoalTemplate, Plan, PlanGoal, PlanLayer, User
from tracker.services.accounts import find_user
from tracker.services.adoption import adopt_all
from tracker.services.errors import InputError
from tracker.services.layers import layer_versions, merge
from tracker.services.plans import create_plan
from tracker.services.role_library import PACKAGE_LIBRARY
from tracker.services.role_versions import current_baseline, current_version, load_library
from tracker.services.template_updates import pending_changes

START = date.today() + timedelta(days=14)
ROLE = "data-engineer"
ADDED = {"learn-the-platform-services-and-their-users",
         "ship-a-change-through-the-platform-pipeline",
         "handle-a-week-of-platform-support-requests",
         "improve-a-self-service-path-for-other-teams"}
REPLACED = "read-the-team-runbooks-and-the-incident-process"
DROPPED = "learn-the-company-s-products-and-customers"
ACCESS = "get-accounts-and-access-in-place"
PLATFORM_TITLE = "Learn the platform's incident process and shadow its on-call for a week"
STARTUP_TITLE = "Learn the team's light incident process and write a first runbook"


@pytest.fixture
def admin(app, client, library):
    with app.app_context():
        cast("admin", "manager")
        db.session.commit()
    login_as(client, app, "admin@example.com")
    return client


def hire_form(**changes):
    data = {"name": "Nina New", "email": "nina@example.com", "timezone": "Europe/Berlin",
            "role": ROLE, "start_date": START.isoformat(), "manager": "manager@example.com",
            "baseline": "y", "create": "Create hire and plan"}
    data.update(changes)
    return data


def rows(app):
    with app.app_context():
        return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model))
                for model in (User, Plan, PlanGoal, PlanLayer)}


def plan_goals(app) -> dict[str, PlanGoal]:
    """Nina's plan goals by template key, detached with what the tests read."""
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).join(User, User.id == Plan.hire_id)
                                 .where(User.email == "nina@example.com"))
        found = db.session.execute(
            sa.select(GoalTemplate.key, PlanGoal.source, PlanGoal.title, PlanGoal.milestone_id)
            .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
            .where(PlanGoal.plan_id == plan.id)).all()
        return {key: (source, title) for key, source, title, _ in found}


def test_the_form_offers_each_layer_as_a_labelled_checkbox_with_its_summary(admin):
    page = admin.get("/admin/hires/new").get_data(as_text=True)
    assert '<legend>Layers (optional)</legend>' in page
    for slug in ("platform-team", "startup", "regulated-environment", "large-enterprise"):
        assert f'name="layers" value="{slug}"' in page
    assert 'aria-describedby="layers-0-summary"' in page and 'id="layers-0-summary"' in page
    assert "shared machine learning infrastructure" in page  # the platform team's summary


def test_the_preview_shows_layer_goals_and_what_they_took_out_and_saves_nothing(app, admin):
    before = rows(app)
    response = admin.post("/admin/hires/new", data=hire_form(
        create=None, preview="Preview dates", layers="platform-team"))
    assert response.status_code == 200 and rows(app) == before
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert "<strong>Layers</strong>" in page and f"{PLATFORM_TITLE} <span" in page
    assert "(hire, Platform team (replaces a lower goal))" in page
    assert "Platform team drops: Learn the company's products, customers and strategy" in page
    assert "Platform team replaces: Learn how incidents are declared" in page


def test_creating_a_hire_with_the_platform_team_adds_replaces_and_drops_by_key(app, admin):
    with app.app_context():
        expected = sum(len(m.goals) for v in (current_version(ROLE), current_baseline())
                       for m in v.milestones)
    before = rows(app)
    response = admin.post("/admin/hires/new", data=hire_form(layers="platform-team"))
    assert response.status_code == 302, response.get_data(as_text=True)
    after = rows(app)
    assert after["Plan"] == before["Plan"] + 1 and after["PlanLayer"] == before["PlanLayer"] + 1
    assert after["PlanGoal"] == before["PlanGoal"] + expected + len(ADDED) - 1  # one dropped
    goals = plan_goals(app)
    assert len(goals) == expected + len(ADDED) - 1
    assert {key for key, (source, _) in goals.items() if source == GoalSource.LAYER} == (
        ADDED | {REPLACED})
    assert goals[REPLACED] == (GoalSource.LAYER, PLATFORM_TITLE)
    assert DROPPED not in goals
    with app.app_context():
        layer = db.session.scalars(sa.select(PlanLayer)).one()
        assert (layer.version.template.slug, layer.position) == ("platform-team", 0)
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "Data Engineer (template v1) + Platform team (v1)" in page


def test_a_later_layer_replaces_what_an_earlier_one_replaced(app, admin):
    """Startup replaces the incident-process goal; the platform team, merged after, wins."""
    response = admin.post("/admin/hires/new", data=hire_form(layers=["platform-team", "startup"]))
    assert response.status_code == 302
    goals = plan_goals(app)
    assert goals[REPLACED][1] == PLATFORM_TITLE
    assert goals["ship-a-small-change-end-to-end"][0] == GoalSource.LAYER
    with app.app_context():
        assert [row.version.template.slug for row in db.session.scalars(
            sa.select(PlanLayer).order_by(PlanLayer.position))] == ["startup", "platform-team"]


def test_an_unknown_layer_is_refused_and_nothing_is_saved(app, admin):
    before = rows(app)
    response = admin.post("/admin/hires/new", data=hire_form(layers=["startup", "sales-team"]))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "&#39;sales-team&#39; is not a layer; choose from the list" in page
    assert 'id="layers-error"' in page
    assert rows(app) == before
    with app.app_context():
        assert find_user("nina@example.com") is None


def test_a_layer_dropping_a_key_this_role_lacks_is_named_and_nothing_is_saved(app, admin,
                                                                              tmp_path):
    """A layer written for data engineers drops one of their goals; on another role the key is
    missing, and HR is told which layer, which key and which templates lack it."""
    library = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, library)
    key = yaml.safe_load((library / "roles" / f"{ROLE}.yaml").read_text())[
        "milestones"]["d30"]["goals"][0]["key"]
    (library / "layers" / "data-team.yaml").write_text(yaml.safe_dump({
        "slug": "data-team", "name": "Data team", "type": "team",
        "summary": "Goals for anyone who joins the data team.",
        "milestones": {"d30": {"drops": [key]}}}))
    with app.app_context():
        load_library(library)
        db.session.commit()
    assert admin.post("/admin/hires/new", data=hire_form(
        layers="data-team", email="ok@example.com")).status_code == 302
    before = rows(app)
    response = admin.post("/admin/hires/new", data=hire_form(
        role="machine-learning-engineer", layers="data-team"))
    assert response.status_code == 422
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert (f"Data team drops '{key}' in 30 days, but Company baseline + Machine Learning "
            "Engineer has no goal with that key") in page
    assert rows(app) == before


def test_the_service_merges_in_the_order_it_is_given(app, library):
    """The form always sends contexts before teams; a caller of the service picks the order,
    and the later layer's replacement wins."""
    with app.app_context():
        role, baseline = current_version(ROLE), current_baseline()
        merged = merge(role, baseline, layer_versions(["platform-team", "startup"]))
        d60 = {goal.key: (source, goal.title) for source, goal in merged.goals["d60"]}
        assert d60[REPLACED] == (GoalSource.LAYER, STARTUP_TITLE)
        assert DROPPED not in d60
        assert [(goal.key, by.milestone.version.template.slug) for goal, by in
                merged.removed["d60"]] == [(REPLACED, "platform-team"), (DROPPED, "platform-team"),
                                           (REPLACED, "startup")]
        with pytest.raises(InputError, match="Startup adds 'ship-a-small-change-end-to-end' in "
                                             "30 days, but Company baseline [+] Data Engineer [+]"
                                             " Startup has a goal with that key already"):
            merge(role, baseline, layer_versions(["startup"]) * 2)
        with pytest.raises(InputError, match="each layer can be chosen once"):
            layer_versions(["startup", "startup"])
        with pytest.raises(InputError, match="'data-engineer' is not a layer"):
            layer_versions([ROLE])


def test_a_newer_baseline_leaves_what_a_layer_replaced_or_dropped_alone(app, library, tmp_path):
    """Adoption compares the role and the baseline by key; a goal a layer replaced or dropped
    is the layer's choice, so a newer baseline offers only its other changes."""
    copy = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, copy)
    path = copy / "baseline.yaml"
    data = yaml.safe_load(path.read_text())
    for entry in data["milestones"].values():
        for goal in entry["goals"]:
            if goal["key"] in (REPLACED, DROPPED, ACCESS):
                goal["title"] += " (reworded)"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with app.app_context():
        people = cast("manager", "hire")
        plan = create_plan(version=current_version(ROLE), start=START, hire=people.hire,
                           manager=people.manager, baseline=current_baseline(),
                           layers=layer_versions(["platform-team"]))
        db.session.commit()
        load_library(copy)
        db.session.commit()
        assert [change.key for change in pending_changes(plan)] == [ACCESS]
        assert adopt_all(plan) == 1
        db.session.commit()
        titles = [goal.title for milestone in plan.milestones for goal in milestone.goals]
        assert PLATFORM_TITLE in titles
        assert [title for title in titles if "(reworded)" in title] == [
            "Get accounts and access in place (reworded)"]
