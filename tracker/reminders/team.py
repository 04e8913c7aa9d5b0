"""The manager's rules: evidence waiting for review, and the weekly team digest.

Both describe the state of things rather than an event, so each manager gets at most one per
local day (one message listing every waiting goal, not one per goal), and after downtime only
the latest is sent: yesterday's list of waiting reviews is superseded by today's.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Iterable, Iterator

from tracker.models import GoalStatus, Plan, User
from tracker.reminders import problems as steps
from tracker.reminders.kinds import NotificationKind as K
from tracker.reminders.problems import Problems
from tracker.reminders.window import Due, Window, business_days_after, zone
from tracker.services.progress import plan_progress


def _waiting(goal: tuple, local, day, after_business_days: int) -> list[dict]:
    goal_id, title, plan_id, key, hire_name, since = goal
    if business_days_after(since.astimezone(local).date(), day) <= after_business_days:
        return []
    return [{"id": goal_id, "title": title, "plan_id": plan_id, "milestone": key.value,
             "milestone_label": key.label, "hire_name": hire_name, "since": since.isoformat()}]


def review_waiting(window: Window, rows: Iterable[tuple], after_business_days: int,
                   problems: Problems) -> Iterator[Due]:
    """``rows`` from ``data.waiting_reviews``, ordered by manager. A goal whose plan cannot be
    worked out is left off the list (and its plan recorded); the rest of the list still goes."""
    by_manager: dict[int, tuple[User, list[tuple]]] = {}
    for row in rows:
        by_manager.setdefault(row[0].id, (row[0], []))[1].append(row[1:])
    for manager, goals in by_manager.values():
        found = window.latest(manager.timezone, lambda day: True)
        if found is None:
            continue
        day, send = found
        local = zone(manager.timezone)
        waiting = [item for goal in goals
                   for item in problems.attempt(goal[2], steps.REVIEWS, lambda: _waiting(
                       goal, local, day, after_business_days)) or []]
        if waiting:
            yield Due(f"user:{manager.id}:review_waiting:{day.isoformat()}", K.REVIEW_WAITING,
                      manager.id, None, send,
                      {"count": len(waiting), "business_days": after_business_days,
                       "goals": waiting})


def digest_slots(window: Window, managers: Iterable[User], weekday: int
                 ) -> Iterator[tuple[User, str, object]]:
    """(manager, dedupe key, (local date, send instant)) for each manager's latest digest."""
    for manager in managers:
        found = window.latest(manager.timezone, lambda day: day.weekday() == weekday)
        if found is not None:
            yield manager, f"user:{manager.id}:digest:{found[0].isoformat()}", found


def _report(plan: Plan, progress) -> dict:
    current = progress.current
    return {
        "plan_id": plan.id, "hire_name": plan.hire.name, "percent": progress.percent,
        "overdue": progress.overdue_goals,
        "waiting": sum(1 for m in plan.milestones for g in m.goals
                       if g.status == GoalStatus.SUBMITTED),
        "current": None if current is None else {
            "milestone": current.milestone.key.value,
            "milestone_label": current.milestone.key.label,
            "due_date": current.milestone.due_date.isoformat(), "state": current.state},
    }


def _line(plan: Plan, day, week_end) -> tuple[dict, list[dict]]:
    """One report's line in a digest, and its milestones due this week."""
    progress = plan_progress(plan, day)
    due = [{"plan_id": plan.id, "hire_name": plan.hire.name,
            "milestone": row.milestone.key.value, "milestone_label": row.milestone.key.label,
            "due_date": row.milestone.due_date.isoformat(), "open_goals": row.total - row.finished}
           for row in progress.milestones
           if day <= row.milestone.due_date <= week_end and row.state != "done"]
    return _report(plan, progress), due


def digests(window: Window, slots: list[tuple[User, str, tuple]], plans: list[Plan],
            problems: Problems) -> Iterator[Due]:
    """One digest per manager: where each report stands, what is due this week, what waits.
    A report whose plan cannot be worked out is left out (and its plan recorded)."""
    team: dict[int, list[Plan]] = {}
    for plan in plans:
        team.setdefault(plan.manager_id, []).append(plan)
    for manager, key, (day, send) in slots:
        reports, due_this_week = [], []
        week_end = day + timedelta(days=6)
        for plan in team.get(manager.id, []):
            line = problems.attempt(plan.id, steps.DIGEST, lambda: _line(plan, day, week_end))
            if line is not None:
                reports.append(line[0])
                due_this_week.extend(line[1])
        if not reports:
            continue
        due_this_week.sort(key=lambda item: (item["due_date"], item["hire_name"]))
        yield Due(key, K.DIGEST, manager.id, None, send,
                  {"week_start": day.isoformat(), "week_end": week_end.isoformat(),
                   "reports": reports, "due_this_week": due_this_week,
                   "waiting": sum(r["waiting"] for r in reports),
                   "overdue": sum(r["overdue"] for r in reports)})
