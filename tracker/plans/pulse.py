"""The hire answers a pulse check-in from their plan page; the answer goes back to that page."""
from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_login import current_user, login_required

from tracker.extensions import db
from tracker.forms import add_error
from tracker.models import Plan
from tracker.plans import bp
from tracker.plans.forms import PulseForm
from tracker.plans.routes import render_plan
from tracker.services.errors import InputError
from tracker.services.policy import policy
from tracker.services.progress import local_today
from tracker.services.pulses import answer


@bp.post("/plans/<int:plan_id>/pulse")
@login_required
def answer_pulse(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    can = policy(current_user, plan) if plan is not None else None
    if can is None or not can.view():
        abort(404)
    if can.answer_pulse(None).forbidden:
        abort(403)
    form = PulseForm()
    try:
        answer(plan, current_user, local_today(current_user.timezone),
               confidence=form.confidence.data, blocker=form.blocker.data, win=form.win.data)
    except InputError as error:
        db.session.rollback()
        add_error(form, error)
        return render_plan(plan_id, status=422, posted=("pulse", None, form))
    db.session.commit()
    flash("Thanks, your pulse check-in is saved.", "info")
    return redirect(url_for("plans.show", plan_id=plan_id) + "#pulse")
