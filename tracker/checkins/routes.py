"""One milestone's check-in: a page to read it, and forms for each person's half and signature.

Check-ins hold personal assessments, so only the hire, their manager and admins open them; the
buddy sees the plan but not these conversations.
"""
from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.checkins import bp
from tracker.checkins.forms import ManagerHalfForm, SignForm, hire_half_form
from tracker.extensions import db
from tracker.forms import add_error
from tracker.models import Plan, PlanMilestone
from tracker.services import checkins as rules
from tracker.services.errors import InputError
from tracker.services.plan_pages import load_plan
from tracker.services.policy import checkin_opens_on, policy
from tracker.services.progress import local_today


def _load(plan_id: int, key: str) -> tuple[Plan, PlanMilestone]:
    plan = load_plan(plan_id)
    can = policy(current_user, plan) if plan is not None else None
    if can is None or not can.view():
        abort(404)
    if not can.see_conversations():
        abort(403)
    milestone = next((m for m in plan.milestones if m.key.value == key), None)
    if milestone is None:
        abort(404)
    return plan, milestone


def _forms(milestone: PlanMilestone, checkin, posted: tuple[str, object] | None) -> dict:
    """Each half's form filled from the saved check-in, or the refused one as it was posted."""
    def saved(*names: str) -> dict:
        return {name: getattr(checkin, name) if checkin else "" for name in names}

    notes = {f"goal-{goal_id}": note
             for goal_id, note in (checkin.goal_notes if checkin else {}).items()}
    rating = checkin.rating.value if checkin and checkin.rating else None
    forms = {
        "hire": hire_half_form(milestone.goals, formdata=None, data=saved(
            "self_assessment", "went_well", "blockers") | notes),
        "manager": ManagerHalfForm(formdata=None, data=saved(
            "manager_assessment", "next_steps") | {"rating": rating}),
        "sign": SignForm(formdata=None, data={"seen": rules.content_digest(checkin)}),
    }
    if posted and posted[0] == "sign":
        # A signature vouches for what is on screen now: a fresh digest, the refusal kept.
        forms["sign"].form_errors.extend(posted[1].form_errors)
    elif posted:
        forms[posted[0]] = posted[1]
    return forms


def render_checkin(plan_id: int, key: str, *, status: int = 200, posted=None):
    plan, milestone = _load(plan_id, key)
    checkin = rules.check_in_for(milestone)
    today = local_today(plan.hire.timezone)
    can = policy(current_user, plan)
    return render_template(
        "checkins/show.html", plan=plan, milestone=milestone, checkin=checkin,
        viewer=can.relation, opens_on=checkin_opens_on(milestone),
        is_open=today >= checkin_opens_on(milestone), stage=rules.stage(checkin, milestone, today),
        can_write=can.write_checkin(can.relation, milestone, checkin, today),
        can_sign=can.sign_checkin(milestone, checkin, today),
        forms=_forms(milestone, checkin, posted)), status


@bp.get("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>")
@login_required
def show(plan_id: int, key: str):
    return render_checkin(plan_id, key)


def _change(plan_id: int, key: str, name: str, make_form, question, change, message: str):
    """Apply one check-in change for the signed-in person; on bad input show the form again.

    ``question`` picks the policy's answer for this change (a person it forbids gets 403);
    ``make_form`` reads the posted form for the milestone; ``change`` calls the service.
    """
    plan, milestone = _load(plan_id, key)
    today = local_today(plan.hire.timezone)
    decision = question(policy(current_user, plan))(milestone, rules.check_in_for(milestone), today)
    if decision.forbidden:
        abort(403)
    form = make_form(milestone)
    try:
        cleared = change(plan, milestone, today, form)
    except InputError as error:
        db.session.rollback()
        add_error(form, error)
        return render_checkin(plan_id, key, status=422, posted=(name, form))
    db.session.commit()
    flash(message, "info")
    if cleared:
        flash("Your change cleared the signatures: both of you sign again when you agree.",
              "info")
    return redirect(url_for("checkins.show", plan_id=plan_id, key=key))


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/hire")
@login_required
def save_hire(plan_id: int, key: str):
    def change(plan, milestone, today, form):
        return rules.save_hire_part(plan, milestone, current_user, today,
                                    self_assessment=form.self_assessment.data,
                                    went_well=form.went_well.data, blockers=form.blockers.data,
                                    goal_notes=form.goal_notes())[1]

    return _change(plan_id, key, "hire", lambda milestone: hire_half_form(milestone.goals),
                   lambda can: partial(can.write_checkin, "hire"), change,
                   "Self-assessment saved.")


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/manager")
@login_required
def save_manager(plan_id: int, key: str):
    def change(plan, milestone, today, form):
        return rules.save_manager_part(plan, milestone, current_user, today,
                                       assessment=form.manager_assessment.data,
                                       rating=form.rating.data or "",
                                       next_steps=form.next_steps.data)[1]

    return _change(plan_id, key, "manager", lambda _milestone: ManagerHalfForm(),
                   lambda can: partial(can.write_checkin, "manager"), change,
                   "Manager's assessment saved.")


@bp.post("/plans/<int:plan_id>/checkins/<any(d30,d60,d90,m6,m12):key>/sign")
@login_required
def sign(plan_id: int, key: str):
    def change(plan, milestone, today, form):
        rules.sign(plan, milestone, current_user, today, form.seen.data)
        return False

    return _change(plan_id, key, "sign", lambda _milestone: SignForm(),
                   lambda can: can.sign_checkin, change, "Signed.")
