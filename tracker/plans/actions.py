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
from tracker.services import goals as goal_rules
from tracker.services.access import can_view_plan
from tracker.services.errors import InputError
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


def _refused(plan_id: int, goal_id: int, error: InputError):
    db.session.rollback()  # nothing of the refused action is kept; saved data is untouched
    values = {k: v for k, v in request.form.items() if k != "csrf_token"}
    return render_plan(plan_id, status=422, errors={error.field: error.message},
                       values=values, goal_id=goal_id)


def _act(plan_id: int, goal_id: int, allowed, change, message: str):
    """One goal action: check who may act, apply ``change`` (a service call), commit, go back."""
    plan, goal = _plan_goal(plan_id, goal_id)
    if not allowed(current_user, plan, goal):
        abort(403)
    try:
        change(plan, goal)
    except InputError as error:
        return _refused(plan_id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, message)


def _owner(user, plan, goal) -> bool:
    return goal_rules.can_work_on(user, plan, goal)


def _manager(user, plan, _goal) -> bool:
    return goal_rules.can_review(user, plan)


def _submit(plan: Plan, goal: PlanGoal) -> None:
    try:
        kind = EvidenceKind(request.form.get("kind", "note"))
    except ValueError:
        raise InputError("kind", "choose a note, a link or a file") from None
    stored = store(request.files.get("file")) if kind == EvidenceKind.FILE else None
    goal_rules.submit_evidence(plan, goal, current_user, kind=kind,
                               note=request.form.get("note", ""),
                               url=request.form.get("url", ""), stored_file=stored)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/evidence")
@login_required
def add_evidence(plan_id: int, goal_id: int):
    return _act(plan_id, goal_id, _owner, _submit, "Evidence sent for review.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/done")
@login_required
def mark_done(plan_id: int, goal_id: int):
    return _act(plan_id, goal_id, _owner,
                lambda plan, goal: goal_rules.mark_done(plan, goal, current_user),
                "Goal ticked off.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/review")
@login_required
def review(plan_id: int, goal_id: int):
    approve = request.form.get("decision") == "approve"
    return _act(plan_id, goal_id, _manager,
                lambda plan, goal: goal_rules.review_goal(
                    plan, goal, current_user, approve=approve,
                    comment=request.form.get("comment", "")),
                "Approved." if approve else "Changes requested.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/waive")
@login_required
def waive(plan_id: int, goal_id: int):
    return _act(plan_id, goal_id, _manager,
                lambda plan, goal: goal_rules.waive_goal(
                    plan, goal, current_user, request.form.get("reason", "")),
                "Goal waived.")


def _evidence(evidence_id: int, *, author_only: bool = False) -> tuple[Plan, Evidence]:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    plan = db.session.get(Plan, evidence.goal.plan_id)
    if not can_view_plan(current_user, plan):
        abort(404)
    if author_only and evidence.author_id != current_user.id:
        abort(403)  # only the author edits or withdraws their evidence
    return plan, evidence


def _author_acts(evidence_id: int, change, message: str):
    """One change to evidence by its author: apply ``change``, commit, go back to the goal."""
    plan, evidence = _evidence(evidence_id, author_only=True)
    goal_id = evidence.goal_id
    try:
        change(plan, evidence)
    except InputError as error:
        return _refused(plan.id, goal_id, error)
    db.session.commit()
    return _back(plan, goal_id, message)


@bp.post("/evidence/<int:evidence_id>/edit")
@login_required
def edit(evidence_id: int):
    """Fix a typo or a wrong link before the manager looks; the old text stays in the audit."""
    return _author_acts(evidence_id, lambda plan, evidence: goal_rules.edit_evidence(
        plan, evidence, current_user, note=request.form.get("note", ""),
        url=request.form.get("url", "")), "Evidence updated.")


@bp.post("/evidence/<int:evidence_id>/withdraw")
@login_required
def withdraw(evidence_id: int):
    return _author_acts(evidence_id, lambda plan, evidence: goal_rules.withdraw_evidence(
        plan, evidence, current_user), "Evidence withdrawn.")


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
