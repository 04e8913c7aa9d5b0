"""Loading plans for pages in a fixed number of queries, whatever their size."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    CheckIn,
    Evidence,
    Plan,
    PlanGoal,
    PlanMilestone,
    RoleVersion,
    User,
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


PRIVATE_ACTIONS = ("checkin.", "pulse.")  # conversations between the hire and the manager


def activity(plan_id: int, limit: int = 30, *, conversations: bool = True
             ) -> list[tuple[AuditEvent, str | None]]:
    """The plan's latest audit events with the actor's name, newest first, in one query.

    Without ``conversations`` (the buddy), check-in and pulse events are left out: even their
    timing says something about a conversation the buddy is not part of.
    """
    query = (sa.select(AuditEvent, User.name).outerjoin(User, User.id == AuditEvent.actor_id)
             .where(AuditEvent.plan_id == plan_id))
    if not conversations:
        query = query.where(*(AuditEvent.action.not_like(prefix + "%")
                              for prefix in PRIVATE_ACTIONS))
    return list(db.session.execute(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()).limit(limit)).all())


def load_plans(where, *, order_by=None, limit: int | None = None, offset: int = 0) -> list[Plan]:
    query = sa.select(Plan).where(where).options(*plan_page_options())
    query = query.order_by(*(order_by or (Plan.start_date.desc(), Plan.id.desc())))
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(db.session.scalars(query).unique())


def checkins_by_milestone(plan_id: int) -> dict[int, CheckIn]:
    """The plan's check-ins keyed by milestone id, in one query, for the history on the plan."""
    return {c.milestone_id: c for c in db.session.scalars(
        sa.select(CheckIn).join(PlanMilestone, PlanMilestone.id == CheckIn.milestone_id)
        .where(PlanMilestone.plan_id == plan_id))}
