from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.models import Plan, PlanStatus
from tracker.plans import bp
from tracker.plans.queries import activity, checkins_by_milestone, load_plan, load_plans
from tracker.services import pulses
from tracker.services.access import (
    can_see_conversations,
    can_view_plan,
    own_plans_clause,
    relationship_to,
)
from tracker.services.checkins import opens_on
from tracker.services.goals import can_review, can_work_on
from tracker.services.progress import local_today, plan_progress


@bp.get("/")
@login_required
def home():
    """Everyone lands on the plans they are part of; an admin with none goes to all plans."""
    mine = load_plans(own_plans_clause(current_user) & (Plan.status != PlanStatus.ARCHIVED))
    if not mine and current_user.is_admin:
        return redirect(url_for("admin.plans"))
    if len(mine) == 1 and mine[0].hire_id == current_user.id:
        return redirect(url_for("plans.show", plan_id=mine[0].id))
    rows = [(plan, relationship_to(current_user, plan),
             plan_progress(plan, local_today(plan.hire.timezone))) for plan in mine]
    return render_template("plans/home.html", rows=rows)


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int):
    return render_plan(plan_id)


def render_plan(plan_id: int, *, status: int = 200, errors: dict | None = None,
                values: dict | None = None, goal_id: int | None = None,
                pulse_error: bool = False):
    """The plan page; after a refused action it shows the errors beside the form that failed."""
    plan = load_plan(plan_id)
    # Not found and not allowed look the same, so plan ids reveal nothing.
    if plan is None or not can_view_plan(current_user, plan):
        abort(404)
    today = local_today(plan.hire.timezone)
    progress = plan_progress(plan, today)
    conversations = can_see_conversations(current_user, plan)
    pulse = None
    if conversations:
        answered = pulses.answers(plan.id)
        pulse = {"answers": answered, "points": pulses.trend_points(answered),
                 "due": pulses.due_pulse(plan, today, answered[-1].due_on if answered else None),
                 "next": pulses.next_pulse(plan, today)}
    return render_template(
        "plans/show.html", plan=plan, progress=progress,
        activity=activity(plan.id, conversations=conversations),
        viewer=relationship_to(current_user, plan),
        can_work=lambda goal: plan.status == PlanStatus.ACTIVE and can_work_on(current_user, plan, goal),
        can_review=plan.status == PlanStatus.ACTIVE and can_review(current_user, plan),
        checkins=checkins_by_milestone(plan.id) if conversations else None,
        checkin_opens=opens_on, pulse=pulse, today=today,
        errors=errors or {}, values=values or {}, error_goal=goal_id,
        pulse_error=pulse_error), status
