"""Audit events: who changed what on a plan, with the values before and after, and the feed
that shows them on the plan page."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import AuditEvent, User


def record(action: str, *, plan=None, actor=None, target=None,
           before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> AuditEvent:
    event = AuditEvent(
        plan_id=plan.id if plan is not None else None,
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        before=before,
        after=after,
    )
    db.session.add(event)
    return event


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
