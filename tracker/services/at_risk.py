"""At risk: one rule, written once as SQL, for the flag, the filter, the counts and the reasons.

A plan is at risk when any of these holds, with the thresholds in settings:
- goals are overdue: at least ``AT_RISK_OVERDUE_GOALS`` unfinished goals whose milestone was
  due more than ``AT_RISK_GRACE_DAYS`` days ago (a day or two late is normal, a week is not);
- the manager's latest rating at a check-in (the milestone furthest along that has one, signed
  or not yet: the manager's view is the signal) is "at risk" or "off track";
- the hire's latest pulse answer was ``AT_RISK_PULSE_CONFIDENCE`` or lower (out of 5).

Each reason is a correlated SQL expression on ``Plan.id``: the list filter and the counts use
them in a WHERE, the pages select them as columns for the plans they show (one query for the
page, whatever its size), so the flag and the filter can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    CheckIn,
    CheckInRating,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    PulseCheckIn,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES

WORRYING_RATINGS = (CheckInRating.AT_RISK, CheckInRating.OFF_TRACK)


@dataclass(frozen=True)
class Thresholds:
    overdue_goals: int
    grace_days: int
    pulse_confidence: int

    @classmethod
    def from_settings(cls) -> Thresholds:
        config = current_app.config
        return cls(config["AT_RISK_OVERDUE_GOALS"], config["AT_RISK_GRACE_DAYS"],
                   config["AT_RISK_PULSE_CONFIDENCE"])

    def explained(self) -> list[str]:
        """The rule in words, for every page that shows the flag."""
        goals = "a goal" if self.overdue_goals == 1 else f"{self.overdue_goals} goals"
        return [f"{goals} still open more than {self.grace_days} days after its milestone "
                "was due",
                "the manager's latest check-in rating is at risk or off track",
                f"the latest pulse answer at {self.pulse_confidence} or lower out of 5"]


def _overdue(today: date, t: Thresholds):
    late = (sa.select(sa.func.count(PlanGoal.id)).join(PlanMilestone)
            .where(PlanMilestone.plan_id == Plan.id,
                   PlanMilestone.due_date < today - timedelta(days=t.grace_days),
                   PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)))
            .scalar_subquery())
    return late >= t.overdue_goals


def _rated(t: Thresholds):
    """The latest rated check-in (the milestone furthest along) has a worrying rating."""
    later_m, later_c = so.aliased(PlanMilestone), so.aliased(CheckIn)
    later = (sa.select(later_c.id).join(later_m, later_c.milestone_id == later_m.id)
             .where(later_m.plan_id == PlanMilestone.plan_id,
                    later_m.position > PlanMilestone.position, later_c.rating.is_not(None)))
    return (sa.select(CheckIn.id).join(PlanMilestone, CheckIn.milestone_id == PlanMilestone.id)
            .where(PlanMilestone.plan_id == Plan.id, CheckIn.rating.in_(WORRYING_RATINGS),
                   ~sa.exists(later))
            .correlate(Plan).exists())


def _low_pulse(t: Thresholds):
    """The plan's own latest answer (tied to the pulse row's plan, not to ``Plan``: a subquery
    two levels down would not correlate to it, and would take the latest date of any plan)."""
    pulse = so.aliased(PulseCheckIn)
    latest = sa.select(sa.func.max(pulse.due_on)).where(pulse.plan_id == PulseCheckIn.plan_id)
    return sa.exists().where(PulseCheckIn.plan_id == Plan.id,
                             PulseCheckIn.due_on == latest.scalar_subquery(),
                             PulseCheckIn.confidence <= t.pulse_confidence)


def reasons_sql(today: date, t: Thresholds | None = None) -> dict[str, sa.ColumnElement]:
    """Each reason as a boolean SQL expression on ``Plan``, by the name pages show."""
    t = t or Thresholds.from_settings()
    return {"overdue goals": _overdue(today, t), "check-in rating": _rated(t),
            "low confidence": _low_pulse(t)}


def at_risk(today: date) -> sa.ColumnElement:
    """The WHERE clause for "at risk": any reason holds."""
    return sa.or_(*reasons_sql(today).values())


def at_risk_ids(today: date, t: Thresholds | None = None) -> sa.Select:
    """The ids of plans at risk, set-wise: the same rule as ``at_risk``, for counting.

    ``at_risk`` is correlated on ``Plan.id``, right for a page of plans; counting every
    active plan with it runs its subqueries once per plan (17.7 s at 100,000 hires on
    PostgreSQL, bench/README.md). Here each reason is one grouped query over its own table,
    joined once. tests/test_at_risk_sets.py checks both give the same plans."""
    t = t or Thresholds.from_settings()
    if t.overdue_goals <= 0:  # "at least 0 goals overdue": every plan
        return sa.select(Plan.id)
    overdue = (sa.select(PlanMilestone.plan_id).join(PlanGoal)
               .where(PlanMilestone.due_date < today - timedelta(days=t.grace_days),
                      PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)))
               .group_by(PlanMilestone.plan_id)
               .having(sa.func.count(PlanGoal.id) >= t.overdue_goals))
    return sa.union(overdue, rated_ids(t), low_pulse_ids(t))


def late_goals_by_plan(today: date, t: Thresholds, plan_ids: list[int] | None = None):
    """Per active plan with any (of ``plan_ids``, if given): its unfinished goals due before
    ``today`` (``late``, the overview's "overdue goals") and before the grace day
    (``past_grace``, the overdue reason above). One read of those goals serves both (partial
    index of migration 0017); the cut-off is the later of the two days, so a negative grace
    stays exact."""
    grace = today - timedelta(days=t.grace_days)
    only = () if plan_ids is None else (Plan.id.in_(plan_ids),)
    return (sa.select(PlanMilestone.plan_id,
                      sa.func.sum(sa.case((PlanMilestone.due_date < today, 1), else_=0))
                      .label("late"),
                      sa.func.sum(sa.case((PlanMilestone.due_date < grace, 1), else_=0))
                      .label("past_grace"))
            .select_from(PlanGoal)
            .join(PlanMilestone, PlanMilestone.id == PlanGoal.milestone_id)
            .join(Plan, Plan.id == PlanMilestone.plan_id)
            .where(Plan.status == PlanStatus.ACTIVE, PlanMilestone.due_date < max(today, grace),
                   PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES)), *only)
            .group_by(PlanMilestone.plan_id)
            .cte("late"))


def rated_ids(t: Thresholds) -> sa.Select:
    """The plans whose latest rated check-in (the milestone furthest along) is worrying: a
    worrying check-in with no rated one further along in its plan. It starts from the worrying
    check-ins (a partial index, migration 0017) rather than grouping every rated one."""
    later_m, later_c = so.aliased(PlanMilestone), so.aliased(CheckIn)
    later = (sa.select(later_c.id).join(later_m, later_c.milestone_id == later_m.id)
             .where(later_m.plan_id == PlanMilestone.plan_id,
                    later_m.position > PlanMilestone.position, later_c.rating.is_not(None)))
    return (sa.select(PlanMilestone.plan_id)
            .join(CheckIn, CheckIn.milestone_id == PlanMilestone.id)
            .where(CheckIn.rating.in_(WORRYING_RATINGS), ~sa.exists(later)))


def low_pulse_ids(t: Thresholds) -> sa.Select:
    """The plans whose latest pulse answer is ``t.pulse_confidence`` or lower: a low answer
    with no later pulse in its plan (one probe of the plan's (plan_id, due_on) key each)."""
    later = so.aliased(PulseCheckIn)
    return (sa.select(PulseCheckIn.plan_id)
            .where(PulseCheckIn.confidence <= t.pulse_confidence,
                   ~sa.exists().where(later.plan_id == PulseCheckIn.plan_id,
                                      later.due_on > PulseCheckIn.due_on)))


def latest_pulse_low(t: Thresholds) -> sa.ColumnElement:
    """Correlated on ``Plan``: the plan's latest pulse answer (its latest ``due_on``, unique per
    plan) is ``t.pulse_confidence`` or lower; NULL, so false, for a plan without pulses. One
    probe of the (plan_id, due_on) key per plan: the overview asks it last, of the plans no
    other reason has already picked."""
    latest = (sa.select(PulseCheckIn.confidence).where(PulseCheckIn.plan_id == Plan.id)
              .order_by(PulseCheckIn.due_on.desc()).limit(1).correlate(Plan).scalar_subquery())
    return latest <= t.pulse_confidence


def reasons_for(plan_ids: list[int], today: date) -> dict[int, list[str]]:
    """Why each of ``plan_ids`` is at risk (absent: it is not), in one query."""
    if not plan_ids:
        return {}
    named = reasons_sql(today)
    rows = db.session.execute(
        sa.select(Plan.id, *(sa.case((expr, True), else_=False).label(f"r{i}")
                             for i, expr in enumerate(named.values())))
        .where(Plan.id.in_(plan_ids)))
    out = {}
    for plan_id, *flags in rows:
        found = [name for name, flag in zip(named, flags) if flag]
        if found:
            out[plan_id] = found
    return out
