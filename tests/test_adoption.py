"""Adopting template changes into a running plan (issue 9, part 4), over HTTP as people do it.

A plan made from version 1 of the ML engineer template meets a version 2 that adds a goal,
rewords one the hire already finished, and removes one with evidence and one without.
"""
import shutil
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
import yaml

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago
from tracker.extensions import db
from tracker.models import (
    AdoptionDecision,
    AuditEvent,
    EvidenceKind,
    EvidenceStatus,
    GoalStatus,
    GoalTemplate,
    Plan,
    PlanAdoption,
    PlanGoal,
    PlanStatus,
)
from tracker.services.goals import review_goal, submit_evidence
from tracker.services.progress import plan_progress
from tracker.services.role_library import PACKAGE_LIBRARY
from tracker.services.role_versions import load_library

ROLE = "machine-learning-engineer"
REWORDED = "map-the-product-context-and-the-ml-system"  # d30, approved with evidence
RETIRED = "ship-one-small-production-safe-change"  # d30, evidence waiting for review
DROPPED = "write-a-design-doc-for-a-moderate-enhancement"  # d60, open, no evidence
NEIGHBOUR = "take-end-to-end-ownership-of-one-ml-component"  # d60, first
ADDED = "run-a-weekly-model-review-with-data-science"
NEW_TITLE = "Draw the product and its ML system on one page"


class Library:
    """A copy of the shipped library; each ``release`` edits the role and loads a version."""

    def __init__(self, tmp_path):
        self.path = tmp_path / "library"
        shutil.copytree(PACKAGE_LIBRARY, self.path)

    def release(self, change, file=f"roles/{ROLE}.yaml"):
        path = self.path / file
        data = yaml.safe_load(path.read_text())
        change(data["milestones"])
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        load_library(self.path)


def version_2(milestones):
    d30, d60 = milestones["d30"]["goals"], milestones["d60"]["goals"]
    d30[0]["title"] = NEW_TITLE
    milestones["d30"]["goals"] = [g for g in d30 if g["key"] != RETIRED]
    d60[:] = [g for g in d60 if g["key"] != DROPPED]
    d60.insert(1, {"key": ADDED, "title": "Run a weekly model review with data science",
                   "description": "Look at the live models' numbers together every week.",
                   "owner": "hire", "evidence_required": True,
                   "evidence_hint": "Notes from three reviews."})


def version_3(milestones):
    milestones["d90"]["goals"][0]["target"] = "Error budget kept for a quarter"


def goal_by_key(plan_id, key):
    return db.session.scalar(sa.select(PlanGoal).join(GoalTemplate, GoalTemplate.id ==
                                                      PlanGoal.template_goal_id)
                             .where(PlanGoal.plan_id == plan_id, GoalTemplate.key == key))


@pytest.fixture
def world(app, library, tmp_path):
    with app.app_context():
        people = cast("admin", "manager", "hire", "buddy")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(20))
        db.session.flush()
        finished = goal_by_key(plan.id, REWORDED)
        submit_evidence(plan, finished, people.hire, kind=EvidenceKind.NOTE, note="The map.")
        review_goal(plan, finished, people.manager, approve=True, comment="")
        waiting = goal_by_key(plan.id, RETIRED)
        evidence = submit_evidence(plan, waiting, people.hire, kind=EvidenceKind.NOTE,
                                   note="Shipped the flag.")
        db.session.commit()
        shelf = Library(tmp_path)
        shelf.release(version_2)
        db.session.commit()
        return SimpleNamespace(plan=plan.id, library=shelf, evidence=evidence.id,
                               finished=finished.id, waiting=waiting.id,
                               dropped=goal_by_key(plan.id, DROPPED).id)


def adopt(client, world, key):
    return client.post(f"/plans/{world.plan}/template-changes/adopt",
                       data={"change": f"role:{key}"})


def counted(app, plan_id):
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        progress = plan_progress(plan, days_ago(0))
        return progress.total, progress.finished


def test_the_manager_adopts_changes_one_at_a_time(app, client, world):
    login_as(client, app, "manager@example.com")
    assert "Template updated: 4 changes" in client.get(f"/plans/{world.plan}").text
    page = client.get(f"/plans/{world.plan}/template-changes").text
    assert NEW_TITLE in page and "Run a weekly model review" in page
    assert "keeps it, marked retired" in page and "Adopting deletes it" in page
    total_before, finished_before = counted(app, world.plan)

    assert adopt(client, world, ADDED).status_code == 302
    with app.app_context():
        added = goal_by_key(world.plan, ADDED)
        neighbour = goal_by_key(world.plan, NEIGHBOUR)
        assert added.status == GoalStatus.OPEN and added.milestone.key.value == "d60"
        assert added.milestone_id == neighbour.milestone_id
        assert added.position == neighbour.position + 1
        assert [g.position for g in added.milestone.goals] == list(range(
            len(added.milestone.goals)))
        due = added.milestone.due_date
    plan_page = client.get(f"/plans/{world.plan}").text
    d60 = plan_page[plan_page.index('id="milestone-d60"'):plan_page.index('id="milestone-d90"')]
    assert "Run a weekly model review" in d60 and f"{due.day} {due:%b %Y}" in d60

    assert adopt(client, world, REWORDED).status_code == 302
    with app.app_context():
        goal = db.session.get(PlanGoal, world.finished)
        assert goal.title == NEW_TITLE and goal.status == GoalStatus.APPROVED
        assert [e.status for e in goal.evidence] == [EvidenceStatus.APPROVED]
        assert goal.template_goal.milestone.version.number == 2
    assert "Template updated: 2 changes" in client.get(f"/plans/{world.plan}").text

    assert adopt(client, world, RETIRED).status_code == 302
    with app.app_context():
        retired = db.session.get(PlanGoal, world.waiting)
        assert retired.status == GoalStatus.RETIRED and len(retired.evidence) == 1
    assert counted(app, world.plan) == (total_before, finished_before)  # +1 added, -1 retired
    assert "Retired from the template" in client.get(f"/plans/{world.plan}").text

    assert adopt(client, world, DROPPED).status_code == 302
    with app.app_context():
        assert db.session.get(PlanGoal, world.dropped) is None
        plan = db.session.get(Plan, world.plan)
        assert plan.role_version.number == 2
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.plan_id == world.plan, AuditEvent.action.like("%template%"))).all()
        assert sorted(actions) == ["plan.template_version_changed"] + [
            "template.change_adopted"] * 4
        reworded = db.session.scalar(sa.select(AuditEvent).where(
            AuditEvent.action == "template.change_adopted", AuditEvent.target_id == world.finished))
        assert reworded.before["goal"] != NEW_TITLE and reworded.after["goal_after"]["goal"] \
            == NEW_TITLE and reworded.after["changes"] == ["reworded"]
    assert "Template updated" not in client.get(f"/plans/{world.plan}").text
    assert counted(app, world.plan) == (total_before - 1, finished_before)

    with app.app_context():
        world.library.release(version_3)
        db.session.commit()
    assert "Template updated: 1 change<" in client.get(f"/plans/{world.plan}").text


