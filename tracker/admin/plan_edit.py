"""Editing a running plan: one page, one small form per kind of change.

Each form posts to its own route, which calls one service, commits and redirects back to the
page (post/redirect/get). A refusal re-renders the whole page with status 422, the error beside
the field and the person's input kept in the form they sent; every other form shows the plan.
"""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.admin import admin_required, bp
from tracker.admin.forms import (
    DueDateForm,
    GoalForm,
    PeopleForm,
    PulseForm,
    StartDateForm,
    StatusForm,
    choices,
)
from tracker.extensions import db
from tracker.formatting import plural
from tracker.forms import add_error
from tracker.models import Plan, PlanMilestone, PlanStatus
from tracker.services import plan_changes
from tracker.services.accounts import people
from tracker.services.errors import InputError
from tracker.services.hires import check_start_date
from tracker.services.invitations import issue_link
from tracker.services.plan_pages import load_plan
from tracker.services.plans import change_start_date


def _forms(plan: Plan, posted: dict) -> dict:
    """The page's forms: the posted one (bound to the request) or filled from the plan."""
    def bound(name, cls, **data):
        return posted[name] if name in posted else cls(formdata=None, **data)

    forms = {
        "start": bound("start", StartDateForm, start_date=plan.start_date),
        "people": bound("people", PeopleForm, manager=plan.manager.email,
                        buddy=plan.buddy.email if plan.buddy else ""),
        "pulse": bound("pulse", PulseForm, pulse_days_early=plan.pulse_days_early,
                       pulse_days_late=plan.pulse_days_late),
        "goal": bound("goal", GoalForm),
        "status": bound("status", StatusForm),
    }
    forms["goal"].milestone.choices = choices((m.id, m.key.label) for m in plan.milestones)
    for milestone in plan.milestones:
        forms[f"due-{milestone.id}"] = bound(f"due-{milestone.id}", DueDateForm,
                                             prefix=f"m{milestone.id}",
                                             due_date=milestone.due_date)
    return forms


def render_edit(plan_id: int, status: int = 200, posted: dict | None = None):
    plan = load_plan(plan_id)
    if plan is None:
        abort(404)
    open_goals = sum(1 for m in plan.milestones for g in m.goals if not g.status.is_finished)
    return render_template("admin/plan_edit.html", plan=plan, forms=_forms(plan, posted or {}),
                           open_goals=open_goals, people=people(),
                           status_actions=plan_changes.status_actions(plan)), status


def _plan(plan_id: int) -> Plan:
    return db.get_or_404(Plan, plan_id)


def _apply(plan: Plan, name: str, form, change, message):
    """Validate ``form``, run ``change`` (a service call), commit, and go back to the page."""
    if form.validate():
        try:
            result = change()
        except InputError as error:
            db.session.rollback()
            add_error(form, error)
        else:
            db.session.commit()
            flash(message(result) if callable(message) else message, "info")
            return redirect(url_for("admin.edit_plan", plan_id=plan.id, _anchor="main"))
    return render_edit(plan.id, 422, {name: form})


@bp.get("/plans/<int:plan_id>/edit")
@admin_required
def edit_plan(plan_id: int):
    return render_edit(plan_id)


@bp.post("/plans/<int:plan_id>/start-date")
@admin_required
def change_start(plan_id: int):
    plan, form = _plan(plan_id), StartDateForm()

    def change():
        if form.start_date.data == plan.start_date:
            raise InputError("start_date", "the plan already starts on that date")
        check_start_date(form.start_date.data)
        kept = sum(1 for m in plan.milestones if m.is_overridden)
        return len(change_start_date(plan, form.start_date.data, actor=current_user)), kept

    def message(result):
        moved, kept = result
        text = f"Start date changed; {plural(moved, 'milestone')} moved."
        if kept:
            text += f" {plural(kept, 'date')} set by hand {'was' if kept == 1 else 'were'} kept."
        return text

    return _apply(plan, "start", form, change, message)


@bp.post("/plans/<int:plan_id>/people")
@admin_required
def change_people(plan_id: int):
    plan, form = _plan(plan_id), PeopleForm()
    return _apply(plan, "people", form,
                  lambda: plan_changes.change_people(plan, form.manager.data, form.buddy.data or "",
                                                     actor=current_user),
                  lambda changed: (f"Changed the {' and the '.join(changed)}." if changed
                                   else "Nothing to change: same manager and buddy."))


@bp.post("/plans/<int:plan_id>/milestones/<int:milestone_id>/due-date")
@admin_required
def override_due(plan_id: int, milestone_id: int):
    plan = _plan(plan_id)
    milestone = db.session.get(PlanMilestone, milestone_id)
    if milestone is None or milestone.plan_id != plan.id:
        abort(404)
    form = DueDateForm(prefix=f"m{milestone.id}")
    return _apply(plan, f"due-{milestone.id}", form,
                  lambda: plan_changes.move_due_date(plan, milestone, form.due_date.data,
                                                     form.reason.data, actor=current_user),
                  f"{milestone.key.label} milestone moved; the new date stays if the start "
                  "date changes.")


@bp.post("/plans/<int:plan_id>/pulse")
@admin_required
def change_pulse(plan_id: int):
    plan, form = _plan(plan_id), PulseForm()
    return _apply(plan, "pulse", form,
                  lambda: plan_changes.set_pulse_cadence(
                      plan, form.pulse_days_early.data, form.pulse_days_late.data,
                      actor=current_user),
                  "Pulse check-in cadence saved.")


@bp.post("/plans/<int:plan_id>/goals")
@admin_required
def add_goal(plan_id: int):
    plan, form = _plan(plan_id), GoalForm()
    form.milestone.choices = choices((m.id, m.key.label) for m in plan.milestones)
    return _apply(plan, "goal", form,
                  lambda: plan_changes.add_custom_goal(
                      plan, db.session.get(PlanMilestone, form.milestone.data),
                      title=form.title.data, description=form.description.data,
                      owner=form.owner.data, evidence_required=form.evidence_required.data,
                      evidence_hint=form.evidence_hint.data, actor=current_user),
                  lambda goal: f"Added “{goal.title}” to {goal.milestone.key.label}.")


@bp.post("/plans/<int:plan_id>/status")
@admin_required
def change_status(plan_id: int):
    plan, form = _plan(plan_id), StatusForm()

    def message(still_open):
        text = f"The plan is now {plan.status.value}."
        if still_open and plan.status == PlanStatus.COMPLETED:
            verb = "was" if still_open == 1 else "were"
            text += f" {plural(still_open, 'goal')} {verb} still open."
        return text

    return _apply(plan, "status", form,
                  lambda: plan_changes.set_status(plan, form.status.data, actor=current_user),
                  message)


@bp.post("/plans/<int:plan_id>/invitation")
@admin_required
def new_invitation(plan_id: int):
    """A fresh set-password link for the hire, shown once in the message and audited."""
    plan = _plan(plan_id)
    link = issue_link(plan.hire, actor=current_user, plan=plan)
    db.session.commit()
    days = current_app.config["INVITATION_MAX_AGE_DAYS"]
    flash(f"Send {plan.hire.name} this link to choose a password (it works once, for {days} "
          f"days): {link}", "info")
    return redirect(url_for("admin.edit_plan", plan_id=plan.id, _anchor="main"))
