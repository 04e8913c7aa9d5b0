"""When a plan next needs the sweep: so a sweep reads the plans with something due, not all.

Every reminder on a plan's own road (a milestone coming up, its check-in, its goals overdue, a
pulse) is tied to a calendar day: a milestone's due date or a pulse date, plus or minus a few
days. The message goes out on that day (or the weekend rule's Friday before or Monday after,
two days at most either way) at ``REMINDER_LOCAL_HOUR`` in the recipient's zone, which on Earth
runs from UTC+14 to UTC-12. So for each such day the sweep can have work from the earliest of
those instants until the latest; ``next_reminder_at`` is the earliest instant any day whose
latest instant has not yet passed can start. Erring early only means reading a plan a little
sooner than needed; it never skips a message. The rules themselves stay the only judges of
what is sent: a plan read early simply has nothing new.

A plan with no such day left (its last milestone and overdue reminders behind it) gets
``NEVER``; a change to its dates or state clears the time (models/sweep_marks.py).
"""
from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator

from tracker.models import Plan
from tracker.reminders.window import parse_days
from tracker.services.pulses import schedule

NEVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
WEEKEND_SHIFT = timedelta(days=2)  # the weekend rule moves a day at most this far either way
EARLIEST_ZONE, LATEST_ZONE = timedelta(hours=14), timedelta(hours=12)  # UTC+14 .. UTC-12
# The settings the times depend on: a change to any of them (after a restart) clears them all.
SETTINGS = ("REMINDER_LOCAL_HOUR", "REMINDER_SKIP_WEEKENDS", "REMIND_MILESTONE_DAYS",
            "REMIND_CHECKIN", "REMIND_OVERDUE_DAYS", "REMIND_PULSE")


def fingerprint(config) -> str:
    text = "|".join(f"{name}={config[name]}" for name in SETTINGS)
    return hashlib.sha256(text.encode()).hexdigest()


def road_days(plan: Plan, config, after: date) -> Iterator[date]:
    """The calendar days after ``after`` that reminders of ``plan`` are tied to, unmoved."""
    soon, overdue = parse_days(config["REMIND_MILESTONE_DAYS"]), \
        parse_days(config["REMIND_OVERDUE_DAYS"])
    for milestone in plan.milestones:
        due = milestone.due_date
        offsets = [-days for days in soon] + ([0] if config["REMIND_CHECKIN"] else []) + overdue
        for offset in offsets:
            try:
                day = due + timedelta(days=offset)
            except OverflowError:  # a date near the year 9999: nothing is ever due there
                continue
            if day > after:
                yield day
    if config["REMIND_PULSE"] and plan.milestones:
        upcoming = schedule(plan, until=plan.milestones[-1].due_date, after=after)
        yield from upcoming[:1]


def earliest_instant(days: Iterable[date], hour: int) -> datetime:
    """The first instant, anywhere on Earth, that a message tied to one of ``days`` can be due."""
    first = min(days, default=None)
    if first is None:
        return NEVER
    return datetime.combine(first - WEEKEND_SHIFT, time(hour), tzinfo=timezone.utc) \
        - EARLIEST_ZONE


def next_reminder_at(plan: Plan, now: datetime, config) -> datetime:
    """The earliest instant the sweep may have new work for ``plan`` after ``now``.

    A day stays open until its latest instant (the Monday after, at the hour, at UTC-12) has
    passed; the earliest of the open days decides.
    """
    hour = int(config["REMINDER_LOCAL_HOUR"])
    # Day d is closed once (d + 2 days) at the hour, at UTC-12, is at or before now, that is
    # once d <= closed_through; one more day is kept open for good measure.
    closed_through = (now - LATEST_ZONE - timedelta(hours=hour)).date() - WEEKEND_SHIFT
    return earliest_instant(road_days(plan, config, after=closed_through - timedelta(days=1)),
                            hour)
