"""The plan step of a sweep: every outbox row a sweep at ``now`` would insert, and nothing more.

Planning reads (a fixed number of statements, see ``data``) and never writes, so the same step
serves the sweep job, which inserts the rows (``tracker.jobs.sweep``), and anyone who only wants
to know what it would do: ``tracker sweep --dry-run`` and the outbox page's preview, which runs
it when an operator asks rather than on every view.

The data is read for all plans at once, but the rules run plan by plan (``problems``): a plan
that cannot be worked out is left out with the reason, and the others are planned as usual.
"""
from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from flask import current_app

from tracker.models import Channel, NotificationStatus, Plan
from tracker.reminders import data, rules, team
from tracker.reminders import problems as steps
from tracker.reminders.channels import channels_for, chat_key, keyed
from tracker.reminders.kinds import NotificationKind
from tracker.reminders.next_due import next_reminder_at
from tracker.reminders.problems import Problems
from tracker.reminders.window import Due, Window, parse_days

STALE = "skipped_stale"  # the counts' entry for rows recorded as missed, not queued to send


@dataclass
class SweepResult:
    """What a sweep queued (or would queue) per kind, and the plans it had to leave out."""

    counts: dict[str, int] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)  # plan id: what went wrong, in words


BATCH = 500  # plans loaded at a time: a sweep's memory is one batch, whatever the hires


@dataclass
class Planned:
    rows: list[dict]
    problems: Problems
    read: array = field(default_factory=lambda: array("q"))  # ids of the plans read
    # With ``remember``: for each plan read, in the same order, when it next needs a sweep
    # (microseconds since the epoch), or ``UNKNOWN`` when its dates cannot be worked with.
    next_at: array = field(default_factory=lambda: array("q"))


UNKNOWN = -1
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def planned(now: datetime, *, read_all: bool = False, remember: bool = False) -> Planned:
    """The rows a sweep at ``now`` (aware) would insert, oldest first: new keys only, one row
    per key (the escalation wins), each ``pending`` or ``skipped_stale`` with the reason; none
    for a plan that could not be worked out (it is in ``problems`` instead).

    Only plans whose next reminder time has come are read, unless ``read_all``; either way
    ``BATCH`` plans at a time, each batch let go before the next is loaded, so the first sweep
    after downtime (every plan due) or ``--all`` needs the memory of one batch plus a few
    bytes per plan and per row. With ``remember``, each plan's next time is worked out while
    it is loaded (``next_at``)."""
    window = Window.at(now)
    existing = data.existing_keys(window.start - timedelta(days=1))
    problems = Problems()
    found: dict[str, Due] = {}
    out = Planned([], problems)
    for plans in batches(window, read_all):
        found.update((due.key, due) for due in _ordered(plan_messages(window, problems, plans)))
        out.read.extend(plan.id for plan in plans)
        if remember:
            out.next_at.extend(_next_at(plan, now) for plan in plans)
        plans.clear()  # the last reference: this batch goes before the next is loaded
    found.update((due.key, due) for due in _ordered(team_messages(window, problems, existing)))
    dues = [due for key, due in sorted(found.items(), key=lambda item: (item[1].send_after,
                                                                          item[0]))
            if due.plan_id not in problems]
    chat = data.chat_settings_of({due.recipient_id for due in dues})
    config = current_app.config
    out.rows = [_row(window, due, channel) for due in dues
                for channel in channels_for(chat.get(due.recipient_id), due.kind, config)
                if keyed(due.key, channel) not in existing]
    return out


def batches(window: Window, read_all: bool = False) -> Iterator[list[Plan]]:
    """The plans the rules may find something for in ``window``, ``BATCH`` at a time.

    Nothing keeps a batch once its messages (and next times) are worked out: ``planned``
    empties the list, the session holds loaded objects weakly, so they go with the garbage
    and memory does not grow with the plans read (what the caller holds stays, attached).
    A plan's messages never depend on another plan's, so batches change no row."""
    ids = array("q", data.due_plan_ids(**road_bounds(window),
                                       due_by=None if read_all else window.now))
    for start in range(0, len(ids), BATCH):
        plans = data.plans_by_id(list(ids[start:start + BATCH]))
        if plans:
            yield plans


def road_bounds(window: Window) -> dict:
    """Which plans' roads reach ``window``: made since its start, or started by its last day
    (plus the earliest reminder ahead) with a milestone due on or after its first day (less the
    latest overdue reminder)."""
    config = current_app.config
    soon, overdue = parse_days(config["REMIND_MILESTONE_DAYS"]), \
        parse_days(config["REMIND_OVERDUE_DAYS"])
    return {"created_since": window.start,
            "due_from": window.first_day - timedelta(days=3 + max(overdue, default=0)),
            "starts_by": window.last_day + timedelta(days=3 + max(soon, default=0))}


def _next_at(plan: Plan, now: datetime) -> int:
    try:
        when = next_reminder_at(plan, now, current_app.config)
    except (OverflowError, ValueError):  # dates no rule can work with: read it every time
        return UNKNOWN
    return (when - EPOCH) // timedelta(microseconds=1)


