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


def _touched(session) -> tuple[set[int], dict[str, set[int]], dict[type, set[int]]]:
    """Plan ids; milestone and goal ids to find a check-in's or evidence's plan through; and,
    for a row whose key is not loaded (a goal read with ``load_only``), its own id by class.
    Keys are read from the object (a deleted row's are still there), ids only as the last way."""
    plans: set[int] = set()
    through: dict[str, set[int]] = {"milestone": set(), "goal": set()}
    by_row: dict[type, set[int]] = {}
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Plan):
            if obj in session.new or any(
                    sa.inspect(obj).attrs[name].history.has_changes()
                    for name in WATCHED_PLAN_FIELDS):
                plans.add(obj.id)
            continue
        if isinstance(obj, BY_PLAN):
            key, found = "plan_id", plans
        elif isinstance(obj, CheckIn):
            key, found = "milestone_id", through["milestone"]
        elif isinstance(obj, Evidence):
            key, found = "goal_id", through["goal"]
        else:
            continue
        if _value(obj, key) is not None:
            found.add(_value(obj, key))
        elif _value(obj, "id") is not None:
            by_row.setdefault(type(obj), set()).add(_value(obj, "id"))
    return plans, through, by_row


def _plans_of(table: sa.Table, column: str, ids: set[int]) -> sa.Select:
    return sa.select(table.c[column]).where(table.c.id.in_(sorted(ids)))


def _clauses(plans, through, by_row) -> list:
    plan_id = Plan.__table__.c.id
    milestones, goals = PlanMilestone.__table__, PlanGoal.__table__
    which = [plan_id.in_(sorted(plans))] if plans else []
    if through["milestone"]:
        which.append(plan_id.in_(_plans_of(milestones, "plan_id", through["milestone"])))
    if through["goal"]:
        which.append(plan_id.in_(_plans_of(goals, "plan_id", through["goal"])))
    for model, ids in sorted(by_row.items(), key=lambda item: item[0].__name__):
        if model is CheckIn:
            inner = _plans_of(CheckIn.__table__, "milestone_id", ids)
            which.append(plan_id.in_(sa.select(milestones.c.plan_id)
                                     .where(milestones.c.id.in_(inner))))
        elif model is Evidence:
            inner = _plans_of(Evidence.__table__, "goal_id", ids)
            which.append(plan_id.in_(sa.select(goals.c.plan_id).where(goals.c.id.in_(inner))))
        else:
            which.append(plan_id.in_(_plans_of(model.__table__, "plan_id", ids)))
    return which


@sa.event.listens_for(so.Session, "after_flush")
def _clear_facts(session, _context) -> None:
    """Every touched plan's row is updated, even one already cleared: the update's row lock is
    what makes a refresher reading the plan wait for this transaction (services/rollup.py)."""
    which = _clauses(*_touched(session))
    if which:
        session.connection().execute(sa.update(Plan.__table__).where(sa.or_(*which))
                                     .values(facts_until=None))
