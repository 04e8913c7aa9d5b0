"""The pages and the services agree: a form is shown exactly when its action would be accepted.

For every kind of viewer, every goal state, every check-in state and both an active and an
archived plan, the test reads which action forms the page draws, then tries every action
through the service (rolled back after each try) and compares the two sets. A template that
grew its own condition, or a service that grew a rule the policy does not know, fails here.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.conftest import login_as
from tests.factories import make_plan, make_user
from tracker.extensions import db
from tracker.models import (
    CheckInRating,
    Evidence,
    EvidenceKind,
    GoalOwner,
    Plan,
    PlanGoal,
    PlanStatus,
    User,
)
from tracker.services import checkins, goals, pulses
from tracker.services.errors import InputError
from tracker.services.progress import local_today

VIEWERS = ("hire", "manager", "buddy", "admin")
GOAL_ACTIONS = {
    "evidence": lambda plan, goal, user: goals.submit_evidence(
        plan, goal, user, kind=EvidenceKind.NOTE, note="more"),
    "done": lambda plan, goal, user: goals.mark_done(plan, goal, user),
    "review": lambda plan, goal, user: goals.review_goal(plan, goal, user, approve=True,
                                                         comment="fine"),
    "waive": lambda plan, goal, user: goals.waive_goal(plan, goal, user, "not for this team"),
}
EVIDENCE_ACTIONS = {
    "edit": lambda plan, evidence, user: goals.edit_evidence(plan, evidence, user, note="typo"),
    "withdraw": lambda plan, evidence, user: goals.withdraw_evidence(plan, evidence, user),
}


def _email(who: str) -> str:
    return f"{who}@example.com"


def _build(plan_status: PlanStatus) -> int:
    """A plan 25 days in, whose 30-day goals sit in every state a goal can be in."""
    hire, manager = make_user(_email("hire")), make_user(_email("manager"))
    buddy = make_user(_email("buddy"))
    make_user(_email("admin"), is_admin=True)
    plan = make_plan(hire, manager, buddy=buddy, start=date.today() - timedelta(days=25))
    d30 = plan.milestones[0].goals
    needs = [g for g in d30 if g.owner == GoalOwner.HIRE and g.evidence_required]
    ticks = [g for g in d30 if g.owner == GoalOwner.HIRE and not g.evidence_required]
    assert len(needs) >= 4 and ticks, "the 30-day goals no longer cover every state"
    for goal in needs[:3]:
        goals.submit_evidence(plan, goal, hire, kind=EvidenceKind.NOTE, note="done")
    goals.review_goal(plan, needs[1], manager, approve=False, comment="add the link")
    goals.review_goal(plan, needs[2], manager, approve=True, comment="")
    goals.waive_goal(plan, needs[3], manager, "covered elsewhere")
    if len(ticks) > 1:
        goals.mark_done(plan, ticks[1], hire)
    plan.status = plan_status
    db.session.commit()
    return plan.id


def _shown(page: str, pattern: str) -> set[tuple[int, str]]:
    return {(int(target), action) for target, action in re.findall(pattern, page)}


def _accepted(plan_id: int, who: str, actions: dict, targets) -> set[tuple[int, str]]:
    accepted = set()
    for target_id in targets:
        for action, change in actions.items():
            plan = db.session.get(Plan, plan_id)
            user = db.session.scalar(db.select(User).where(User.email == _email(who)))
            target = targets[target_id]()
            try:
                change(plan, target, user)
            except InputError:
                pass
            else:
                accepted.add((target_id, action))
            db.session.rollback()  # the world was committed: every try starts from it
    return accepted


@pytest.mark.parametrize("plan_status", [PlanStatus.ACTIVE, PlanStatus.ARCHIVED])
@pytest.mark.parametrize("who", VIEWERS)
def test_goal_and_evidence_forms_shown_are_the_actions_allowed(app, client, library, who,
                                                                plan_status):
    with app.app_context():
        plan_id = _build(plan_status)
    login_as(client, app, _email(who))
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    shown_goals = _shown(page, rf'action="/plans/{plan_id}/goals/(\d+)/(evidence|done|review|waive)"')
    shown_evidence = _shown(page, r'action="/evidence/(\d+)/(edit|withdraw)"')
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        goal_ids = [g.id for m in plan.milestones for g in m.goals]
        evidence_ids = [e.id for m in plan.milestones for g in m.goals for e in g.evidence]
        allowed_goals = _accepted(plan_id, who, GOAL_ACTIONS, {
            i: (lambda i=i: db.session.get(PlanGoal, i)) for i in goal_ids})
        allowed_evidence = _accepted(plan_id, who, EVIDENCE_ACTIONS, {
            i: (lambda i=i: db.session.get(Evidence, i)) for i in evidence_ids})
    assert shown_goals == allowed_goals
    assert shown_evidence == allowed_evidence
    if plan_status == PlanStatus.ACTIVE and who in ("hire", "manager"):
        assert shown_goals, "an active plan offers its hire and manager something to do"


# "not_open" is the 60-day check-in, which opens 14 days before day 60: not yet at day 25.
CHECKIN_STATES = ("not_open", "none", "hire_written", "both_written", "hire_signed", "signed")


def _key(state: str) -> str:
    return "d60" if state == "not_open" else "d30"


def _checkin_world(state: str, plan_status: PlanStatus) -> int:
    plan_id = _build(PlanStatus.ACTIVE)
    plan = db.session.get(Plan, plan_id)
    hire, manager = plan.hire, plan.manager
    milestone, today = plan.milestones[0], local_today(plan.hire.timezone)
    if state not in ("none", "not_open"):
        checkins.save_hire_part(plan, milestone, hire, today, self_assessment="Good month",
                                went_well="", blockers="", goal_notes={})
    if state in ("both_written", "hire_signed", "signed"):
        checkins.save_manager_part(plan, milestone, manager, today, assessment="Agreed",
                                   rating=CheckInRating.ON_TRACK.value, next_steps="")
    for signer in {"hire_signed": [hire], "signed": [hire, manager]}.get(state, []):
        db.session.flush()
        checkins.sign(plan, milestone, signer, today,
                      checkins.content_digest(checkins.check_in_for(milestone)))
    plan.status = plan_status
    db.session.commit()
    return plan_id


def _try_checkin(plan_id: int, who: str, position: int) -> set[str]:
    plan = db.session.get(Plan, plan_id)
    user = db.session.scalar(db.select(User).where(User.email == _email(who)))
    milestone, today = plan.milestones[position], local_today(plan.hire.timezone)
    tries = {
        "hire": lambda: checkins.save_hire_part(plan, milestone, user, today,
                                                self_assessment="Changed", went_well="",
                                                blockers="", goal_notes={}),
        "manager": lambda: checkins.save_manager_part(plan, milestone, user, today,
                                                      assessment="Changed", rating="at_risk",
                                                      next_steps=""),
        "sign": lambda: checkins.sign(plan, milestone, user, today,
                                      checkins.content_digest(checkins.check_in_for(milestone))),
    }
    accepted = set()
    for name, attempt in tries.items():
        try:
            attempt()
        except InputError:
            pass
        else:
            accepted.add(name)
        db.session.rollback()
        plan = db.session.get(Plan, plan_id)
        milestone = plan.milestones[position]
    return accepted


@pytest.mark.parametrize("plan_status", [PlanStatus.ACTIVE, PlanStatus.ARCHIVED])
@pytest.mark.parametrize("state", CHECKIN_STATES)
@pytest.mark.parametrize("who", ("hire", "manager", "admin"))
def test_check_in_forms_shown_are_the_changes_allowed(app, client, library, who, state,
                                                      plan_status):
    with app.app_context():
        plan_id = _checkin_world(state, plan_status)
    login_as(client, app, _email(who))
    key = _key(state)
    page = client.get(f"/plans/{plan_id}/checkins/{key}").get_data(as_text=True)
    shown = set(re.findall(rf'action="/plans/{plan_id}/checkins/{key}/(hire|manager|sign)"', page))
    with app.app_context():
        assert shown == _try_checkin(plan_id, who, 1 if key == "d60" else 0)
    if state == "not_open":
        assert shown == set() and "Opens " in page


@pytest.mark.parametrize("answered", [False, True])
@pytest.mark.parametrize("plan_status", [PlanStatus.ACTIVE, PlanStatus.ARCHIVED])
@pytest.mark.parametrize("who", ("hire", "manager", "admin"))
def test_the_pulse_form_is_shown_exactly_when_an_answer_is_taken(app, client, library, who,
                                                                plan_status, answered):
    with app.app_context():
        plan_id = _build(PlanStatus.ACTIVE)
        plan = db.session.get(Plan, plan_id)
        if answered:
            pulses.answer(plan, plan.hire, local_today(plan.hire.timezone), confidence="4",
                          blocker="", win="")
        plan.status = plan_status
        db.session.commit()
    login_as(client, app, _email(who))
    page = client.get(f"/plans/{plan_id}").get_data(as_text=True)
    shown = f'action="/plans/{plan_id}/pulse"' in page
    with app.app_context():
        plan = db.session.get(Plan, plan_id)
        user = db.session.scalar(db.select(User).where(User.email == _email(who)))
        try:
            pulses.answer(plan, user, local_today(plan.hire.timezone), confidence="3",
                          blocker="", win="")
        except InputError:
            accepted = False
        else:
            accepted = True
        db.session.rollback()
    assert shown == accepted
    assert accepted == (who == "hire" and plan_status == PlanStatus.ACTIVE and not answered)
