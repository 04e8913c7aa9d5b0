from datetime import datetime, timezone

import sqlalchemy as sa
from flask import render_template, request

from tracker.admin import admin_required, bp
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.models import (
    MilestoneKey,
    Plan,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.services.plan_pages import load_plans
from tracker.services.progress import local_today, now_at, plan_progress


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
