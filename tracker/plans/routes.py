from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required

from tracker.models import Plan, PlanStatus
from tracker.plans import bp
from tracker.plans.forms import PageForms
from tracker.services import pulses
from tracker.services.audit import activity
from tracker.services.checkins import checkins_by_milestone, stage
from tracker.services.plan_pages import load_plan, load_plans
from tracker.services.policy import own_plans_clause, policy, relation_of
from tracker.services.progress import local_today, plan_progress
from tracker.services.template_updates import pending_count


@bp.get("/")
@login_required
def home():
    """Everyone lands on the plans they are part of; an admin with none goes to all plans."""
    mine = load_plans(own_plans_clause(current_user) & (Plan.status != PlanStatus.ARCHIVED))
    if not mine and current_user.is_admin:
        return redirect(url_for("admin.plans"))
    if len(mine) == 1 and mine[0].hire_id == current_user.id:
        return redirect(url_for("plans.show", plan_id=mine[0].id))
    rows = [(plan, relation_of(current_user, plan),
             plan_progress(plan, local_today(plan.hire.timezone))) for plan in mine]
    return render_template("plans/home.html", rows=rows)


@bp.get("/plans/<int:plan_id>")
@login_required
def show(plan_id: int):
    return render_plan(plan_id)


def render_plan(plan_id: int, *, status: int = 200, posted: tuple | None = None,
                goal_id: int | None = None):
    """The plan page; after a refused action ``posted`` (form name, target id, the form) puts
    the person's input and the error back beside the form that failed."""
    plan = load_plan(plan_id)
    # Not found and not allowed look the same, so plan ids reveal nothing.
    can = policy(current_user, plan) if plan is not None else None
    if can is None or not can.view():
        abort(404)
    today = local_today(plan.hire.timezone)
    conversations = bool(can.see_conversations())
    pulse = None
    if conversations:
        answered = pulses.answers(plan.id)
        last = answered[-1].due_on if answered else None
        due = pulses.due_pulse(plan, today, last)
        pulse = {"answers": answered, "points": pulses.trend_points(answered), "due": due,
                 "can_answer": can.answer_pulse(due, last), "next": pulses.next_pulse(plan, today)}
    return render_template(
        "plans/show.html", plan=plan, progress=plan_progress(plan, today), can=can,
        activity=activity(plan.id, conversations=conversations), viewer=can.relation,
        checkins=checkins_by_milestone(plan.id) if conversations else None,
        checkin_stage=stage, pulse=pulse, today=today,
        forms=PageForms(posted), error_goal=goal_id,
        template_changes=pending_count(plan) if can.adopt_changes() else 0), status
