"""When a plan next needs the sweep: so a sweep reads the plans with something due, not all.

Every reminder on a plan's own road (a milestone coming up, its check-in, its goals overdue, a
pulse) goes out at one instant: its day (after the weekend rule) at ``REMINDER_LOCAL_HOUR`` in
the recipient's zone. The rules that decide those days are asked here too, over a window from
now to a year ahead, so the instants are the ones the sweep will use; ``next_reminder_at`` is
the first of them after the sweep that just read the plan. Whether a message is then sent
(goals still open, a check-in not yet signed, a pulse not answered) stays the rules' decision
at that sweep: reading a plan that turns out to have nothing new costs a little, never a
message. HR's overdue reminders go to admins in any zone, so for those the earliest zone on
Earth is assumed.

A plan with nothing left on its road gets ``NEVER``; a change to its dates, its state or its
people's zones clears the time (models/sweep_marks.py), and so does a change of the reminder
settings (their fingerprint is kept by the sweep).
"""
from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta, timezone

from tracker.models import Plan
from tracker.reminders import rules
from tracker.reminders.window import Window, parse_days

NEVER = datetime(9999, 1, 1, tzinfo=timezone.utc)
HORIZON = timedelta(days=400)  # a plan's road is a year; a later date is re-read when near
EARLIEST_ZONE = "Pacific/Kiritimati"  # UTC+14: where a local hour comes first
SETTINGS = ("REMINDER_LOCAL_HOUR", "REMINDER_SKIP_WEEKENDS", "REMIND_MILESTONE_DAYS",
            "REMIND_CHECKIN", "REMIND_OVERDUE_DAYS", "REMIND_PULSE")


def fingerprint(config) -> str:
    """The settings the stored times depend on: a change to any of them clears them all."""
    text = "|".join(f"{name}={config[name]}" for name in SETTINGS)
    return hashlib.sha256(text.encode()).hexdigest()


def _zones(plan: Plan) -> set[str]:
    people = [plan.hire, plan.manager] + ([plan.buddy] if plan.buddy is not None else [])
    return {person.timezone for person in people}


def next_reminder_at(plan: Plan, now: datetime, config) -> datetime:
    """The first instant after ``now`` at which a reminder of ``plan``'s road can be due."""
    ahead = replace(Window.at(now), start=now, now=now + HORIZON)
    zones = _zones(plan)
    instants = []
    events = rules.milestone_events(
        ahead, [plan], soon_days=parse_days(config["REMIND_MILESTONE_DAYS"]),
        checkin=bool(config["REMIND_CHECKIN"]),
        overdue_days=parse_days(config["REMIND_OVERDUE_DAYS"]))
    for event in events:
        for zone in zones | ({EARLIEST_ZONE} if event.stage >= 2 else set()):
            instants.append(ahead.send_at(event.day, zone))
    if config["REMIND_PULSE"]:
        for _, _, day in rules.pulse_dates(ahead, [plan]):
            instants.append(ahead.send_at(day, plan.hire.timezone))
    if plan.milestones and plan.milestones[-1].due_date > ahead.last_day:
        instants.append(ahead.now)  # the road goes on past the horizon: look again then
    return min((when for when in instants if when > now), default=NEVER)
