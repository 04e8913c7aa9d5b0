"""Hires and their plans: list, create, read, change the people or the start date, archive,
and import many at once from CSV (the same dry run and all-or-nothing as the import page)."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
from flask import current_app

from tracker.api import access, answers, bp, spec
from tracker.api.errors import ApiError
from tracker.api.inputs import ImportIn, PlanCreate, PlanQuery, PlanUpdate
from tracker.api.present import PLAN_LOADS, load_plan, plan_detail, plan_summaries
from tracker.api.schemas import ImportOut, ImportRow, PlanCreated, PlanOut, PlanPage
from tracker.extensions import db
from tracker.models import Plan, PlanStatus
from tracker.services import hires
from tracker.services.bulk_import import import_hires
from tracker.services.plan_changes import change_people, set_status
from tracker.services.plan_pages import plan_list_filter
from tracker.services.plans import change_start_date
from tracker.services.policy import own_plans_clause
from tracker.services.site_policy import manage_hires


@bp.get("/plans")
@spec.validate(query=PlanQuery, resp=answers(errors=(), HTTP_200=PlanPage), tags=["plans"])
def list_plans(query: PlanQuery):
    """Plans, newest start first, a page at a time."""
    user = access.me()
    today = datetime.now(timezone.utc).date()  # the day HR's plan list filters by
    where, _kept = plan_list_filter(status=query.status, role=query.role, layer=query.layer,
                                    cohort=query.cohort, manager=query.manager, at=query.at,
                                    risk="yes" if query.at_risk else "", today=today)
    if not manage_hires(user):
        where = sa.and_(where, own_plans_clause(user))
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Plan).where(where))
    plans = db.session.scalars(
        sa.select(Plan).where(where).options(*PLAN_LOADS)
        .order_by(Plan.start_date.desc(), Plan.id.desc())
        .limit(query.per_page).offset((query.page - 1) * query.per_page)).all()
    return PlanPage(items=plan_summaries(list(plans)), page=query.page,
                    per_page=query.per_page, total=total)


@bp.post("/plans")
@spec.validate(json=PlanCreate, resp=answers(errors=(422,), HTTP_201=PlanCreated),
               tags=["plans"])
def create_plan(json: PlanCreate):
    """A new hire (or a rehire of an earlier account) and their plan from a role's latest
    version; the person is sent a welcome email by the next sweep, as from the hire page."""
    access.enforce(manage_hires(access.me()))
    plan, rehired = hires.create_hire(
        name=json.name, email=json.email, timezone=json.timezone.strip(), role=json.role,
        start=json.start_date, manager_email=json.manager_email, buddy_email=json.buddy_email,
        baseline=json.baseline, layers=json.layers, actor=access.me())
    db.session.commit()
    return plan_detail(load_plan(plan.id), PlanCreated, rehired=rehired), 201


@bp.get("/plans/<int:plan_id>")
@spec.validate(resp=answers(HTTP_200=PlanOut), tags=["plans"])
def show_plan(plan_id: int):
    """A plan with its milestones, goals and evidence."""
    access.plan_or_404(plan_id)
    return plan_detail(load_plan(plan_id))


@bp.patch("/plans/<int:plan_id>")
@spec.validate(json=PlanUpdate, resp=answers(errors=(404, 422), HTTP_200=PlanOut),
               tags=["plans"])
def update_plan(plan_id: int, json: PlanUpdate):
    """Change the manager, the buddy or the start date (dates nobody moved by hand follow)."""
    plan, can = access.plan_or_404(plan_id)
    access.enforce(can.edit_plan())
    if json.manager_email is not None or json.buddy_email is not None:
        manager = plan.manager.email if json.manager_email is None else json.manager_email
        buddy = (plan.buddy.email if plan.buddy else "") if json.buddy_email is None \
            else json.buddy_email
        change_people(plan, manager, buddy, actor=access.me())
    if json.start_date is not None and json.start_date != plan.start_date:
        hires.check_start_date(json.start_date)
        change_start_date(plan, json.start_date, actor=access.me())
    db.session.commit()
    return plan_detail(load_plan(plan_id))


@bp.post("/plans/<int:plan_id>/archive")
@spec.validate(resp=answers(errors=(404, 422), HTTP_200=PlanOut), tags=["plans"])
def archive_plan(plan_id: int):
    """Archive a plan: reminders stop, and nothing in it is deleted."""
    plan, can = access.plan_or_404(plan_id)
    access.enforce(can.edit_plan())
    set_status(plan, PlanStatus.ARCHIVED, actor=access.me())
    db.session.commit()
    return plan_detail(load_plan(plan_id))


@bp.post("/hires/import")
@spec.validate(json=ImportIn, resp=answers(errors=(422,), HTTP_200=ImportOut), tags=["plans"])
def import_plans(json: ImportIn):
    """Hires from CSV text (the import page's columns). A dry run reports every row's problems
    and creates nothing; otherwise every hire is created, or none if any row has a problem."""
    access.enforce(manage_hires(access.me()))
    result = import_hires(json.csv, actor=access.me(), dry_run=json.dry_run,
                          default_timezone=current_app.config["DEFAULT_TIMEZONE"])
    if result.ok and not json.dry_run:
        db.session.commit()
    else:
        db.session.rollback()
    rows = [ImportRow(line=row.line, email=row.email, problems=row.problems)
            for row in result.rows]
    if result.problems:
        rows.insert(0, ImportRow(line=1, email="", problems=result.problems))
    if not (result.ok or json.dry_run):
        raise ApiError(422, f"Nothing was created: {result.problem_count} problems; send it "
                            "with dry_run to see them by row.",
                       fields={f"line {row.line}": "; ".join(row.problems)
                               for row in rows if row.problems})
    return ImportOut(dry_run=json.dry_run, created=result.created, valid=result.ok, rows=rows)
