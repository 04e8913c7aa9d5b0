"""The JSON API's daily work (issue 12, part 1): evidence and review, check-ins signed by both,
pulses, the outbox for HR, and bulk import; each refused the way the pages refuse it."""
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.api_support import as_person
from tests.factories import PlanFactory, cast, days_ago
from tracker.extensions import db
from tracker.models import CheckIn, GoalOwner, GoalStatus, Notification, Plan, PlanGoal, User


@pytest.fixture
def world(app, library):
    with app.app_context():
        people = cast("admin", "manager", "other_manager", "hire", "buddy")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(25))
        goals = plan.milestones[0].goals
        evidence_goal = next(g for g in goals
                             if g.owner == GoalOwner.HIRE and g.evidence_required)
        tick_goal = next((g for g in goals if g.owner == GoalOwner.HIRE
                          and not g.evidence_required), None)
        db.session.add(Notification(dedupe_key="test:1", kind="milestone_soon",
                                    recipient_id=people.hire.id, plan_id=plan.id))
        db.session.commit()
        return SimpleNamespace(plan=plan.id, goal=evidence_goal.id,
                               tick=tick_goal.id if tick_goal else None)


def test_evidence_sent_reviewed_sent_back_and_approved(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    manager = as_person(app, client, "manager@example.com")
    goal_path = f"/plans/{world.plan}/goals/{world.goal}"
    sent = hire.post(goal_path + "/evidence", {"kind": "link", "url": "https://example.com/pr/1",
                                               "note": "The first pipeline"})
    assert sent.status_code == 201, sent.get_json()
    assert sent.get_json()["status"] == "submitted"
    assert sent.get_json()["evidence"][0]["url"] == "https://example.com/pr/1"

    assert hire.post(goal_path + "/review", {"approve": True}).status_code == 403
    no_comment = manager.post(goal_path + "/review", {"approve": False, "comment": ""})
    assert no_comment.status_code == 422
    assert "comment" in no_comment.get_json()["error"]["fields"]
    back = manager.post(goal_path + "/review", {"approve": False, "comment": "Add the tests"})
    assert back.get_json()["status"] == "changes_requested"
    assert back.get_json()["evidence"][0]["review_comment"] == "Add the tests"

    hire.post(goal_path + "/evidence", {"kind": "note", "note": "Tests added"})
    approved = manager.post(goal_path + "/review", {"approve": True, "comment": "Good"})
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    assert manager.get(goal_path).get_json()["status"] == "approved"
    listed = hire.get(f"/plans/{world.plan}/goals").get_json()["items"]
    assert any(g["id"] == world.goal and g["status"] == "approved" for g in listed)


def test_bad_evidence_is_refused_beside_its_field_and_nothing_is_kept(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    path = f"/plans/{world.plan}/goals/{world.goal}/evidence"
    bad_link = hire.post(path, {"kind": "link", "url": "javascript:alert(1)"})
    assert bad_link.status_code == 422 and "url" in bad_link.get_json()["error"]["fields"]
    empty_note = hire.post(path, {"kind": "note", "note": "  "})
    assert empty_note.status_code == 422
    wrong_type = hire.post(path, {"kind": "file"})
    assert wrong_type.status_code == 422 and "kind" in wrong_type.get_json()["error"]["fields"]
    with app.app_context():
        assert db.session.get(PlanGoal, world.goal).status == GoalStatus.OPEN


def test_the_buddy_and_strangers_cannot_act_on_a_goal(app, client, world):
    path = f"/plans/{world.plan}/goals/{world.goal}"
    buddy = as_person(app, client, "buddy@example.com")
    assert buddy.get(path).status_code == 200
    assert buddy.post(path + "/evidence", {"note": "mine"}).status_code == 403
    stranger = as_person(app, client, "other.manager@example.com")
    assert stranger.get(path).status_code == 404
    assert stranger.post(path + "/waive", {"reason": "no"}).status_code == 404
    manager = as_person(app, client, "manager@example.com")
    assert manager.get(f"/plans/{world.plan}/goals/999999").status_code == 404
    waived = manager.post(path + "/waive", {"reason": "Covered by the platform team"})
    assert waived.get_json()["status"] == "waived"
    assert waived.get_json()["waived_reason"] == "Covered by the platform team"


def test_a_check_in_written_by_both_and_signed_with_what_each_read(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    manager = as_person(app, client, "manager@example.com")
    base = f"/plans/{world.plan}/checkins/d30"
    assert as_person(app, client, "buddy@example.com").get(
        f"/plans/{world.plan}/checkins").status_code == 403
    assert manager.put(base + "/hire", {"self_assessment": "not mine"}).status_code == 403
    written = hire.put(base + "/hire", {"self_assessment": "A good first month",
                                        "went_well": "Shipped the first model"})
    assert written.status_code == 200, written.get_json()
    manager.put(base + "/manager", {"assessment": "Strong start", "rating": "on_track",
                                    "next_steps": "Own the retraining job"})
    digest = hire.get(f"/plans/{world.plan}/checkins").get_json()["items"][0]["digest"]
    hire.put(base + "/hire", {"self_assessment": "A good first month, edited"})
    stale = hire.post(base + "/sign", {"digest": digest})
    assert stale.status_code == 422 and "changed since" in stale.get_json()["error"]["message"]
    for person in (hire, manager):
        current = person.get(f"/plans/{world.plan}/checkins").get_json()["items"][0]["digest"]
        assert person.post(base + "/sign", {"digest": current}).status_code == 200
    final = hire.get(f"/plans/{world.plan}/checkins").get_json()["items"][0]
    assert final["hire_signed_at"] and final["manager_signed_at"]
    assert final["rating"] == "on_track" and final["stage"].startswith("Signed by both")
    assert hire.put(base + "/hire", {"self_assessment": "later"}).status_code == 422
    assert hire.get(f"/plans/{world.plan}/checkins/d45").status_code in (404, 405)
    with app.app_context():
        assert db.session.scalar(sa.select(CheckIn)).self_assessment == \
            "A good first month, edited"


def test_the_hire_answers_a_pulse_and_only_once(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    path = f"/plans/{world.plan}/pulses"
    assert as_person(app, client, "manager@example.com").post(
        path, {"confidence": 4}).status_code == 403
    out_of_range = hire.post(path, {"confidence": 9})
    assert out_of_range.status_code == 422
    assert "confidence" in out_of_range.get_json()["error"]["fields"]
    answered = hire.post(path, {"confidence": 4, "win": "Paired on the feature store"})
    assert answered.status_code == 201, answered.get_json()
    assert answered.get_json()["answers"][-1]["confidence"] == 4
    again = hire.post(path, {"confidence": 3})
    assert again.status_code == 422 and "already answered" in again.get_json()["error"]["message"]
    assert as_person(app, client, "manager@example.com").get(path).get_json()["answers"]


def test_the_outbox_is_for_hr(app, client, world):
    assert as_person(app, client, "manager@example.com").get("/notifications").status_code == 403
    page = as_person(app, client, "admin@example.com").get("/notifications?status=pending")
    assert page.status_code == 200
    body = page.get_json()
    assert body["total"] == 1 and body["items"][0]["recipient"]["email"] == "hire@example.com"


HEADER = "name,email,role,start_date,manager\n"


def test_bulk_import_checks_then_creates_all_or_nothing(app, client, world):
    hr = as_person(app, client, "admin@example.com")
    start = days_ago(-10).isoformat()
    good = HEADER + f"Ana Api,ana@example.com,data-engineer,{start},manager@example.com\n"
    bad = good + f"Bad Row,bad@example.com,astronaut,{start},manager@example.com\n"

    def people():
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(User))

    before = people()
    checked = hr.post("/hires/import", {"csv": bad, "dry_run": True})
    assert checked.status_code == 200
    rows = checked.get_json()["rows"]
    assert checked.get_json()["valid"] is False and rows[1]["problems"][0].startswith("role")
    refused = hr.post("/hires/import", {"csv": bad, "dry_run": False})
    assert refused.status_code == 422 and "line 3" in refused.get_json()["error"]["fields"]
    assert people() == before
    created = hr.post("/hires/import", {"csv": good, "dry_run": False})
    assert created.status_code == 200 and created.get_json()["created"] == 1
    assert people() == before + 1
    assert as_person(app, client, "manager@example.com").post(
        "/hires/import", {"csv": good}).status_code == 403
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Plan)) == 2


@pytest.mark.csrf_on
def test_a_cookie_change_needs_the_csrf_token_and_a_token_change_does_not(app, client, world):
    from tests.conftest import login_as
    from tests.test_csrf import token_from

    path = f"/api/v1/plans/{world.plan}/goals/{world.goal}/evidence"
    login_as(client, app, "hire@example.com")
    refused = client.post(path, json={"kind": "note", "note": "from the browser"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "csrf_failed"
    csrf = token_from(client.get("/preferences").get_data(as_text=True))
    accepted = client.post(path, json={"kind": "note", "note": "from the browser"},
                           headers={"X-CSRFToken": csrf})
    assert accepted.status_code == 201, accepted.get_json()
    script = as_person(app, app.test_client(), "hire@example.com")
    assert script.post(path.removeprefix("/api/v1"),
                       {"kind": "note", "note": "from a script"}).status_code == 201


def test_a_form_body_is_refused_with_415_and_nothing_changes(app, client, world):
    hire = as_person(app, client, "hire@example.com")
    sent = client.post(f"/api/v1/plans/{world.plan}/goals/{world.goal}/evidence",
                       data={"kind": "note", "note": "as a form"}, headers=hire.headers)
    assert sent.status_code == 415 and sent.get_json()["error"]["code"] == "unsupported_type"
    with app.app_context():
        assert db.session.get(PlanGoal, world.goal).status == GoalStatus.OPEN


def test_a_plan_costs_the_same_sql_with_one_piece_of_evidence_or_many(app, client, world):
    from tests.conftest import count_queries

    hire = as_person(app, client, "hire@example.com")
    path = f"/plans/{world.plan}"
    hire.post(path + f"/goals/{world.goal}/evidence", {"note": "one"})

    def statements():
        with count_queries(app) as seen:
            assert hire.get(path).status_code == 200
        return len(seen)

    one = statements()
    with app.app_context():
        plan = db.session.get(Plan, world.plan)
        for goal in [g for g in plan.milestones[1].goals if g.owner == GoalOwner.HIRE][:3]:
            hire.post(path + f"/goals/{goal.id}/evidence", {"note": "more"})
    assert statements() == one
