"""A plan's goals: read them, send evidence, review it, tick a goal done or waive it.

Each action asks the plan's policy first, so a person outside the plan's roles gets a 403 and a
goal in the wrong state a 422 with the same reason the plan page would show, and then calls the
one service the page calls.
"""
from __future__ import annotations

from tracker.api import access, answers, bp, spec
from tracker.api.inputs import EvidenceIn, ReviewIn, WaiveIn
from tracker.api.present import goal, load_goal, load_plan
from tracker.api.schemas import GoalList, GoalOut
from tracker.extensions import db
from tracker.models import EvidenceKind
from tracker.services import goals as goal_rules

ACTION_ERRORS = (404, 422)


def _answer(goal_id: int) -> GoalOut:
    db.session.commit()
    return goal(load_goal(goal_id))


@bp.get("/plans/<int:plan_id>/goals")
@spec.validate(resp=answers(HTTP_200=GoalList), tags=["goals"])
def list_goals(plan_id: int):
    """Every goal of the plan, milestone by milestone, with its evidence."""
    access.plan_or_404(plan_id)
    plan = load_plan(plan_id)
    return GoalList(items=[goal(g, m) for m in plan.milestones for g in m.goals])


@bp.get("/plans/<int:plan_id>/goals/<int:goal_id>")
@spec.validate(resp=answers(HTTP_200=GoalOut), tags=["goals"])
def show_goal(plan_id: int, goal_id: int):
    access.goal_or_404(plan_id, goal_id)
    return goal(load_goal(goal_id))


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/evidence")
@spec.validate(json=EvidenceIn, resp=answers(errors=ACTION_ERRORS, HTTP_201=GoalOut),
               tags=["goals"])
def add_evidence(plan_id: int, goal_id: int, json: EvidenceIn):
    """Send a note or a link for review (files are uploaded from the plan page)."""
    plan, item, can = access.goal_or_404(plan_id, goal_id)
    access.enforce(can.submit_evidence(item), "goal")
    goal_rules.submit_evidence(plan, item, access.me(), kind=EvidenceKind(json.kind),
                               note=json.note, url=json.url)
    return _answer(goal_id), 201


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/review")
@spec.validate(json=ReviewIn, resp=answers(errors=ACTION_ERRORS, HTTP_200=GoalOut),
               tags=["goals"])
def review(plan_id: int, goal_id: int, json: ReviewIn):
    """Approve the evidence waiting on a goal, or send it back with a comment saying what
    should change."""
    plan, item, can = access.goal_or_404(plan_id, goal_id)
    access.enforce(can.review(item), "review")
    goal_rules.review_goal(plan, item, access.me(), approve=json.approve, comment=json.comment)
    return _answer(goal_id)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/done")
@spec.validate(resp=answers(errors=ACTION_ERRORS, HTTP_200=GoalOut), tags=["goals"])
def mark_done(plan_id: int, goal_id: int):
    """Tick off a goal that needs no evidence."""
    plan, item, can = access.goal_or_404(plan_id, goal_id)
    access.enforce(can.mark_done(item), "goal")
    goal_rules.mark_done(plan, item, access.me())
    return _answer(goal_id)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/waive")
@spec.validate(json=WaiveIn, resp=answers(errors=ACTION_ERRORS, HTTP_200=GoalOut),
               tags=["goals"])
def waive(plan_id: int, goal_id: int, json: WaiveIn):
    """The manager sets a goal aside, with the reason kept on the plan."""
    plan, item, can = access.goal_or_404(plan_id, goal_id)
    access.enforce(can.waive(item), "goal")
    goal_rules.waive_goal(plan, item, access.me(), json.reason)
    return _answer(goal_id)
