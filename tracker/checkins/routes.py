"""One milestone's check-in: a page to read it, and forms for each person's half and signature.

Check-ins hold personal assessments, so only the hire, their manager and admins open them; the
buddy sees the plan but not these conversations.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from tracker.checkins import bp
from tracker.extensions import db
from tracker.models import CheckInRating, Plan, PlanMilestone
from tracker.plans.queries import load_plan
from tracker.services import checkins as rules
from tracker.services.access import can_see_conversations, can_view_plan, relationship_to
from tracker.services.errors import InputError
from tracker.services.progress import local_today


def _load(plan_id: int, key: str) -> tuple[Plan, PlanMilestone]:
    plan = load_plan(plan_id)
    if plan is None or not can_view_plan(current_user, plan):
        abort(404)
    if not can_see_conversations(current_user, plan):
        abort(403)
    milestone = next((m for m in plan.milestones if m.key.value == key), None)
    if milestone is None:
        abort(404)
    return plan, milestone


def render_checkin(plan_id: int, key: str, *, status: int = 200, errors: dict | None = None,
                   values: dict | None = None):
    plan, milestone = _load(plan_id, key)
    checkin = rules.check_in_for(milestone)
    today = local_today(plan.hire.timezone)
    return render_template(
        "checkins/show.html", plan=plan, milestone=milestone, checkin=checkin,
        viewer=relationship_to(current_user, plan), is_open=rules.is_open(milestone, today),
        opens_on=rules.opens_on(milestone), missing=rules.missing_for_signature(checkin),
        ratings=list(CheckInRating), digest=rules.content_digest(checkin),
        errors=errors or {}, values=values or {}), status


@bp.get("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>")
@login_required
def show(plan_id: int, key: str):
    return render_checkin(plan_id, key)


def _change(plan_id: int, key: str, who: tuple[str, ...], change, message: str):
    """Apply one check-in change for the signed-in person; on bad input show the form again.

    ``who``: the relationships (hire, manager) allowed to make this change; others get 403.
    """
    plan, milestone = _load(plan_id, key)
    if relationship_to(current_user, plan) not in who:
        abort(403)
    try:
        cleared = change(plan, milestone, local_today(plan.hire.timezone))
    except InputError as error:
        db.session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_checkin(plan_id, key, status=422, errors={error.field: error.message},
                              values=values)
    db.session.commit()
    flash(message, "info")
    if cleared:
        flash("Your change cleared the signatures: both of you sign again when you agree.",
              "info")
    return redirect(url_for("checkins.show", plan_id=plan_id, key=key))


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/hire")
@login_required
def save_hire(plan_id: int, key: str):
    form = request.form

    def change(plan, milestone, today):
        notes = {goal.id: form.get(f"goal-{goal.id}", "") for goal in milestone.goals}
        return rules.save_hire_part(plan, milestone, current_user, today,
                                    self_assessment=form.get("self_assessment", ""),
                                    went_well=form.get("went_well", ""),
                                    blockers=form.get("blockers", ""), goal_notes=notes)[1]

    return _change(plan_id, key, ("hire",), change, "Self-assessment saved.")


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/manager")
@login_required
def save_manager(plan_id: int, key: str):
    form = request.form

    def change(plan, milestone, today):
        return rules.save_manager_part(plan, milestone, current_user, today,
                                       assessment=form.get("manager_assessment", ""),
                                       rating=form.get("rating", ""),
                                       next_steps=form.get("next_steps", ""))[1]

    return _change(plan_id, key, ("manager",), change, "Manager's assessment saved.")


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/sign")
@login_required
def sign(plan_id: int, key: str):
    def change(plan, milestone, today):
        rules.sign(plan, milestone, current_user, today, request.form.get("seen"))
        return False

    return _change(plan_id, key, ("hire", "manager"), change, "Signed.")
