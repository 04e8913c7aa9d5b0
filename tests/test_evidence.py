"""Evidence and review through HTTP: the 30-day journey, files, refusals, and who may act."""
import io
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import PlanFactory, cast, days_ago, make_plan, make_user
from tests.worlds import cached_world
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Evidence,
    EvidenceStatus,
    GoalOwner,
    GoalStatus,
    PlanGoal,
)


def build_world(app):
    with app.app_context():
        people = cast("manager", "buddy", "hire", "other_hire", "other_manager", "admin")
        plan = PlanFactory(hire=people.hire, manager=people.manager, buddy=people.buddy,
                           start=days_ago(10))
        db.session.commit()
        d30 = plan.milestones[0].goals

        def first(owner, evidence):
            return next(g.id for g in d30 if g.owner == owner and g.evidence_required == evidence)

        return SimpleNamespace(plan=plan.id, hire_goal=first(GoalOwner.HIRE, True),
                               tick_goal=first(GoalOwner.HIRE, False),
                               buddy_goal=first(GoalOwner.BUDDY, False))


world = cached_world(build_world)


def goal(app, goal_id):
    with app.app_context():
        g = db.session.get(PlanGoal, goal_id)
        return SimpleNamespace(status=g.status, evidence=[(e.kind.value, e.status, e.note, e.review_comment)
                                                          for e in g.evidence])


def url(world, goal_id, action):
    return f"/plans/{world.plan}/goals/{goal_id}/{action}"


def test_the_30_day_journey_submit_changes_resubmit_approve(app, client, world):
    login_as(client, app, "hire@example.com")
    sent = client.post(url(world, world.hire_goal, "evidence"),
                       data={"kind": "note", "note": "Drew the **system map**"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"#goal-{world.hire_goal}")
    assert goal(app, world.hire_goal).status == GoalStatus.SUBMITTED

    manager = app.test_client()
    login_as(manager, app, "manager@example.com")
    page = manager.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "<strong>system map</strong>" in page and "Request changes" in page
    refused = manager.post(url(world, world.hire_goal, "review"), data={"decision": "changes"})
    assert refused.status_code == 422 and "say what should change" in refused.get_data(as_text=True)
    manager.post(url(world, world.hire_goal, "review"),
                 data={"decision": "changes", "comment": "Add the feature store"})
    assert goal(app, world.hire_goal).status == GoalStatus.CHANGES_REQUESTED

    client.post(url(world, world.hire_goal, "evidence"),
                data={"kind": "link", "url": "https://wiki.example.com/map", "note": ""})
    manager.post(url(world, world.hire_goal, "review"), data={"decision": "approve"})
    result = goal(app, world.hire_goal)
    assert result.status == GoalStatus.APPROVED
    assert [(k, s, c) for k, s, _, c in result.evidence] == [
        ("note", EvidenceStatus.CHANGES_REQUESTED, "Add the feature store"),
        ("link", EvidenceStatus.APPROVED, None)]
    with app.app_context():
        actions = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.plan_id == world.plan).order_by(AuditEvent.id)).all()
    assert actions[1:] == ["evidence.submitted", "goal.changes_requested",
                           "evidence.submitted", "goal.approved"]
    feed = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert "Maya Manager · asked for changes" in feed and "Add the feature store" in feed


def test_markdown_in_notes_is_sanitised(app, client, world):
    login_as(client, app, "hire@example.com")
    client.post(url(world, world.hire_goal, "evidence"), data={
        "kind": "note", "note": "ok <script>alert(1)</script> [x](javascript:alert(2)) <img src=x onerror=alert(3)>"})
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    note = page[page.index('<div class="note">'):]
    note = note[:note.index("</div>")]  # the rendered note; the edit box holds the escaped source
    assert "<script>" not in note and "javascript:" not in note and "onerror" not in note
    assert "<script>alert(1)" not in page and "onerror=alert(3)>" not in page


