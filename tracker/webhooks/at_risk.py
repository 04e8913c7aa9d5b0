"""``plan.at_risk``: asked by the sweep, at most once per plan per day (UTC) while it holds.

Being at risk is a state that follows from time passing (a milestone goes overdue at midnight),
not a step someone takes, so no service call marks the moment. The sweep asks the one at-risk
rule (tracker/services/at_risk.py) about the active plans and queues the event for each plan
at risk today; the day is in the dedupe key, so the sweep's many runs a day queue it once, and
a receiver hears again the next day for as long as the plan stays at risk, with the reasons.
Nothing is asked when no endpoint listens.
"""
from __future__ import annotations

from datetime import datetime
from functools import partial

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import Plan, PlanStatus
from tracker.services.at_risk import at_risk, reasons_for
from tracker.webhooks import Event, emit, listeners, payloads


def emit_at_risk(now: datetime) -> int:
    """Queue today's ``plan.at_risk`` events; how many deliveries were queued. No commit."""
    endpoints = listeners(Event.PLAN_AT_RISK)
    if not endpoints:
        return 0
    today = now.date()
    plans = list(db.session.scalars(
        sa.select(Plan).where(Plan.status == PlanStatus.ACTIVE, at_risk(today))
        .options(so.joinedload(Plan.hire), so.joinedload(Plan.manager),
                 so.joinedload(Plan.buddy)).order_by(Plan.id)))
    reasons = reasons_for([plan.id for plan in plans], today)
    return sum(emit(Event.PLAN_AT_RISK,
                    partial(payloads.plan_at_risk, plan, reasons.get(plan.id, []), today),
                    to=endpoints) for plan in plans)


def sweep_at_risk(now: datetime) -> int:
    """The sweep's step, in a transaction of its own: called after the reminders are committed,
    so a failure here can never undo them (the caller logs it; the next sweep tries again)."""
    try:
        queued = emit_at_risk(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return queued
