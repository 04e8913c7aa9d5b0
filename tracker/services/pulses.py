"""Pulse check-ins: a short recurring "how is it going?" for the hire.

The schedule is derived from the plan (start date and two cadences), never stored, so changing
the cadence simply changes which dates come next. Only the latest due pulse can be answered:
a pulse is about how things feel now, and a backlog of stale questions helps nobody.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Plan, PlanStatus, PulseCheckIn, User
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.policy import policy
from tracker.services.text_rules import PULSE_BLOCKER, PULSE_WIN

EARLY_PHASE_DAYS = 90


def schedule(plan: Plan, until: date | None = None) -> list[date]:
    """Every pulse date: each ``pulse_days_early`` days to day 90, then each ``pulse_days_late``."""
    end = until or (plan.milestones[-1].due_date if plan.milestones
                    else plan.start_date + timedelta(days=365))
    dates, day = [], plan.start_date
    while True:
        step = plan.pulse_days_early if (day - plan.start_date).days < EARLY_PHASE_DAYS \
            else plan.pulse_days_late
        day += timedelta(days=max(1, step))
        if day > end:
            return dates
        dates.append(day)


def due_pulse(plan: Plan, today: date, last_answered: date | None = None) -> date | None:
    """The pulse the hire can answer today: the latest scheduled date on or before today,
    unless an answer already covers it (``last_answered``, the newest answered date, is on or
    after it; a cadence change can move the schedule under an answer)."""
    if plan.status != PlanStatus.ACTIVE:
        return None
    past = schedule(plan, until=today)
    if not past or (last_answered is not None and last_answered >= past[-1]):
        return None
    return past[-1]


def last_answered(plan_id: int) -> date | None:
    return db.session.scalar(sa.select(sa.func.max(PulseCheckIn.due_on))
                             .where(PulseCheckIn.plan_id == plan_id))


def next_pulse(plan: Plan, today: date) -> date | None:
    return next((d for d in schedule(plan) if d > today), None)


def answers(plan_id: int) -> list[PulseCheckIn]:
    return list(db.session.scalars(sa.select(PulseCheckIn).where(PulseCheckIn.plan_id == plan_id)
                                   .order_by(PulseCheckIn.due_on)))


def answer(plan: Plan, hire: User, today: date, *, confidence: str, blocker: str,
           win: str) -> PulseCheckIn:
    answered = last_answered(plan.id)
    due_on = due_pulse(plan, today, answered)
    policy(hire, plan).answer_pulse(due_on, answered).enforce("pulse")
    try:
        score = int(confidence)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise InputError("confidence", "choose how confident you feel, from 1 to 5")
    pulse = PulseCheckIn(plan_id=plan.id, due_on=due_on, confidence=score,
                         blocker=PULSE_BLOCKER.check(blocker), win=PULSE_WIN.check(win))
    db.session.add(pulse)
    db.session.flush()
    record("pulse.answered", plan=plan, actor=hire, target=pulse,
           after={"due_on": due_on.isoformat(), "confidence": score})
    return pulse


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    pulse: PulseCheckIn


def trend_points(pulses: list[PulseCheckIn], width: int = 300, height: int = 80,
                 pad: int = 8) -> list[TrendPoint]:
    """Chart coordinates: time across, confidence 1 (bottom) to 5 (top), inside the padding."""
    if not pulses:
        return []
    first, last = pulses[0].due_on, pulses[-1].due_on
    span = (last - first).days or 1
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    points = []
    for pulse in pulses:
        x = pad + (inner_w * (pulse.due_on - first).days / span if len(pulses) > 1 else inner_w / 2)
        y = pad + inner_h * (5 - pulse.confidence) / 4
        points.append(TrendPoint(round(x, 1), round(y, 1), pulse))
    return points
