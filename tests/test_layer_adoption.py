"""Adopting a newer version of a plan's layer (issue 9, part 4 for layers), over HTTP.

The platform team's layer moves to version 2: it rewords the goal it adds at 30 days (which the
hire already sent evidence for), adds a goal at 90 days, stops adding its 6-month goal, and
newly drops a baseline goal at 90 days. The manager adopts each; evidence stays, the plan moves
to version 2 of the layer, and each decision is audited.
"""
import shutil

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import login_as
from tests.factories import cast
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    EvidenceKind,
    GoalSource,
    GoalTemplate,
    Plan,
    PlanAdoption,
    PlanGoal,
    PlanLayer,
)
from tracker.services.goals import submit_evidence
from tracker.services.layers import layer_versions
from tracker.services.plans import create_plan
from tracker.services.progress import local_today
from tracker.services.role_library import PACKAGE_LIBRARY
from tracker.services.role_versions import current_baseline, current_version, load_library

ROLE = "machine-learning-engineer"
LAYER = "platform-team"
REWORDED = "learn-the-platform-services-and-their-users"  # the layer adds it at 30 days
ADDED = "pair-on-a-platform-capacity-review"
GONE = "improve-a-self-service-path-for-other-teams"  # the layer's 6-month goal
NEW_TITLE = "Map the platform's services, their users and their busiest questions"


def release(tmp_path):
    copy = tmp_path / "library"
    shutil.copytree(PACKAGE_LIBRARY, copy)
    path = copy / "layers" / f"{LAYER}.yaml"
    data = yaml.safe_load(path.read_text())
    milestones = data["milestones"]
    milestones["d30"]["goals"][0]["title"] = NEW_TITLE
    milestones["d90"]["goals"].append({
        "key": ADDED, "title": "Pair on a platform capacity review",
        "description": "Sit with the capacity owner through one monthly review of the clusters "
                       "and note what drives the next quarter's growth.",
        "owner": "hire", "evidence_required": False,
        "evidence_hint": "Tick once the review is held and the notes are shared."})
    del milestones["m6"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy


@pytest.fixture
def world(app, client, library, tmp_path):
    with app.app_context():
        people = cast("manager", "hire")
        plan = create_plan(version=current_version(ROLE), start=local_today("UTC"),
                           hire=people.hire, manager=people.manager,
                           baseline=current_baseline(), layers=layer_versions([LAYER]))
        db.session.flush()
        goal = next(g for m in plan.milestones for g in m.goals
                    if g.template_goal and g.template_goal.key == REWORDED)
        goal.evidence_required = True
        submit_evidence(plan, goal, people.hire, kind=EvidenceKind.NOTE, note="Mapped them.")
        db.session.commit()
        # A baseline goal at 90 days for version 2 to drop, from this plan's own goals.
        dropped = next(g.template_goal.key for m in plan.milestones if m.key.value == "d90"
                       for g in m.goals if g.source == GoalSource.BASELINE)
        copy = release(tmp_path)
        data = yaml.safe_load((copy / "layers" / f"{LAYER}.yaml").read_text())
        data["milestones"]["d90"].setdefault("drops", []).append(dropped)
        (copy / "layers" / f"{LAYER}.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
        load_library(copy)
        db.session.commit()
        plan_id = plan.id
    login_as(client, app, "manager@example.com")
    return {"plan": plan_id, "dropped": dropped}


def keys_of(app, plan_id) -> dict[str, tuple]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(GoalTemplate.key, PlanGoal.title, PlanGoal.status, PlanGoal.source,
                      sa.func.count())
            .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
            .outerjoin(PlanGoal.evidence).where(PlanGoal.plan_id == plan_id)
            .group_by(GoalTemplate.key, PlanGoal.title, PlanGoal.status, PlanGoal.source)).all()
        return {key: (title, status.value, source.value, n) for key, title, status, source, n
                in rows}


def test_the_manager_adopts_a_layers_new_version_goal_by_goal(app, client, world):
    plan_id = world["plan"]
    page = client.get(f"/plans/{plan_id}/template-changes").get_data(as_text=True)
    assert "Platform team: version 1 → 2" in page
    for ident in (f"layer:{REWORDED}", f"layer:{ADDED}", f"layer:{GONE}",
                  f"layer:{world['dropped']}"):
        assert f'value="{ident}"' in page
    assert client.get(f"/plans/{plan_id}").get_data(as_text=True).count("4 changes") >= 1

    before = keys_of(app, plan_id)
    for ident in (REWORDED, ADDED, GONE, world["dropped"]):
        response = client.post(f"/plans/{plan_id}/template-changes/adopt",
                               data={"change": f"layer:{ident}"})
        assert response.status_code in (302, 303), response.get_data(as_text=True)[:300]
    after = keys_of(app, plan_id)
    assert after[REWORDED][0] == NEW_TITLE and after[REWORDED][1:] == before[REWORDED][1:]
    assert after[REWORDED][3] == 1  # its evidence stays
    assert after[ADDED][1:3] == ("open", "layer")
    assert GONE not in after  # no work was done on it: it goes
    assert world["dropped"] not in after
    with app.app_context():
        layer = db.session.scalar(sa.select(PlanLayer).where(PlanLayer.plan_id == plan_id))
        assert layer.version.number == 2  # every change decided: the plan is on version 2
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanAdoption)) == 4
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "template.change_adopted")) == 4
        assert db.session.get(Plan, plan_id).role_version.number == 1  # the role is untouched
    assert "Nothing is waiting" in client.get(
        f"/plans/{plan_id}/template-changes").get_data(as_text=True)


def test_staying_on_a_layer_version_holds_until_it_changes_again(app, client, world):
    plan_id = world["plan"]
    assert client.post(f"/plans/{plan_id}/template-changes/stay").status_code in (302, 303)
    page = client.get(f"/plans/{plan_id}/template-changes").get_data(as_text=True)
    assert "Nothing is waiting" in page
    assert keys_of(app, plan_id)[REWORDED][0] != NEW_TITLE
