"""Loading plans for pages in a fixed number of queries, whatever their size."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import Plan, PlanMilestone, RoleVersion


def plan_page_options():
    return (
        so.joinedload(Plan.hire), so.joinedload(Plan.manager), so.joinedload(Plan.buddy),
        so.joinedload(Plan.role_version).joinedload(RoleVersion.template),
        so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals),
        so.raiseload("*"),
    )


def load_plan(plan_id: int) -> Plan | None:
    return db.session.scalar(sa.select(Plan).where(Plan.id == plan_id).options(*plan_page_options()))


def load_plans(where, *, order_by=None, limit: int | None = None, offset: int = 0) -> list[Plan]:
    query = sa.select(Plan).where(where).options(*plan_page_options())
    query = query.order_by(*(order_by or (Plan.start_date.desc(), Plan.id.desc())))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique())
