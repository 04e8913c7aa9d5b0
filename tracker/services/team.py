"""Team and queue data in a fixed number of queries, however big the team."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

import sqlalchemy as sa

from tracker.extensions import db
from tracker.formatting import plural
from tracker.models import (
    CheckIn,
    CheckInRating,
    Evidence,
    EvidenceStatus,
    GoalStatus,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    PulseCheckIn,
    User,
)
from tracker.services.at_risk import reasons_for
from tracker.services.plan_pages import load_plans, progress_options
from tracker.services.preferences import FEWER_EMAILS
from tracker.services.progress import PlanProgress, local_today, plan_progress
from tracker.services.pulses import TrendPoint, trend_points

SPARKLINE_PULSES = 8


@dataclass(frozen=True)
class TeamRow:
    plan: Plan
    progress: PlanProgress
    waiting: int
    rating: CheckInRating | None
    rating_milestone: str | None
    pulses: tuple[TrendPoint, ...] = ()
    # Which parts of the one at-risk rule (services/at_risk.py) hold for this plan.
    risk_reasons: tuple[str, ...] = ()

    @property
    def fewer_emails(self) -> str | None:
        """Which emails the hire still gets, in words, when they chose fewer than all."""
        return FEWER_EMAILS.get(self.plan.hire.notification_preference)

    @property
    def risks(self) -> list[str]:
        """Why this hire is at risk, in words with the details this row knows; empty means on
        track. Whether each reason holds is the one rule's answer, never decided here."""
        reasons = []
        if "overdue goals" in self.risk_reasons:
            reasons.append(f"{plural(self.progress.overdue_goals, 'goal')} overdue")
        if "check-in rating" in self.risk_reasons and self.rating is not None:
            reasons.append(f"rated {self.rating.value.replace('_', ' ')} at the "
                           f"{self.rating_milestone} check-in")
        if "low confidence" in self.risk_reasons and self.pulses:
            reasons.append(f"low confidence in the latest pulse "
                           f"({self.pulses[-1].pulse.confidence}/5)")
        return reasons


def team(manager: User) -> list[TeamRow]:
    plans = load_plans((Plan.manager_id == manager.id) & (Plan.status == PlanStatus.ACTIVE),
                       order_by=(Plan.start_date.asc(), Plan.id), options=progress_options())
    ids = [p.id for p in plans]
    waiting = dict(db.session.execute(
        sa.select(PlanGoal.plan_id, sa.func.count()).where(
            PlanGoal.plan_id.in_(ids), PlanGoal.status == GoalStatus.SUBMITTED)
        .group_by(PlanGoal.plan_id)).all()) if ids else {}
    ratings: dict[int, tuple] = {}
    if ids:
        rows = db.session.execute(
            sa.select(PlanMilestone.plan_id, PlanMilestone.key, CheckIn.rating)
            .join(CheckIn, CheckIn.milestone_id == PlanMilestone.id)
            .where(PlanMilestone.plan_id.in_(ids), CheckIn.rating.is_not(None))
            .order_by(PlanMilestone.position)).all()
        for plan_id, key, rating in rows:  # later milestones overwrite earlier ones
            ratings[plan_id] = (rating, key.label)
    pulses: dict[int, list[PulseCheckIn]] = {}
    if ids:
        for pulse in db.session.scalars(sa.select(PulseCheckIn).where(PulseCheckIn.plan_id.in_(ids))
                                        .order_by(PulseCheckIn.due_on)):
            pulses.setdefault(pulse.plan_id, []).append(pulse)
    risky = reasons_for(ids, datetime.now(timezone.utc).date())
    return [TeamRow(p, plan_progress(p, local_today(p.hire.timezone)), waiting.get(p.id, 0),
                    *ratings.get(p.id, (None, None)),
                    tuple(trend_points(pulses.get(p.id, [])[-SPARKLINE_PULSES:], width=96,
                                       height=28, pad=4)), tuple(risky.get(p.id, ())))
            for p in plans]


def review_queue(manager: User) -> list[tuple]:
    """(goal, milestone key, hire name, plan id, oldest waiting evidence time), oldest first."""
    waiting_since = (
        sa.select(Evidence.goal_id, sa.func.min(Evidence.created_at).label("since"))
        .where(Evidence.status == EvidenceStatus.SUBMITTED).group_by(Evidence.goal_id).subquery())
    return db.session.execute(
        sa.select(PlanGoal, PlanMilestone.key, User.name, Plan.id, waiting_since.c.since)
        .join(PlanMilestone, PlanMilestone.id == PlanGoal.milestone_id)
        .join(Plan, Plan.id == PlanGoal.plan_id)
        .join(User, User.id == Plan.hire_id)
        .join(waiting_since, waiting_since.c.goal_id == PlanGoal.id)
        .where(Plan.manager_id == manager.id, PlanGoal.status == GoalStatus.SUBMITTED,
               Plan.status == PlanStatus.ACTIVE)
        .order_by(waiting_since.c.since, PlanGoal.id)).all()
