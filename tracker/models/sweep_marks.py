"""What keeps ``Plan.next_reminder_at`` honest: any change that moves a date or a state clears
it, whichever code path made the change, so the next sweep reads that plan again.

Cleared on a plan when its start date, status or pulse cadence changes, and when one of its
milestones' due dates moves (a new start date, a hand override, a script). A new plan starts
cleared. The settings the times were worked out with are remembered too (``SweepSetting``): a
different reminder setting after a restart clears every plan once.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base
from tracker.models.plan import Plan, PlanMilestone

WATCHED_PLAN_FIELDS = ("start_date", "status", "pulse_days_early", "pulse_days_late")


class SweepSetting(Base):
    """One row: the fingerprint of the reminder settings the stored times were made with."""

    __tablename__ = "sweep_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    fingerprint: so.Mapped[str] = so.mapped_column(sa.String(64))


def _changed(obj, names) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


@sa.event.listens_for(so.Session, "before_flush")
def _clear_next_reminder(session, _context, _instances) -> None:
    stale_plans: set[int] = set()
    for obj in session.dirty:
        if isinstance(obj, Plan) and _changed(obj, WATCHED_PLAN_FIELDS):
            obj.next_reminder_at = None
        elif isinstance(obj, PlanMilestone) and _changed(obj, ("due_date",)):
            plan = sa.inspect(obj).attrs.plan.loaded_value
            if isinstance(plan, Plan):
                plan.next_reminder_at = None
            else:
                stale_plans.add(obj.plan_id)
    if stale_plans:
        session.info.setdefault("stale_plans", set()).update(stale_plans)


@sa.event.listens_for(so.Session, "after_flush")
def _clear_unloaded_plans(session, _context) -> None:
    """Milestones moved without their plan loaded: clear those plans by id, in the same
    transaction."""
    stale = session.info.pop("stale_plans", None)
    if stale:
        session.connection().execute(sa.update(Plan.__table__).where(
            Plan.__table__.c.id.in_(sorted(stale))).values(next_reminder_at=None))
