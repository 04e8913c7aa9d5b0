"""Audit events: who changed what on a plan, with the values before and after."""
from __future__ import annotations

from typing import Any

from tracker.extensions import db
from tracker.models import AuditEvent


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
