from datetime import date, datetime, timezone

import sqlalchemy as sa
from flask import render_template, request

from tracker.admin import admin_required, bp
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.models import (
    MilestoneKey,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES, MILESTONE_ORDER
from tracker.plans.queries import load_plans
from tracker.services.progress import local_today, plan_progress


def now_at(key: MilestoneKey, today: date):
    """Plans whose current milestone is ``key``, by the same rule as the "Now at" column.

    That rule (services.progress.plan_progress): the first milestone with an unfinished goal that
    is not yet due; if every such milestone is past its date, the earliest overdue one. Done in
    SQL, so the list costs the same statements for ten plans or ten thousand. ``today`` is the
    server's UTC date; the column uses the hire's own date, so near midnight the two can differ
    by a day for a milestone due that very day.
    """
    unfinished = sa.exists().where(PlanGoal.milestone_id == PlanMilestone.id,
                                   PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)))
    open_ms = sa.select(PlanMilestone.plan_id, PlanMilestone.position, PlanMilestone.due_date) \
        .where(unfinished).subquery()
    upcoming = (sa.select(open_ms.c.plan_id, sa.func.min(open_ms.c.position).label("position"))
                .where(open_ms.c.due_date >= today).group_by(open_ms.c.plan_id).subquery())
    earliest = (sa.select(open_ms.c.plan_id, sa.func.min(open_ms.c.position).label("position"))
                .group_by(open_ms.c.plan_id).subquery())
    current = (sa.select(earliest.c.plan_id,
                         sa.func.coalesce(upcoming.c.position, earliest.c.position).label("position"))
               .outerjoin(upcoming, upcoming.c.plan_id == earliest.c.plan_id).subquery())
    return Plan.id.in_(
        sa.select(current.c.plan_id)
        .join(PlanMilestone, sa.and_(PlanMilestone.plan_id == current.c.plan_id,
                                     PlanMilestone.position == current.c.position))
        .where(PlanMilestone.key == key))


def _filters():
    """The list's filters from the query string; unknown values are ignored, not errors."""
    args = request.args
    clauses, chosen = [], {}
    status = args.get("status", "active")
    if status in PlanStatus._value2member_map_:
        clauses.append(Plan.status == PlanStatus(status))
    else:
        status = "all"
    chosen["status"] = status
    role = args.get("role", "")
    if role:
        clauses.append(Plan.role_version_id.in_(
            sa.select(RoleVersion.id).join(RoleTemplate).where(RoleTemplate.slug == role)))
        chosen["role"] = role
    manager = args.get("manager", type=int)
    if manager:
        clauses.append(Plan.manager_id == manager)
        chosen["manager"] = manager
    at = args.get("at", "")
    if at in MilestoneKey._value2member_map_:
        clauses.append(now_at(MilestoneKey(at), datetime.now(timezone.utc).date()))
        chosen["at"] = at
    return sa.and_(sa.true(), *clauses), chosen


@bp.get("/plans")
@admin_required
def plans():
    where, chosen = _filters()
    page = paging(Plan, where)
    rows = [(plan, plan_progress(plan, local_today(plan.hire.timezone)))
            for plan in load_plans(where, limit=page.size, offset=page.offset)]
    roles = db.session.execute(
        sa.select(RoleTemplate.slug, RoleTemplate.name)
        .where(RoleTemplate.kind == TemplateKind.ROLE).order_by(RoleTemplate.name)).all()
    managers = db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(sa.select(Plan.manager_id)))
        .order_by(User.name)).all()
    return render_template("admin/plans.html", rows=rows, paging=page,
                           chosen=chosen, roles=roles, managers=managers,
                           statuses=[s.value for s in PlanStatus],
                           milestones=[(k.value, k.label) for k in MILESTONE_ORDER])