def next_time(micros: int) -> datetime:
    """A ``Planned.next_at`` entry back to an instant."""
    return EPOCH + timedelta(microseconds=micros)


def preview(now: datetime, *, read_all: bool = False) -> SweepResult:
    """What a sweep at ``now`` would queue, per kind, plus ``skipped_stale``, and the plans it
    would leave out; writes nothing."""
    plan = planned(now, read_all=read_all)
    return SweepResult(count((row["kind"], row["status"]) for row in plan.rows),
                       dict(plan.problems.failed))


def count(rows: Iterable[tuple[str, NotificationStatus]]) -> dict[str, int]:
    """(kind, status) pairs to counts per kind, with rows recorded as missed counted apart."""
    counts: Counter[str] = Counter()
    for kind, status in rows:
        counts[STALE if NotificationStatus(status) == NotificationStatus.SKIPPED_STALE
               else str(kind)] += 1
    return dict(counts)


def plan_messages(window: Window, problems: Problems, plans: list[Plan]) -> Iterable[Due]:
    """Every message the rules want for these plans in this window, duplicates included
    (merged by key). Messages of a plan that ends up in ``problems`` may be among them;
    ``planned`` drops them."""
    config = current_app.config
    soon, overdue = parse_days(config["REMIND_MILESTONE_DAYS"]), \
        parse_days(config["REMIND_OVERDUE_DAYS"])
    if config["REMIND_WELCOME"]:
        for dues in problems.each(plans, steps.WELCOME,
                                  lambda plan: rules.welcome(window, [plan])).values():
            yield from dues

    by_plan = problems.each(plans, steps.MILESTONES, lambda plan: rules.milestone_events(
        window, [plan], soon_days=soon, checkin=bool(config["REMIND_CHECKIN"]),
        overdue_days=overdue))
    events = [event for plan_events in by_plan.values() for event in plan_events]
    if events:
        invites = {e.milestone.id for e in events if e.kind == NotificationKind.CHECKIN_INVITE}
        goals = data.goals_of({e.milestone.id for e in events
                               if e.kind != NotificationKind.CHECKIN_INVITE})
        signed = data.signed_checkins(invites)
        admins = data.active_admins() if any(e.stage >= 2 for e in events) else []
        for dues in problems.each(plans, steps.MILESTONES, lambda plan: rules.expand(
                window, by_plan.get(plan.id, []), goals, signed, admins)).values():
            yield from dues

    if config["REMIND_PULSE"]:
        pulses = problems.each(plans, steps.PULSES,
                               lambda plan: rules.pulse_dates(window, [plan]))
        if any(pulses.values()):
            answered = data.last_pulse_answers({plan_id for plan_id, dates in pulses.items()
                                                if dates})
            for dues in problems.each(plans, steps.PULSES, lambda plan: rules.pulse_prompts(
                    window, pulses.get(plan.id, []), answered)).values():
                yield from dues


def team_messages(window: Window, problems: Problems, existing: set[str]) -> Iterable[Due]:
    """The managers' messages: reviews waiting and the weekly digest. Run after every plan's
    own messages, so a plan already left out is left off these lists too."""
    config = current_app.config
    business_days = int(config["REMIND_REVIEW_AFTER_BUSINESS_DAYS"])
    if business_days > 0:
        # N business days waited means at least N calendar days; the rule checks exactly.
        rows = data.waiting_reviews(window.now - timedelta(days=max(business_days - 1, 0)))
        yield from team.review_waiting(window, rows, business_days, problems)

    weekday = int(config["DIGEST_WEEKDAY"])
    if 0 <= weekday <= 6:
        # A digest already queued this week is not built again: the team load is the
        # expensive part, and it happens once per manager per week.
        def day_in(zone: str):
            found = window.latest(zone, lambda day: day.weekday() == weekday)
            return None if found is None else found[0]

        # Owed: no email digest queued (checked in SQL), and no chat one either.
        owed = data.managers_owing_digest(day_in, window.start - timedelta(days=1))
        slots = [slot for slot in team.digest_slots(window, owed, weekday)
                 if slot[1] not in existing and chat_key(slot[1]) not in existing]
        if slots:
            plans = data.team_plans({manager.id for manager, _, _ in slots})
            yield from team.digests(window, slots, plans, problems)


def _ordered(dues: Iterable[Due]) -> list[Due]:
    """Lowest rank first, so when two rules make one key the escalation (higher rank) wins."""
    return sorted(dues, key=lambda due: due.rank)


def _row(window: Window, due: Due, channel: Channel = Channel.EMAIL) -> dict:
    """One outbox row of a message; a message for chat as well is two (reminders/channels)."""
    status, reason = window.status(due.send_after)
    return {"dedupe_key": keyed(due.key, channel), "kind": due.kind.value,
            "recipient_id": due.recipient_id, "channel": channel, "plan_id": due.plan_id,
            "payload": due.payload, "status": status, "send_after": due.send_after,
            "skip_reason": reason, "attempts": 0}