@pytest.mark.parametrize("data,field,message", [
    ({"kind": "note", "note": "  "}, "note", "write a few words"),
    ({"kind": "link", "url": "javascript:alert(1)", "note": "kept text"}, "url", "starting with https://"),
    ({"kind": "file", "note": "kept text"}, "file", "choose a file"),
    ({"kind": "video", "note": "kept text"}, "kind", "choose a note, a link or a file"),
])
def test_bad_evidence_gets_a_message_and_keeps_the_input(app, client, world, data, field, message):
    login_as(client, app, "hire@example.com")
    response = client.post(url(world, world.hire_goal, "evidence"), data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    if data.get("note", "").strip():
        assert "kept text</textarea>" in page
    assert goal(app, world.hire_goal).status == GoalStatus.OPEN


def test_files_are_checked_stored_privately_and_downloaded_as_attachments(app, client, world):
    login_as(client, app, "hire@example.com")
    too_big = b"x" * (app.config["MAX_UPLOAD_BYTES"] + 1)
    response = client.post(url(world, world.hire_goal, "evidence"), content_type="multipart/form-data",
                           data={"kind": "file", "note": "my notes stay",
                                 "file": (io.BytesIO(too_big), "big.pdf")})
    assert response.status_code == 422 and "larger than 10 MB" in response.get_data(as_text=True)
    assert "my notes stay</textarea>" in response.get_data(as_text=True)
    response = client.post(url(world, world.hire_goal, "evidence"), content_type="multipart/form-data",
                           data={"kind": "file", "file": (io.BytesIO(b"MZ"), "tool.exe")})
    assert response.status_code == 422 and ".exe are not accepted" in response.get_data(as_text=True)
    client.post(url(world, world.hire_goal, "evidence"), content_type="multipart/form-data",
                data={"kind": "file", "file": (io.BytesIO(b"%PDF-1.4 report"), "../../eval report.pdf")})
    with app.app_context():
        evidence = db.session.scalar(sa.select(Evidence).where(Evidence.file_key.is_not(None)))
        evidence_id, name = evidence.id, evidence.file_name
    assert name == "eval_report.pdf"
    download = client.get(f"/evidence/{evidence_id}/file")
    assert download.status_code == 200 and download.data == b"%PDF-1.4 report"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    for viewer, status in [("manager", 200), ("buddy", 200), ("admin", 200),
                           ("other.hire", 404), ("other.manager", 404)]:
        other = app.test_client()
        login_as(other, app, f"{viewer}@example.com")
        assert other.get(f"/evidence/{evidence_id}/file").status_code == status, viewer


def test_withdraw_before_review_puts_the_goal_back(app, client, world):
    login_as(client, app, "hire@example.com")
    client.post(url(world, world.hire_goal, "evidence"), data={"kind": "note", "note": "draft"})
    with app.app_context():
        evidence_id = db.session.scalar(sa.select(Evidence.id))
    manager = app.test_client()
    login_as(manager, app, "manager@example.com")
    assert manager.post(f"/evidence/{evidence_id}/withdraw").status_code == 403  # not the author
    client.post(f"/evidence/{evidence_id}/withdraw")
    result = goal(app, world.hire_goal)
    assert result.status == GoalStatus.OPEN and result.evidence[0][1] == EvidenceStatus.WITHDRAWN


def test_ticking_done_and_waiving(app, client, world):
    login_as(client, app, "hire@example.com")
    assert client.post(url(world, world.tick_goal, "done")).status_code == 302
    assert goal(app, world.tick_goal).status == GoalStatus.DONE
    refused = client.post(url(world, world.hire_goal, "done"))
    assert refused.status_code == 422 and "this goal needs evidence" in refused.get_data(as_text=True)
    buddy = app.test_client()
    login_as(buddy, app, "buddy@example.com")
    assert buddy.post(url(world, world.buddy_goal, "done")).status_code == 302
    manager = app.test_client()
    login_as(manager, app, "manager@example.com")
    no_reason = manager.post(url(world, world.hire_goal, "waive"), data={"reason": ""})
    assert no_reason.status_code == 422 and "say why" in no_reason.get_data(as_text=True)
    manager.post(url(world, world.hire_goal, "waive"), data={"reason": "Covered by team training"})
    assert goal(app, world.hire_goal).status == GoalStatus.WAIVED


@pytest.mark.parametrize("viewer,action,status", [
    ("other.hire", "evidence", 404), ("other.manager", "evidence", 404), ("admin", "evidence", 403),
    ("buddy", "evidence", 403), ("manager", "evidence", 403), ("hire", "review", 403), ("buddy", "review", 403),
    ("admin", "review", 403), ("hire", "waive", 403), ("other.manager", "waive", 404),
    (None, "evidence", 302),
])
def test_only_the_right_people_can_act_on_a_goal(app, client, world, viewer, action, status):
    if viewer:
        login_as(client, app, f"{viewer}@example.com")
    response = client.post(url(world, world.hire_goal, action),
                           data={"kind": "note", "note": "x", "decision": "approve", "reason": "x"})
    assert response.status_code == status
    assert goal(app, world.hire_goal).status == GoalStatus.OPEN


def test_without_a_buddy_the_manager_owns_the_buddy_goals(app, library):
    from tracker.services.policy import owner_of, policy

    with app.app_context():
        hire, manager = make_user(), make_user()
        plan = make_plan(hire, manager)
        buddy_goal = next(g for m in plan.milestones for g in m.goals if g.owner == GoalOwner.BUDDY)
        assert owner_of(plan, buddy_goal) == manager.id
        assert policy(manager, plan).owns(buddy_goal) and not policy(hire, plan).owns(buddy_goal)


def test_a_goal_id_from_another_plan_is_not_found(app, client, world):
    with app.app_context():
        from tracker.services.accounts import find_user

        other = make_plan(find_user("other.hire@example.com"), find_user("other.manager@example.com"))
        db.session.commit()
        foreign_goal = other.milestones[0].goals[0].id
    login_as(client, app, "hire@example.com")
    assert client.post(url(world, foreign_goal, "evidence"), data={"note": "x"}).status_code == 404


def test_the_author_edits_evidence_until_it_is_reviewed(app, client, world):
    login_as(client, app, "hire@example.com")
    client.post(url(world, world.hire_goal, "evidence"),
                data={"kind": "link", "url": "https://wiki.example.com/mapp", "note": "typo"})
    with app.app_context():
        evidence_id = db.session.scalar(sa.select(Evidence.id))
    page = client.get(f"/plans/{world.plan}").get_data(as_text=True)
    assert f'action="/evidence/{evidence_id}/edit"' in page
    refused = client.post(f"/evidence/{evidence_id}/edit",
                          data={"edit_id": evidence_id, "note": "fixed", "url": "ftp://nope"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "starting with https://" in page
    assert 'value="ftp://nope"' in page and '<details class="edit-evidence" open>' in page
    assert client.post(f"/evidence/{evidence_id}/edit", data={
        "note": "Fixed the link", "url": "https://wiki.example.com/map"}).status_code == 302
    with app.app_context():
        evidence = db.session.get(Evidence, evidence_id)
        assert (evidence.note, evidence.url) == ("Fixed the link", "https://wiki.example.com/map")
        edit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "evidence.edited"))
        assert edit.before == {"note": "typo", "url": "https://wiki.example.com/mapp"}
    manager = app.test_client()
    login_as(manager, app, "manager@example.com")
    assert manager.post(f"/evidence/{evidence_id}/edit", data={"note": "mine"}).status_code == 403
    manager.post(url(world, world.hire_goal, "review"), data={"decision": "approve"})
    late = client.post(f"/evidence/{evidence_id}/edit", data={"note": "after review"})
    assert late.status_code == 422 and "only before review" in late.get_data(as_text=True)


def test_a_completed_or_archived_plan_is_read_only(app, client, world):
    from tracker.models import Plan, PlanStatus

    with app.app_context():
        db.session.get(Plan, world.plan).status = PlanStatus.COMPLETED
        db.session.commit()
    login_as(client, app, "hire@example.com")
    assert "Send for review" not in client.get(f"/plans/{world.plan}").get_data(as_text=True)
    refused = client.post(url(world, world.hire_goal, "evidence"), data={"kind": "note", "note": "x"})
    assert refused.status_code == 422 and "this plan is completed" in refused.get_data(as_text=True)
    assert goal(app, world.hire_goal).status == GoalStatus.OPEN


def test_a_request_over_the_size_cap_gets_a_plain_message_and_saves_nothing(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024  # smaller than the default so the test is quick
    login_as(client, app, "hire@example.com")
    response = client.post(url(world, world.hire_goal, "evidence"), content_type="multipart/form-data",
                           data={"kind": "file", "file": (io.BytesIO(b"x" * 2 * 1024 * 1024), "big.pdf")})
    assert response.status_code == 413
    assert "larger than the 1 MB one form may carry, so nothing was saved" in response.get_data(as_text=True)
    assert goal(app, world.hire_goal).status == GoalStatus.OPEN
