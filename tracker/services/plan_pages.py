"""Loading plans for pages in a fixed number of queries, whatever their size.

Every page that shows plans (the plan page, home, the team, the admin list) loads them here,
with the same eager options, so each costs the same statements for one plan or a thousand;
``raiseload`` makes a forgotten relationship fail loudly in tests instead of going N+1.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    Evidence,
    Plan,
    PlanGoal,
    PlanMilestone,
    RoleVersion,
)


def plan_page_options():
    return (
        so.joinedload(Plan.hire), so.joinedload(Plan.manager), so.joinedload(Plan.buddy),
        so.joinedload(Plan.role_version).joinedload(RoleVersion.template),
        so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals)
        .selectinload(PlanGoal.evidence).options(so.joinedload(Evidence.author),
                                                 so.joinedload(Evidence.reviewer)),
        so.raiseload("*"),
    )


def load_plan(plan_id: int) -> Plan | None:
    # populate_existing: after a refused action the session already holds some of these rows,
    # and they must be loaded again with the page's eager options.
    return db.session.scalar(sa.select(Plan).where(Plan.id == plan_id)
                             .options(*plan_page_options())
                             .execution_options(populate_existing=True))


def load_plans(where, *, order_by=None, limit: int | None = None, offset: int = 0) -> list[Plan]:
    query = sa.select(Plan).where(where).options(*plan_page_options())
    query = query.order_by(*(order_by or (Plan.start_date.desc(), Plan.id.desc())))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique())
