"""Milestone due dates from a start date.

Every milestone is measured from the start date itself, never from the previous milestone, so
a clamped month end (Jan 31 + 1 month = Feb 28) can never drift into later milestones. Days
count calendar days; months are calendar months clamped to the target month's last day. The
weekend rule runs last and only moves a date by one or two days, which keeps the milestones in
strictly increasing order (the nearest pair, day 90 and month 6, are at least 88 days apart).
"""
from __future__ import annotations

import calendar
from datetime import date, timedelta

from tracker.models.enums import MilestoneKey

WEEKEND_RULES = ("next", "previous", "none")
# (unit, amount) per milestone: "days" or "months" after the start date.
OFFSETS: dict[MilestoneKey, tuple[str, int]] = {
    MilestoneKey.D30: ("days", 30),
    MilestoneKey.D60: ("days", 60),
    MilestoneKey.D90: ("days", 90),
    MilestoneKey.M6: ("months", 6),
    MilestoneKey.M12: ("months", 12),
}
SATURDAY, SUNDAY = 5, 6


def add_months(start: date, months: int) -> date:
    """Same day of the month ``months`` later, or that month's last day when it is shorter."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(start.day, last_day))


def apply_weekend_rule(day: date, rule: str) -> date:
    if rule not in WEEKEND_RULES:
        raise ValueError(f"unknown weekend rule {rule!r}; use one of {', '.join(WEEKEND_RULES)}")
    weekday = day.weekday()
    if rule == "none" or weekday < SATURDAY:
        return day
    if rule == "next":
        return day + timedelta(days=7 - weekday)
    return day - timedelta(days=weekday - 4)


def raw_due_date(start: date, key: MilestoneKey) -> date:
    unit, amount = OFFSETS[MilestoneKey(key)]
    if unit == "days":
        return start + timedelta(days=amount)
    return add_months(start, amount)


def due_date(start: date, key: MilestoneKey, rule: str = "next") -> date:
    return apply_weekend_rule(raw_due_date(start, key), rule)


def due_dates(start: date, rule: str = "next") -> dict[MilestoneKey, date]:
    """All five due dates, in milestone order."""
    return {key: due_date(start, key, rule) for key in OFFSETS}
