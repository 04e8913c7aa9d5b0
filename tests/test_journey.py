"""The whole first month through HTTP, as issue 3 defines done, on SQLite and PostgreSQL.

HR creates a hire; the hire sends evidence for a 30-day goal; the manager asks for changes, then
approves; both fill and sign the 30-day check-in; a pulse answer shows on the manager's chart.
"""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import make_user
from tracker.extensions import db
from tracker.models import AuditEvent, CheckIn, GoalOwner, GoalStatus, Plan, User


def test_from_new_hire_to_signed_30_day_check_in(app, library):
    with app.app_context():
        make_user("hr@example.com", name="Hannah HR", is_admin=True)
        make_user("maya@example.com", name="Maya Manager", timezone="America/New_York")
        db.session.commit()
    hr, hire, manager = app.test_client(), app.test_client(), app.test_client()
    login_as(hr, app, "hr@example.com")
    login_as(manager, app, "maya@example.com")

    start = date.today() - timedelta(days=20)
    created = hr.post("/admin/hires/new", data={
        "name": "Nia Newhire", "email": "nia@example.com", "timezone": "Europe/Berlin",
        "role": "machine-learning-engineer", "start_date": start.isoformat(),
        "manager": "maya@example.com", "buddy": "", "baseline": "y",
        "create": "Create hire and plan"})
    assert created.status_code == 302, created.get_data(as_text=True)
    with app.app_context():
        plan = db.session.scalar(sa.select(Plan).join(User, User.id == Plan.hire_id)
                                 .where(User.email == "nia@example.com"))
        assert created.headers["Location"] == f"/plans/{plan.id}"
        assert plan.start_date == start and plan.hire.timezone == "Europe/Berlin"
        goal_id = next(g.id for g in plan.milestones[0].goals
                       if g.owner == GoalOwner.HIRE and g.evidence_required)
        plan_url, goal_url = f"/plans/{plan.id}", f"/plans/{plan.id}/goals/{goal_id}"
    login_as(hire, app, "nia@example.com")

    assert hire.post(f"{goal_url}/evidence", data={
        "kind": "note", "note": "Traced the ranking model from training to serving."}
        ).status_code == 302
    assert "Nia Newhire" in manager.get("/reviews").get_data(as_text=True)
    assert manager.post(f"{goal_url}/review", data={
        "decision": "changes", "comment": "Add the feature pipeline too."}).status_code == 302
    assert "Add the feature pipeline too." in hire.get(plan_url).get_data(as_text=True)
    assert hire.post(f"{goal_url}/evidence", data={
        "kind": "link", "url": "https://wiki.example.com/ranking-trace",
        "note": "Now with the feature pipeline."}).status_code == 302
    assert manager.post(f"{goal_url}/review", data={"decision": "approve"}).status_code == 302

    checkin = f"{plan_url}/checkins/d30"
    assert hire.post(f"{checkin}/hire", data={
        "self_assessment": "Found my feet; first model traced end to end.",
        "went_well": "Pairing with the platform team", "blockers": "",
        f"goal-{goal_id}": "Approved after adding the feature pipeline"}).status_code == 302
    assert manager.post(f"{checkin}/manager", data={
        "manager_assessment": "A solid first month.", "rating": "on_track",
        "next_steps": "Take over the weekly eval report."}).status_code == 302
    for person in (hire, manager):  # each signs what their page shows
        seen = re.search(r'name="seen"[^>]*value="(\w+)"', person.get(checkin).get_data(as_text=True))
        assert person.post(f"{checkin}/sign", data={"seen": seen.group(1)}).status_code == 302
    assert "Signed by both" in manager.get(checkin).get_data(as_text=True)

    assert hire.post(f"{plan_url}/pulse", data={"confidence": "4", "win": "First review done"}
                     ).status_code == 302
    page = manager.get(plan_url).get_data(as_text=True)
    assert page.count('class="trend-dot') == 1 and "latest 4 out of 5" in page
    team = manager.get("/team").get_data(as_text=True)
    assert "Nia Newhire" in team and "4/5" in team and "on track" in team

    with app.app_context():
        saved = db.session.scalar(sa.select(CheckIn))
        assert saved.is_signed and saved.goal_notes == {
            str(goal_id): "Approved after adding the feature pipeline"}
        goal = db.session.get(Plan, plan.id).milestones[0].goals
        assert next(g for g in goal if g.id == goal_id).status == GoalStatus.APPROVED
        trail = db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.plan_id == plan.id).order_by(AuditEvent.id)).all()
    assert trail == ["plan.created", "invitation.issued", "evidence.submitted", "goal.changes_requested",
                     "evidence.submitted", "goal.approved", "checkin.hire_saved",
                     "checkin.manager_saved", "checkin.signed", "checkin.signed",
                     "pulse.answered"]
