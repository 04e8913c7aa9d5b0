"""When a reminder goes out: a local date and hour in the recipient's zone, as a UTC instant.

Every rule decides *which local date* a message belongs to (a milestone's due date, a pulse
date, the digest weekday). This module turns that date into the instant it is sent
(``REMINDER_LOCAL_HOUR`` in the recipient's zone), moves weekend dates to Monday when
``REMINDER_SKIP_WEEKENDS`` is on, and says whether a sweep running at ``now`` should queue it,
record it as stale, or leave it for later. Dedupe keys carry the local date, never the instant,
so a day with a DST change still has exactly one 09:00 and one key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from functools import cached_property
from typing import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app

from tracker.models import NotificationStatus
from tracker.reminders.kinds import NotificationKind

SATURDAY = 5


def parse_days(raw: str | int | None) -> list[int]:
    """``"7,1"`` -> ``[7, 1]``; an empty setting turns the rule off."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, int):
        return [raw]
    return [int(part) for part in str(raw).replace(";", ",").split(",") if part.strip()]


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(current_app.config.get("DEFAULT_TIMEZONE") or "UTC")


def business_days_after(start: date, end: date) -> int:
    """Weekdays in ``(start, end]``: evidence in on Monday has waited 2 business days by
    Wednesday, so with "more than 2" its reminder goes out on Thursday."""
    total = (end - start).days
    if total <= 0:
        return 0
    weeks, rest = divmod(total, 7)  # counted, not walked: a date years back costs the same
    return weeks * 5 + sum(1 for n in range(1, rest + 1) if (start.weekday() + n) % 7 < SATURDAY)


@dataclass
class Due:
    """One message a rule wants to send: becomes one Notification row."""

    key: str
    kind: NotificationKind
    recipient_id: int
    plan_id: int | None
    send_after: datetime
    payload: dict = field(default_factory=dict)
    rank: int = 0  # two rules making the same key: the higher rank wins (an escalation)


@dataclass(frozen=True)
class Window:
    """What one sweep at ``now`` looks at: instants in ``[start, now]``; older than
    ``stale_before`` is recorded but not sent."""

    now: datetime
    start: datetime
    stale_before: datetime
    hour: int
    skip_weekends: bool

    @classmethod
    def at(cls, now: datetime) -> "Window":
        if now.tzinfo is None or now.utcoffset() is None:
            raise ValueError("sweep needs an aware datetime for now")
        config = current_app.config
        now = now.astimezone(timezone.utc)
        return cls(now=now,
                   start=now - timedelta(days=config["REMINDER_LOOKBACK_DAYS"]),
                   stale_before=now - timedelta(hours=config["REMINDER_STALE_HOURS"]),
                   hour=int(config["REMINDER_LOCAL_HOUR"]),
                   skip_weekends=bool(config["REMINDER_SKIP_WEEKENDS"]))

    @cached_property
    def first_day(self) -> date:
        """The earliest local date, anywhere on Earth, of an instant in the window."""
        return self.start.date() - timedelta(days=1)

    @cached_property
    def last_day(self) -> date:
        return self.now.date() + timedelta(days=1)

    def may_contain(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def moved(self, day: date) -> date:
        """The weekend rule for reminders: Saturday and Sunday wait for Monday."""
        if self.skip_weekends and day.weekday() >= SATURDAY:
            return day + timedelta(days=7 - day.weekday())
        return day

    def moved_before(self, day: date, deadline: date) -> date:
        """For "coming up" reminders: Monday would be too late when it is the deadline itself,
        so those go out on the Friday before instead."""
        later = self.moved(day)
        if later >= deadline and later != day:
            return day - timedelta(days=day.weekday() - 4)
        return later

    def send_at(self, day: date, tz: str) -> datetime:
        local = datetime.combine(day, time(self.hour), tzinfo=zone(tz))
        return local.astimezone(timezone.utc)

    def slot(self, day: date, tz: str) -> datetime | None:
        """The instant ``day`` goes out in ``tz``, if that instant falls in this window."""
        send = self.send_at(day, tz)
        return send if self.start <= send <= self.now else None

    def latest(self, tz: str, wanted: Callable[[date], bool]) -> tuple[date, datetime] | None:
        """The most recent wanted local date already due: recurring messages about the state
        of things (digest, waiting reviews) send the latest one only, never a backlog."""
        local = zone(tz)
        day, first = self.now.astimezone(local).date(), self.start.astimezone(local).date()
        while day >= first:
            if wanted(day):
                send_day = self.moved(day)
                send = self.slot(send_day, tz)
                if send is not None:
                    return send_day, send
            day -= timedelta(days=1)
        return None

    def status(self, send_after: datetime) -> tuple[NotificationStatus, str | None]:
        if send_after < self.stale_before:
            hours = current_app.config["REMINDER_STALE_HOURS"]
            return (NotificationStatus.SKIPPED_STALE,
                    f"missed by more than {hours} hours (due {send_after:%Y-%m-%d %H:%M} UTC)")
        return NotificationStatus.PENDING, None
