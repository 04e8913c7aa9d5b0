from datetime import datetime, timezone

from flask import render_template, request

from tracker.admin import admin_required, bp
from tracker.admin.paging import paging
from tracker.models import (
    Plan,
    PlanStatus,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.security import id_arg
from tracker.services.plan_pages import (
    load_plans,
    manager_choices,
    plan_list_filter,
    role_choices,
)
from tracker.services.progress import local_today, plan_progress


def _filters():
    """The list's filters from the query string; unknown values are ignored, not errors."""
    args = request.args
    return plan_list_filter(status=args.get("status", "active"), role=args.get("role", ""),
                            manager=id_arg(args.get("manager")), at=args.get("at", ""),
                            today=datetime.now(timezone.utc).date())


@bp.get("/plans")
@admin_required
def plans():
    where, chosen = _filters()
    page = paging(Plan, where)
    rows = [(plan, plan_progress(plan, local_today(plan.hire.timezone)))
            for plan in load_plans(where, limit=page.size, offset=page.offset)]
    return render_template("admin/plans.html", rows=rows, paging=page, chosen=chosen,
                           roles=role_choices(), managers=manager_choices(),
                           statuses=[s.value for s in PlanStatus],
                           milestones=[(k.value, k.label) for k in MILESTONE_ORDER])
