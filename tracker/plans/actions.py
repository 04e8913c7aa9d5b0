"""State changes on a plan's goals: evidence, ticking done, review and waiving.

Each view checks who may act, calls one service, commits, and redirects back to the goal
(post/redirect/get). A refused action re-renders the plan with the error beside the field and
the person's input kept, and nothing already saved is touched.
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, send_file, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, Plan, PlanGoal
from tracker.plans import bp
from tracker.plans.routes import render_plan
from tracker.services.access import can_view_plan
from tracker.services import goals as goal_rules
from tracker.services.plans import PlanError
from tracker.services.uploads import path_of, store


def _plan_goal(plan_id: int, goal_id: int) -> tuple[Plan, PlanGoal]:
    plan = db.session.get(Plan, plan_id)
    goal = db.session.get(PlanGoal, goal_id)
    if plan is None or goal is None or goal.plan_id != plan.id or not can_view_plan(current_user, plan):
        abort(404)
    return plan, goal


def _back(plan: Plan, goal_id: int, message: str):
    flash(message, "info")
    return redirect(url_for("plans.show", plan_id=plan.id) + f"#goal-{goal_id}")


def _refused(plan_id: int, goal_id: int, error: PlanError):
    db.session.rollback()  # nothing of the refused action is kept; saved data is untouched
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return render_plan(plan_id, status=422, errors={error.field: error.message},
                       values=values, goal_id=goal_id)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/evidence")
@login_required
def add_evidence(plan_id: int, goal_id: int):
    plan, goal = _plan_goal(plan_id, goal_id)
    if not goal_rules.can_work_on(current_user, plan, goal):
        abort(403)
    try:
        kind = EvidenceKind(request.form.get("kind", "note"))
    except ValueError:
        return _refused(plan_id, goal_id, PlanError("kind", "choose a note, a link or a file"))
    try:
        stored = store(request.files.get("file")) if kind == EvidenceKind.FILE else None
        goal_rules.submit_evidence(plan, goal, current_user, kind=kind,
                                   note=request.form.get("note", ""),
                                   url=request.form.get("url", ""), stored_file=stored)
    except PlanError as error:
        return _refused(plan_id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, "Evidence sent for review.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/done")
@login_required
def mark_done(plan_id: int, goal_id: int):
    plan, goal = _plan_goal(plan_id, goal_id)
    if not goal_rules.can_work_on(current_user, plan, goal):
        abort(403)
    try:
        goal_rules.mark_done(plan, goal, current_user)
    except PlanError as error:
        return _refused(plan_id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, "Goal ticked off.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/review")
@login_required
def review(plan_id: int, goal_id: int):
    plan, goal = _plan_goal(plan_id, goal_id)
    if not goal_rules.can_review(current_user, plan):
        abort(403)
    approve = request.form.get("decision") == "approve"
    try:
        goal_rules.review_goal(plan, goal, current_user, approve=approve,
                               comment=request.form.get("comment", ""))
    except PlanError as error:
        return _refused(plan_id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, "Approved." if approve else "Changes requested.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/waive")
@login_required
def waive(plan_id: int, goal_id: int):
    plan, goal = _plan_goal(plan_id, goal_id)
    if not goal_rules.can_review(current_user, plan):
        abort(403)
    try:
        goal_rules.waive_goal(plan, goal, current_user, request.form.get("reason", ""))
    except PlanError as error:
        return _refused(plan_id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, "Goal waived.")


def _evidence(evidence_id: int) -> tuple[Plan, Evidence]:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    plan = db.session.get(Plan, evidence.goal.plan_id)
    if not can_view_plan(current_user, plan):
        abort(404)
    return plan, evidence


@bp.post("/evidence/<int:evidence_id>/withdraw")
@login_required
def withdraw(evidence_id: int):
    plan, evidence = _evidence(evidence_id)
    goal_id = evidence.goal_id
    try:
        goal_rules.withdraw_evidence(plan, evidence, current_user)
    except PlanError as error:
        return _refused(plan.id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, "Evidence withdrawn.")


@bp.get("/evidence/<int:evidence_id>/file")
@login_required
def download(evidence_id: int):
    """Always an attachment, never rendered inline: an uploaded page cannot run in our origin."""
    _, evidence = _evidence(evidence_id)
    if not evidence.file_key or not path_of(evidence.file_key).exists():
        abort(404)
    response = send_file(path_of(evidence.file_key), mimetype=evidence.file_type,
                         as_attachment=True, download_name=evidence.file_name)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    return response
