"""The sweep: find every message that is due as if the clock read ``now`` and queue it once.

Correctness lives in the outbox's unique dedupe key, not in the scheduler: each message is an
``INSERT ... ON CONFLICT (dedupe_key) DO NOTHING``, so a second sweep, two schedulers at once,
or a replay with ``--now`` insert nothing twice. After downtime the sweep looks back
``REMINDER_LOOKBACK_DAYS``: what is still fresh is queued, what was missed by more than
``REMINDER_STALE_HOURS`` is recorded as ``skipped_stale`` so the outbox shows it was not sent.

The cost is a fixed number of statements (see ``tracker.services.reminder_data``), never one
per plan; the rules themselves live in ``tracker.services.reminder_rules`` and ``_team``.
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Iterable

from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from tracker.extensions import db
from tracker.models import Notification, NotificationStatus
from tracker.services import reminder_data as data
from tracker.services import reminder_rules as rules
from tracker.services import reminder_team as team
from tracker.services.reminders import Due, Window, parse_days

STALE = "skipped_stale"  # the counts' entry for rows recorded as missed, not queued to send


def sweep(now: datetime, *, dry_run: bool = False) -> dict[str, int]:
    """Queue what is due at ``now`` (aware); returns rows queued per kind, plus how many were
    recorded as ``skipped_stale``. ``dry_run`` counts the same and writes nothing."""
    window = Window.at(now)
    existing = data.existing_keys(window.start - timedelta(days=1))
    found = {due.key: due for due in _ordered(collect(window, existing))}
    new = [due for key, due in sorted(found.items(), key=lambda item: (item[1].send_after,
                                                                         item[0]))
           if key not in existing]
    rows = [_row(window, due) for due in new]
    if dry_run:
        return _count((row["kind"], row["status"]) for row in rows)
    counts = _count(_insert(rows)) if rows else {}
    db.session.commit()
    return counts


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
        goals = data.goals_of({e.milestone.id for e in events if e.kind != "checkin_invite"})
        signed = data.signed_checkins({e.milestone.id for e in events
                                       if e.kind == "checkin_invite"})
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
    return {"dedupe_key": due.key, "kind": due.kind, "recipient_id": due.recipient_id,
            "plan_id": due.plan_id, "payload": due.payload, "status": status,
            "send_after": due.send_after, "skip_reason": reason, "attempts": 0}


def _insert(rows: list[dict]) -> list[tuple[str, NotificationStatus]]:
    """Insert, skipping keys someone else inserted first; returns what was really inserted."""
    table = Notification.__table__
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (insert(table).on_conflict_do_nothing(index_elements=[table.c.dedupe_key])
                 .returning(table.c.kind, table.c.status))
    return [tuple(row) for row in db.session.execute(statement, rows)]


def _count(rows: Iterable[tuple[str, NotificationStatus]]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for kind, status in rows:
        counts[STALE if NotificationStatus(status) == NotificationStatus.SKIPPED_STALE
               else kind] += 1
    return dict(counts)
