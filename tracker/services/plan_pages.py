"""Loading plans for pages in a fixed number of queries, whatever their size.

Every page that shows plans (the plan page, home, the team, the admin list) loads them here,
with the same eager options, so each costs the same statements for one plan or a thousand;
``raiseload`` makes a forgotten relationship fail loudly in tests instead of going N+1.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    Evidence,
    MilestoneKey,
    Plan,
    PlanGoal,
    PlanLayer,
    PlanMilestone,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateKind,
    User,
)
from tracker.services.at_risk import at_risk
from tracker.services.overview import quarter_range
from tracker.services.progress import now_at


def plan_page_options():
    return (
        so.joinedload(Plan.hire), so.joinedload(Plan.manager), so.joinedload(Plan.buddy),
        so.joinedload(Plan.role_version).joinedload(RoleVersion.template),
        so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals)
        .selectinload(PlanGoal.evidence).options(so.joinedload(Evidence.author),
                                                 so.joinedload(Evidence.reviewer)),
        so.raiseload("*"),
    )


def load_plan(plan_id: int, *more) -> Plan | None:
    """``more``: loader options a caller adds (the API adds the goals' template keys)."""
    # populate_existing: after a refused action the session already holds some of these rows,
    # and they must be loaded again with the page's eager options.
    # The header names the layers the plan was made from, joined in: no query more.
    layers = so.joinedload(Plan.layers).joinedload(PlanLayer.version).joinedload(
        RoleVersion.template)
    return db.session.scalars(sa.select(Plan).where(Plan.id == plan_id)
                              .options(*plan_page_options(), layers, *more)
                              .execution_options(populate_existing=True)).unique().first()


def progress_options():
    """What a list of plans with their progress needs (HR's list, the team page): people, role,
    milestones and each goal's status, not every goal's text and evidence as the plan page
    does (at 50 plans that is ~1,350 goals and their evidence built as objects for nothing)."""
    return (
        so.joinedload(Plan.hire), so.joinedload(Plan.manager),
        so.joinedload(Plan.role_version).joinedload(RoleVersion.template),
        so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals)
        .load_only(PlanGoal.id, PlanGoal.milestone_id, PlanGoal.status),
        so.raiseload("*"),
    )


def load_plans(where, *, order_by=None, limit: int | None = None, offset: int = 0,
               options=None) -> list[Plan]:
    """``options``: the loaders (the plan page's by default; lists pass ``progress_options``)."""
    query = sa.select(Plan).where(where).options(*(options or plan_page_options()))
    query = query.order_by(*(order_by or (Plan.start_date.desc(), Plan.id.desc())))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique())


def with_layer(slug: str):
    """Plans made with the layer ``slug`` (a team or a context), any version of it."""
    return Plan.id.in_(sa.select(PlanLayer.plan_id).join(RoleVersion).join(RoleTemplate)
                       .where(RoleTemplate.slug == slug))


def plan_list_filter(*, status: str, role: str, manager: int | None, at: str, today: date,
                     risk: str = "", cohort: str = "", layer: str = ""):
    """HR's plan list filter as SQL, and the choices it kept; unknown values are ignored.

    "Now at" uses ``progress.now_at``, the SQL twin of the column's rule; "at risk" the one
    rule of ``services/at_risk.py``; a cohort is the quarter the hire started in.
    """
    clauses, chosen = [], {}
    if status in PlanStatus._value2member_map_:
        clauses.append(Plan.status == PlanStatus(status))
    else:
        status = "all"
    chosen["status"] = status
    found, kept = role_layer_cohort(role=role, layer=layer, cohort=cohort)
    clauses += found
    chosen |= kept
    if manager:
        clauses.append(Plan.manager_id == manager)
        chosen["manager"] = manager
    if at in MilestoneKey._value2member_map_:
        clauses.append(now_at(MilestoneKey(at), today))
        chosen["at"] = at
    if risk == "yes":
        clauses.append(at_risk(today))
        chosen["risk"] = risk
    return sa.and_(sa.true(), *clauses), chosen


def role_layer_cohort(*, role: str, layer: str, cohort: str) -> tuple[list, dict]:
    """The filters HR's list and every report share, as SQL clauses and the choices kept: the
    plan's role, a layer it was made with, the quarter the hire started in."""
    clauses, chosen = [], {}
    if role:
        clauses.append(Plan.role_version_id.in_(
            sa.select(RoleVersion.id).join(RoleTemplate).where(RoleTemplate.slug == role)))
        chosen["role"] = role
    if layer:
        clauses.append(with_layer(layer))
        chosen["layer"] = layer
    quarter = quarter_range(cohort or "")
    if quarter:
        clauses.append(Plan.start_date.between(*quarter))
        chosen["cohort"] = cohort
    return clauses, chosen


def role_choices() -> list[tuple[str, str]]:
    """(slug, name) of every role template, for the list's role filter."""
    return [tuple(row) for row in db.session.execute(
        sa.select(RoleTemplate.slug, RoleTemplate.name)
        .where(RoleTemplate.kind == TemplateKind.ROLE).order_by(RoleTemplate.name))]


MANAGER_CHOICES = 100  # more managers than this: the list's filter takes an email instead


def manager_choices() -> list[tuple[int, str]] | None:
    """(id, name) of everyone who manages a plan, for the list's manager filter; None when
    there are more than ``MANAGER_CHOICES`` (a company of thousands: a list nobody could
    scroll, and a page that grows with the company), found by one early-stopping index scan."""
    some = db.session.scalars(sa.select(Plan.manager_id).distinct()
                              .limit(MANAGER_CHOICES + 1)).all()
    if len(some) > MANAGER_CHOICES:
        return None
    return [tuple(row) for row in db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(some)).order_by(User.name))]
