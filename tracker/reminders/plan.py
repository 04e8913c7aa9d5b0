"""The plan step of a sweep: every outbox row a sweep at ``now`` would insert, and nothing more.

Planning reads (a fixed number of statements, see ``data``) and never writes, so the same step
serves the sweep job, which inserts the rows (``tracker.jobs.sweep``), and anyone who only wants
to know what it would do: ``tracker sweep --dry-run`` and the outbox page's preview, which runs
it when an operator asks rather than on every view.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app

from tracker.models import NotificationStatus
from tracker.reminders import data, rules, team
from tracker.reminders.kinds import NotificationKind
from tracker.reminders.window import Due, Window, parse_days

STALE = "skipped_stale"  # the counts' entry for rows recorded as missed, not queued to send


def planned_rows(now: datetime) -> list[dict]:
    """The rows a sweep at ``now`` (aware) would insert, oldest first: new keys only, one row
    per key (the escalation wins), each ``pending`` or ``skipped_stale`` with the reason."""
    window = Window.at(now)
    existing = data.existing_keys(window.start - timedelta(days=1))
    found = {due.key: due for due in _ordered(collect(window, existing))}
    new = [due for key, due in sorted(found.items(), key=lambda item: (item[1].send_after,
                                                                         item[0]))
           if key not in existing]
    return [_row(window, due) for due in new]


def preview(now: datetime) -> dict[str, int]:
    """What a sweep at ``now`` would queue, per kind, plus ``skipped_stale``; writes nothing."""
    return count((row["kind"], row["status"]) for row in planned_rows(now))


def count(rows: Iterable[tuple[str, NotificationStatus]]) -> dict[str, int]:
    """(kind, status) pairs to counts per kind, with rows recorded as missed counted apart."""
    counts: Counter[str] = Counter()
    for kind, status in rows:
        counts[STALE if NotificationStatus(status) == NotificationStatus.SKIPPED_STALE
               else str(kind)] += 1
    return dict(counts)


def collect(window: Window, existing: set[str] = frozenset()) -> Iterable[Due]:
    """Every message the rules want for this window, duplicates included (merged by key)."""
    config = current_app.config
    soon, overdue = parse_days(config["REMIND_MILESTONE_DAYS"]), \
        parse_days(config["REMIND_OVERDUE_DAYS"])
    plans = data.running_plans(
        created_since=window.start,
        due_from=window.first_day - timedelta(days=3 + max(overdue, default=0)),
        starts_by=window.last_day + timedelta(days=3 + max(soon, default=0)))
    if config["REMIND_WELCOME"]:
        yield from rules.welcome(window, plans)

    events = list(rules.milestone_events(window, plans, soon_days=soon,
                                         checkin=bool(config["REMIND_CHECKIN"]),
                                         overdue_days=overdue))
    if events:
        invites = {e.milestone.id for e in events if e.kind == NotificationKind.CHECKIN_INVITE}
        goals = data.goals_of({e.milestone.id for e in events
                               if e.kind != NotificationKind.CHECKIN_INVITE})
        signed = data.signed_checkins(invites)
        admins = data.active_admins() if any(e.stage >= 2 for e in events) else []
        yield from rules.expand(window, events, goals, signed, admins)

    if config["REMIND_PULSE"]:
        pulses = list(rules.pulse_dates(window, plans))
        if pulses:
            answered = data.last_pulse_answers({plan.id for plan, _, _ in pulses})
            yield from rules.pulse_prompts(window, pulses, answered)

    business_days = int(config["REMIND_REVIEW_AFTER_BUSINESS_DAYS"])
    if business_days > 0:
        # N business days waited means at least N calendar days; the rule checks exactly.
        rows = data.waiting_reviews(window.now - timedelta(days=max(business_days - 1, 0)))
        yield from team.review_waiting(window, rows, business_days)

    weekday = int(config["DIGEST_WEEKDAY"])
    if 0 <= weekday <= 6:
        # A digest already queued this week is not built again: the team load is the
        # expensive part, and it happens once per manager per week.
        slots = [slot for slot in team.digest_slots(window, data.managers_with_reports(), weekday)
                 if slot[1] not in existing]
        if slots:
            plans = data.team_plans({manager.id for manager, _, _ in slots})
            yield from team.digests(window, slots, plans)


def _ordered(dues: Iterable[Due]) -> list[Due]:
    """Lowest rank first, so when two rules make one key the escalation (higher rank) wins."""
    return sorted(dues, key=lambda due: due.rank)


def _row(window: Window, due: Due) -> dict:
    status, reason = window.status(due.send_after)
    return {"dedupe_key": due.key, "kind": due.kind.value, "recipient_id": due.recipient_id,
            "plan_id": due.plan_id, "payload": due.payload, "status": status,
            "send_after": due.send_after, "skip_reason": reason, "attempts": 0}
