"""State changes on a plan's goals: evidence, ticking done, review and waiving.

Each view reads its form, asks the policy whether this person may act at all (403 if not),
calls one service, commits, and redirects back to the goal (post/redirect/get). A refusal
because of the state of things re-renders the plan with the error beside the field and the
person's input kept, and nothing already saved is touched.
"""
from __future__ import annotations

from flask import abort, flash, redirect, send_file, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.forms import ActionForm, add_error
from tracker.models import Evidence, EvidenceKind, Plan, PlanGoal
from tracker.plans import bp
from tracker.plans.forms import EditEvidenceForm, EvidenceForm, ReviewForm, WaiveForm
from tracker.plans.routes import render_plan
from tracker.services import goals as goal_rules
from tracker.services.errors import InputError
from tracker.services.policy import PlanPolicy, policy
from tracker.services.uploads import path_of


def _plan_goal(plan_id: int, goal_id: int) -> tuple[Plan, PlanGoal]:
    plan = db.session.get(Plan, plan_id)
    goal = db.session.get(PlanGoal, goal_id)
    if plan is None or goal is None or goal.plan_id != plan.id \
            or not policy(current_user, plan).view():
        abort(404)
    return plan, goal


def _back(plan: Plan, goal_id: int, message: str):
    flash(message, "info")
    return redirect(url_for("plans.show", plan_id=plan.id) + f"#goal-{goal_id}")


def _refused(plan_id: int, name: str, target: int, form, error: InputError, goal_id: int):
    db.session.rollback()  # nothing of the refused action is kept; saved data is untouched
    add_error(form, error)
    return render_plan(plan_id, status=422, posted=(name, target, form), goal_id=goal_id)


def _act(plan_id: int, goal_id: int, name: str, form, question, change, message: str):
    """One goal action: may this person act at all (``question``, a PlanPolicy method), apply
    ``change`` (a service call), commit, go back."""
    plan, goal = _plan_goal(plan_id, goal_id)
    if question(policy(current_user, plan), goal).forbidden:
        abort(403)
    try:
        change(plan, goal)
    except InputError as error:
        return _refused(plan_id, name, goal_id, form, error, goal_id)
    db.session.commit()
    return _back(plan, goal_id, message)


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/evidence")
@login_required
def add_evidence(plan_id: int, goal_id: int):
    form = EvidenceForm()

    def submit(plan: Plan, goal: PlanGoal) -> None:
        try:
            kind = EvidenceKind(form.kind.data or "note")
        except ValueError:
            raise InputError("kind", "choose a note, a link or a file") from None
        goal_rules.submit_evidence(plan, goal, current_user, kind=kind, note=form.note.data,
                                   url=form.url.data, upload=form.file.data)

    return _act(plan_id, goal_id, "evidence", form, PlanPolicy.submit_evidence, submit,
                "Evidence sent for review.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/done")
@login_required
def mark_done(plan_id: int, goal_id: int):
    return _act(plan_id, goal_id, "action", ActionForm(), PlanPolicy.mark_done,
                lambda plan, goal: goal_rules.mark_done(plan, goal, current_user),
                "Goal ticked off.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/review")
@login_required
def review(plan_id: int, goal_id: int):
    form = ReviewForm()
    approve = form.decision.data == "approve"
    return _act(plan_id, goal_id, "review", form, PlanPolicy.review,
                lambda plan, goal: goal_rules.review_goal(
                    plan, goal, current_user, approve=approve, comment=form.comment.data),
                "Approved." if approve else "Changes requested.")


@bp.post("/plans/<int:plan_id>/goals/<int:goal_id>/waive")
@login_required
def waive(plan_id: int, goal_id: int):
    form = WaiveForm()
    return _act(plan_id, goal_id, "waive", form, PlanPolicy.waive,
                lambda plan, goal: goal_rules.waive_goal(plan, goal, current_user,
                                                         form.reason.data),
                "Goal waived.")


def _evidence(evidence_id: int) -> tuple[Plan, Evidence]:
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None:
        abort(404)
    plan = db.session.get(Plan, evidence.goal.plan_id)
    if not policy(current_user, plan).view():
        abort(404)
    return plan, evidence


def _author_acts(evidence_id: int, name: str, form, change, message: str):
    """One change to evidence by its author: apply ``change``, commit, go back to the goal."""
    plan, evidence = _evidence(evidence_id)
    if policy(current_user, plan).change_evidence(evidence, evidence.goal).forbidden:
        abort(403)  # only the author edits or withdraws their evidence
    goal_id = evidence.goal_id
    try:
        change(plan, evidence)
    except InputError as error:
        return _refused(plan.id, name, evidence_id if name == "edit" else goal_id, form, error,
                        goal_id)
    db.session.commit()
    return _back(plan, goal_id, message)


@bp.post("/evidence/<int:evidence_id>/edit")
@login_required
def edit(evidence_id: int):
    """Fix a typo or a wrong link before the manager looks; the old text stays in the audit."""
    form = EditEvidenceForm()
    return _author_acts(evidence_id, "edit", form, lambda plan, evidence: goal_rules.edit_evidence(
        plan, evidence, current_user, note=form.note.data, url=form.url.data),
        "Evidence updated.")


@bp.post("/evidence/<int:evidence_id>/withdraw")
@login_required
def withdraw(evidence_id: int):
    return _author_acts(evidence_id, "action", ActionForm(),
                        lambda plan, evidence: goal_rules.withdraw_evidence(
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
