"""What keeps the report totals honest: any write to a plan, its layers, milestones, goals,
evidence, check-ins or pulses clears the plan's ``facts_until``, whichever code path made it, so
the next reader or scheduler tick works its facts out again (``services/rollup.py``).

It runs after the flush, when new rows have their ids and keys, and clears the plans by id in
the same transaction (check-ins and evidence name their plan through a milestone or a goal).
Plans are never deleted (``append_only.py``), so a plan's facts always have a row to mark.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.checkin import CheckIn, PulseCheckIn
from tracker.models.plan import Evidence, Plan, PlanGoal, PlanLayer, PlanMilestone

WATCHED_PLAN_FIELDS = ("status", "start_date", "role_version_id")
BY_PLAN = (PlanLayer, PlanMilestone, PlanGoal, PulseCheckIn)


def _value(obj, name):
    """The attribute as the flush left it, without loading anything (a deleted row's columns
    may be expired)."""
    return sa.inspect(obj).dict.get(name)


def _touched(session) -> tuple[set[int], set[int], set[int]]:
    plans, milestones, goals = set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Plan):
            if obj in session.new or any(
                    sa.inspect(obj).attrs[name].history.has_changes()
                    for name in WATCHED_PLAN_FIELDS):
                plans.add(obj.id)
        elif isinstance(obj, BY_PLAN):
            plans.add(_value(obj, "plan_id"))
        elif isinstance(obj, CheckIn):
            milestones.add(_value(obj, "milestone_id"))
        elif isinstance(obj, Evidence):
            goals.add(_value(obj, "goal_id"))
    return plans - {None}, milestones - {None}, goals - {None}


@sa.event.listens_for(so.Session, "after_flush")
def _clear_facts(session, _context) -> None:
    plans, milestones, goals = _touched(session)
    if not (plans or milestones or goals):
        return
    connection = session.connection()
    table = Plan.__table__
    which = []
    if plans:
        which.append(table.c.id.in_(sorted(plans)))
    if milestones:
        which.append(table.c.id.in_(sa.select(PlanMilestone.__table__.c.plan_id).where(
            PlanMilestone.__table__.c.id.in_(sorted(milestones)))))
    if goals:
        which.append(table.c.id.in_(sa.select(PlanGoal.__table__.c.plan_id).where(
            PlanGoal.__table__.c.id.in_(sorted(goals)))))
    connection.execute(sa.update(table).where(sa.or_(*which), table.c.facts_until.is_not(None))
                       .values(facts_until=None))
