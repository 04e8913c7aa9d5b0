"""Jinja filters and globals: how dates, owners and statuses read on every page."""
from __future__ import annotations

from datetime import date

from flask import Flask

from tracker.models.enums import GoalStatus, MilestoneKey

STATUS_LABELS = {
    GoalStatus.OPEN: "Open",
    GoalStatus.SUBMITTED: "Waiting for review",
    GoalStatus.CHANGES_REQUESTED: "Changes requested",
    GoalStatus.APPROVED: "Approved",
    GoalStatus.DONE: "Done",
    GoalStatus.WAIVED: "Waived",
}


def nice_date(value: date | None) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}" if value else ""


def days_phrase(days: int) -> str:
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    if days > 0:
        return f"{days} days left"
    return "1 day overdue" if days == -1 else f"{-days} days overdue"


def register(app: Flask) -> None:
    app.add_template_filter(nice_date)
    app.add_template_filter(days_phrase)
    app.add_template_filter(lambda s: STATUS_LABELS[GoalStatus(s)], "status_label")
    app.add_template_filter(lambda k: MilestoneKey(k).label, "milestone_label")
