"""The manager's team page and review queue: what they flag, and only for their own reports."""
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    EvidenceKind,
    GoalStatus,
    Plan,
    PlanGoal,
)
from tracker.services.accounts import find_user
from tracker.services.goals import submit_evidence


@pytest.fixture
def team(app, library):
    with app.app_context():
        manager = make_user("manager@example.com")
        other_manager = make_user("other.manager@example.com")
        late = make_user("late@example.com", name="Lena Late")
        fine = make_user("fine@example.com", name="Finn Fine")
        elsewhere = make_user("elsewhere@example.com", name="Elsa Elsewhere")
        late_plan = make_plan(late, manager, start=date.today() - timedelta(days=45))
        fine_plan = make_plan(fine, manager, start=date.today() - timedelta(days=5))
        other_plan = make_plan(elsewhere, other_manager, start=date.today() - timedelta(days=5))
        for plan, hire in ((fine_plan, fine), (other_plan, elsewhere)):
            goal = next(g for g in plan.milestones[0].goals if g.evidence_required and g.owner.value == "hire")
            submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")
        db.session.add(CheckIn(milestone=late_plan.milestones[0], rating=CheckInRating.AT_RISK))
        db.session.commit()


def test_team_page_flags_risk_with_the_reason(app, client, team):
    login_as(client, app, "manager@example.com")
    page = client.get("/team").get_data(as_text=True)
    late_row = page[page.index("Lena Late"):page.index("</tr>", page.index("Lena Late"))]
    fine_row = page[page.index("Finn Fine"):page.index("</tr>", page.index("Finn Fine"))]
    assert "At risk" in late_row and re.search(r"\b\d+ goals? overdue", late_row)
    assert "rated at risk at the 30 days check-in" in late_row
    assert "On track" in fine_row and "<td>1</td>" in fine_row
    assert "Elsa Elsewhere" not in page


def test_review_queue_lists_only_my_reports_waiting_goals(app, client, team):
    login_as(client, app, "manager@example.com")
    page = client.get("/reviews").get_data(as_text=True)
    assert "Finn Fine · 30 days milestone · waiting since" in page
    assert "Elsa Elsewhere" not in page and "Lena Late" not in page


def test_someone_who_manages_nobody_sees_empty_pages(app, client, team):
    login_as(client, app, "fine@example.com")
    assert "Nobody reports to you" in client.get("/team").get_data(as_text=True)
    assert "Nothing is waiting for your review" in client.get("/reviews").get_data(as_text=True)


def test_an_approved_goal_leaves_the_queue(app, client, team):
    login_as(client, app, "manager@example.com")
    with app.app_context():
        goal = db.session.scalar(sa.select(PlanGoal).where(PlanGoal.status == GoalStatus.SUBMITTED)
                                 .join(Plan).where(Plan.manager_id == find_user("manager@example.com").id))
        plan_id, goal_id = goal.plan_id, goal.id
    client.post(f"/plans/{plan_id}/goals/{goal_id}/review", data={"decision": "approve"})
    assert "Finn Fine" not in client.get("/reviews").get_data(as_text=True)


def test_team_page_shows_each_reports_pulse_and_flags_low_confidence(app, client, team):
    from tracker.models import PulseCheckIn

    with app.app_context():
        fine_plan = db.session.scalar(sa.select(Plan).where(
            Plan.hire_id == find_user("fine@example.com").id))
        for days, confidence in ((7, 4), (14, 3), (21, 2)):
            db.session.add(PulseCheckIn(plan_id=fine_plan.id, confidence=confidence,
                                        due_on=fine_plan.start_date + timedelta(days=days)))
        db.session.commit()
    login_as(client, app, "manager@example.com")
    page = client.get("/team").get_data(as_text=True)
    fine_row = page[page.index("Finn Fine"):page.index("</tr>", page.index("Finn Fine"))]
    assert "Confidence in the last 3 pulses: 4, 3, 2 out of 5" in fine_row
    assert "At risk" in fine_row and "low confidence in the latest pulse (2/5)" in fine_row
    late_row = page[page.index("Lena Late"):page.index("</tr>", page.index("Lena Late"))]
    assert 'class="sparkline"' not in late_row


def test_the_team_flags_by_the_one_at_risk_rule_and_explains_it(app, client, team):
    """The thresholds HR sets move the team page's flag too: there is one rule."""
    app.config.update(AT_RISK_GRACE_DAYS=60)  # Lena's 30 days are only about 15 days late
    login_as(client, app, "manager@example.com")
    page = client.get("/team").get_data(as_text=True)
    late_row = page[page.index("Lena Late"):page.index("</tr>", page.index("Lena Late"))]
    assert "At risk" in late_row and "rated at risk at the 30 days check-in" in late_row
    assert not re.search(r"\b\d+ goals? overdue", late_row)
    assert "What \"at risk\" means" in page and "more than 60 days after" in page
