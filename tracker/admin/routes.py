import sqlalchemy as sa
from flask import current_app, render_template, request

from tracker.admin import admin_required, bp
from tracker.extensions import db
from tracker.models import (
    Plan,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.plans.queries import load_plans
from tracker.services.progress import local_today, plan_progress


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
    return sa.and_(sa.true(), *clauses), chosen


@bp.get("/plans")
@admin_required
def plans():
    where, chosen = _filters()
    page_size = current_app.config["ADMIN_PAGE_SIZE"]
    page = max(1, request.args.get("page", 1, type=int))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(where))
    rows = [(plan, plan_progress(plan, local_today(plan.hire.timezone)))
            for plan in load_plans(where, limit=page_size, offset=(page - 1) * page_size)]
    roles = db.session.execute(
        sa.select(RoleTemplate.slug, RoleTemplate.name)
        .where(RoleTemplate.kind == TemplateKind.ROLE).order_by(RoleTemplate.name)).all()
    managers = db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(sa.select(Plan.manager_id)))
        .order_by(User.name)).all()
    pages = max(1, -(-total // page_size))
    return render_template("admin/plans.html", rows=rows, total=total, page=page, pages=pages,
                           chosen=chosen, roles=roles, managers=managers,
                           statuses=[s.value for s in PlanStatus])
