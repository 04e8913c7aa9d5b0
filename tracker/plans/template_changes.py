"""The template-changes page: a newer role or baseline version, change by change, and the
buttons that adopt one, adopt all, or keep the plan on its version (services/adoption.py).

The plan's manager and HR use it; anyone else who may see the plan gets a 403, anyone who may
not a 404, as on every plan page. A refusal because of the state of things (an archived plan,
a change someone else just decided) shows the page again with the reason, answering 422.
"""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from tracker.extensions import db
from tracker.forms import ActionForm, add_error
from tracker.models import Plan
from tracker.plans import bp
from tracker.plans.forms import AdoptForm
from tracker.services import adoption
from tracker.services.errors import InputError
from tracker.services.policy import policy
from tracker.services.template_updates import template_updates


def _plan_for_adoption(plan_id: int) -> Plan:
    plan = db.session.get(Plan, plan_id)
    can = policy(current_user, plan) if plan is not None else None
    if can is None or not can.view():
        abort(404)
    if can.adopt_changes().forbidden:
        abort(403)
    return plan


def _page(plan: Plan, form=None, status: int = 200):
    return render_template("plans/template_changes.html", plan=plan,
                           updates=template_updates(plan), form=form or ActionForm(formdata=None),
                           allowed=policy(current_user, plan).adopt_changes()), status


@bp.get("/plans/<int:plan_id>/template-changes")
@login_required
def template_changes(plan_id: int):
    return _page(_plan_for_adoption(plan_id))


def _decide(plan_id: int, form, change, message) -> object:
    plan = _plan_for_adoption(plan_id)
    try:
        done = change(plan)
    except InputError as error:
        db.session.rollback()  # nothing of a refused decision is kept
        add_error(form, error)
        return _page(db.session.get(Plan, plan_id), form, 422)
    try:
        db.session.commit()
    except IntegrityError:  # two people decided the same change at the same moment
        db.session.rollback()
        add_error(form, InputError("change", "someone else decided this change at the same "
                                             "moment; the page now shows where things stand"))
        return _page(db.session.get(Plan, plan_id), form, 409)
    flash(message(done), "info")
    return redirect(url_for("plans.template_changes", plan_id=plan_id))


@bp.post("/plans/<int:plan_id>/template-changes/adopt")
@login_required
def adopt_change(plan_id: int):
    form = AdoptForm()
    return _decide(plan_id, form,
                   lambda plan: adoption.adopt(plan, form.change.data or "", current_user),
                   lambda change: f"Adopted: {change.title}.")


@bp.post("/plans/<int:plan_id>/template-changes/adopt-all")
@login_required
def adopt_all_changes(plan_id: int):
    return _decide(plan_id, ActionForm(), lambda plan: adoption.adopt_all(plan, current_user),
                   lambda n: f"Adopted {n} change{'s' if n != 1 else ''}.")


@bp.post("/plans/<int:plan_id>/template-changes/stay")
@login_required
def stay_on_version(plan_id: int):
    return _decide(plan_id, ActionForm(), lambda plan: adoption.stay(plan, current_user),
                   lambda n: f"The plan keeps its goals; {n} change{'s' if n != 1 else ''} "
                             "declined.")