def test_hr_can_keep_the_plan_on_its_version_until_a_newer_one_changes_more(app, client, world):
    login_as(client, app, "admin@example.com")
    response = client.post(f"/plans/{world.plan}/template-changes/stay")
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        assert plan.role_version.number == 1
        decisions = db.session.scalars(sa.select(PlanAdoption.decision)).all()
        assert decisions == [AdoptionDecision.DECLINED] * 4
        assert db.session.get(PlanGoal, world.dropped) is not None
        assert db.session.scalar(sa.select(sa.func.count()).where(
            AuditEvent.action == "template.change_declined")) == 4
    login_as(client, app, "manager@example.com")
    assert "Template updated" not in client.get(f"/plans/{world.plan}").text

    with app.app_context():
        world.library.release(version_3)
        db.session.commit()
    page = client.get(f"/plans/{world.plan}/template-changes").text
    assert "Template updated: 1 change<" in client.get(f"/plans/{world.plan}").text
    assert "Target changed" in page and NEW_TITLE not in page
    assert client.post(f"/plans/{world.plan}/template-changes/adopt-all").status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        assert plan.role_version.number == 3
        assert db.session.get(PlanGoal, world.finished).title != NEW_TITLE  # still declined


@pytest.mark.parametrize("who", ["hire@example.com", "buddy@example.com"])
def test_the_hire_and_the_buddy_cannot_adopt(app, client, world, who):
    login_as(client, app, who)
    assert client.get(f"/plans/{world.plan}/template-changes").status_code == 403
    assert adopt(client, world, ADDED).status_code == 403
    assert client.post(f"/plans/{world.plan}/template-changes/adopt-all").status_code == 403
    assert client.post(f"/plans/{world.plan}/template-changes/stay").status_code == 403
    assert "Template updated" not in client.get(f"/plans/{world.plan}").text
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PlanAdoption)) == 0


def test_an_archived_plan_keeps_its_goals_and_says_why(app, client, world):
    with app.app_context():
        db.session.get(Plan, world.plan).status = PlanStatus.ARCHIVED
        db.session.commit()
    login_as(client, app, "manager@example.com")
    response = adopt(client, world, ADDED)
    assert response.status_code == 422
    assert "This plan is archived, so its goals can no longer change." in response.text
    page = client.get(f"/plans/{world.plan}/template-changes").text
    assert "so its goals can no longer change" in page and ">Adopt</button>" not in page
    assert "Template updated" not in client.get(f"/plans/{world.plan}").text
    with app.app_context():
        assert goal_by_key(world.plan, ADDED) is None


def test_a_change_already_decided_is_refused_with_a_reason(app, client, world):
    login_as(client, app, "manager@example.com")
    assert adopt(client, world, ADDED).status_code == 302
    again = adopt(client, world, ADDED)
    assert again.status_code == 422 and "no longer waiting for a decision" in again.text
    assert adopt(client, world, "no-such-goal").status_code == 422


def test_evidence_on_a_retired_goal_stays_as_it_is(app, client, world):
    login_as(client, app, "manager@example.com")
    adopt(client, world, RETIRED)
    login_as(client, app, "hire@example.com")
    assert f"/evidence/{world.evidence}/withdraw" not in client.get(f"/plans/{world.plan}").text
    response = client.post(f"/evidence/{world.evidence}/withdraw")
    assert response.status_code == 422 and "retired from the template" in response.text
    with app.app_context():
        assert db.session.get(PlanGoal, world.waiting).status == GoalStatus.RETIRED


def test_a_baseline_change_moves_the_baseline_version(app, client, world):
    def reword(milestones):
        milestones["d30"]["goals"][0]["title"] = "Get every account on day one"

    with app.app_context():
        world.library.release(reword, file="baseline.yaml")
        db.session.commit()
    login_as(client, app, "manager@example.com")
    assert "Template updated: 5 changes" in client.get(f"/plans/{world.plan}").text
    page = client.get(f"/plans/{world.plan}/template-changes").text
    ident = 'value="baseline:'
    assert page.count(ident) == 1
    key = page[page.index(ident) + len(ident):].split('"')[0]
    response = client.post(f"/plans/{world.plan}/template-changes/adopt",
                           data={"change": f"baseline:{key}"})
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        assert plan.baseline_version.number == 2 and plan.role_version.number == 1
        assert goal_by_key(world.plan, key).title == "Get every account on day one"
