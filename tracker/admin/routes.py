from datetime import datetime, timezone

import sqlalchemy as sa
from flask import render_template, request

from tracker.admin import admin_required, bp
from tracker.admin.paging import paging
from tracker.extensions import db
from tracker.models import (
    Plan,
    PlanStatus,
    User,
)
from tracker.models.enums import MILESTONE_ORDER
from tracker.security import id_arg
from tracker.services.accounts import find_user
from tracker.services.at_risk import Thresholds, reasons_for
from tracker.services.layers import layer_choices
from tracker.services.overview import SORTS, cohorts, overview
from tracker.services.plan_pages import (
    load_plans,
    manager_choices,
    plan_list_filter,
    progress_options,
    role_choices,
)
from tracker.services.progress import local_today, plan_progress
from tracker.services.rollup_read import overview_counts


def _manager(args) -> tuple[int | None, str]:
    """The manager filter: an id from the list's choices or a link, or, in a company with
    too many managers to list, an email address (and a message when nobody has it)."""
    email = args.get("manager_email", "").strip()
    if not email:
        return id_arg(args.get("manager")), ""
    user = find_user(email)
    if user is None or not db.session.scalar(
            sa.select(sa.exists().where(Plan.manager_id == user.id))):
        return None, (f"No plan has a manager with the email address {email}, so plans of "
                      "every manager are shown.")
    return user.id, ""


def _filters(today, manager: int | None):
    """The list's filters from the query string; unknown values are ignored, not errors."""
    args = request.args
    return plan_list_filter(status=args.get("status", "active"), role=args.get("role", ""),
                            manager=manager, at=args.get("at", ""),
                            risk=args.get("risk", ""), cohort=args.get("cohort", ""),
                            layer=args.get("layer", ""), today=today)


@bp.get("/plans")
@admin_required
def plans():
    """HR's overview: the counts that need attention, then every plan, filtered and sorted."""
    today = datetime.now(timezone.utc).date()
    counts = overview_counts(today) or overview(today)  # first: it may commit (rollup.ready)
    manager, manager_problem = _manager(request.args)
    where, chosen = _filters(today, manager)
    managers = manager_choices()
    manager_email = request.args.get("manager_email", "").strip()
    if managers is None and manager and not manager_email:  # a link's ?manager=<id>
        person = db.session.get(User, manager)
        manager_email = person.email if person else ""
    sort = request.args.get("sort", "")
    if sort in SORTS and sort != next(iter(SORTS)):
        chosen["sort"] = sort
    page = paging(Plan, where)
    shown = load_plans(where, order_by=SORTS[chosen.get("sort", "newest")][1],
                       limit=page.size, offset=page.offset, options=progress_options())
    rows = [(plan, plan_progress(plan, local_today(plan.hire.timezone))) for plan in shown]
    return render_template("admin/plans.html", rows=rows, paging=page, chosen=chosen,
                           roles=role_choices(), managers=managers,
                           manager_email=manager_email, manager_problem=manager_problem,
                           statuses=[s.value for s in PlanStatus],
                           milestones=[(k.value, k.label) for k in MILESTONE_ORDER],
                           counts=counts, cohorts=cohorts(),
                           layers=[(layer.slug, layer.name) for layer in layer_choices()],
                           sorts=[(key, label) for key, (label, _) in SORTS.items()],
                           risks=reasons_for([plan.id for plan in shown], today),
                           risk_rule=Thresholds.from_settings().explained())
