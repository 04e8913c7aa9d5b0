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


def _cadence(plan: Plan) -> tuple[int, int, int]:
    """(early step, late step, how many pulses the early step makes). Steps are at least a day;
    the early step repeats until a pulse reaches day 90, and the late one from there on."""
    early, late = max(1, plan.pulse_days_early), max(1, plan.pulse_days_late)
    return early, late, -(-EARLY_PHASE_DAYS // early)


def _offset(plan: Plan, n: int) -> int:
    """Days from the start date to pulse number ``n`` (the first is 1)."""
    early, late, early_count = _cadence(plan)
    return n * early if n <= early_count else early_count * early + (n - early_count) * late


def _count_by(plan: Plan, day: date) -> int:
    """How many pulses fall on or before ``day``."""
    days = (day - plan.start_date).days
    early, late, early_count = _cadence(plan)
    if days < early_count * early:
        return max(0, days // early)
    return early_count + (days - early_count * early) // late


def _nth(plan: Plan, n: int) -> date | None:
    """Pulse number ``n``'s date, or None past the end of the calendar."""
    ordinal = plan.start_date.toordinal() + _offset(plan, n)
    return date.fromordinal(ordinal) if ordinal <= date.max.toordinal() else None


def _end(plan: Plan) -> date:
    return (plan.milestones[-1].due_date if plan.milestones
            else plan.start_date + timedelta(days=365))


def schedule(plan: Plan, until: date | None = None, after: date | None = None) -> list[date]:
    """Pulse dates after ``after`` up to ``until`` (by default from the start to the last
    milestone): each ``pulse_days_early`` days to day 90, then each ``pulse_days_late``.

    Worked out by arithmetic rather than by walking the calendar, so a page or a sweep costs
    the same whatever the dates: a daily pulse up to a due date in the year 9999 (an old row,
    a hand edit) would otherwise be three million steps, and a step past the year 9999 fails.
    """
    first = _count_by(plan, after) + 1 if after is not None else 1
    return [_nth(plan, n) for n in range(first, _count_by(plan, until or _end(plan)) + 1)]


def due_pulse(plan: Plan, today: date, last_answered: date | None = None) -> date | None:
    """The pulse the hire can answer today: the latest scheduled date on or before today,
    unless an answer already covers it (``last_answered``, the newest answered date, is on or
    after it; a cadence change can move the schedule under an answer)."""
    if plan.status != PlanStatus.ACTIVE:
        return None
    count = _count_by(plan, today)
    latest = _nth(plan, count) if count else None
    if latest is None or (last_answered is not None and last_answered >= latest):
        return None
    return latest


def last_answered(plan_id: int) -> date | None:
    return db.session.scalar(sa.select(sa.func.max(PulseCheckIn.due_on))
                             .where(PulseCheckIn.plan_id == plan_id))


def next_pulse(plan: Plan, today: date) -> date | None:
    """The first pulse after ``today``, if the plan still has one before its last milestone."""
    following = _nth(plan, _count_by(plan, today) + 1)
    return following if following is not None and following <= _end(plan) else None


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
