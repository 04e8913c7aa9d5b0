"""The hire answers a pulse check-in from their plan page; the answer goes back to that page."""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from tracker.checkins import bp
from tracker.extensions import db
from tracker.models import Plan
from tracker.plans.routes import render_plan
from tracker.services.access import can_view_plan
from tracker.services.errors import InputError
from tracker.services.progress import local_today
from tracker.services.pulses import answer


@bp.post("/plans/<int:plan_id>/pulse")
@login_required
def answer_pulse(plan_id: int):
    plan = db.session.get(Plan, plan_id)
    if plan is None or not can_view_plan(current_user, plan):
        abort(404)
    if current_user.id != plan.hire_id:
        abort(403)
    try:
        answer(plan, current_user, local_today(current_user.timezone),
               confidence=request.form.get("confidence", ""),
               blocker=request.form.get("blocker", ""), win=request.form.get("win", ""))
    except InputError as error:
        db.session.rollback()
        values = {k: v for k, v in request.form.items() if k != "csrf_token"}
        return render_plan(plan_id, status=422, errors={error.field: error.message},
                           values=values, goal_id=None, pulse_error=True)
    db.session.commit()
    flash("Thanks, your pulse check-in is saved.", "info")
    return redirect(url_for("plans.show", plan_id=plan_id) + "#pulse")
