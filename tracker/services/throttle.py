"""Counting attempts where every web process sees them: failed sign-ins, reset requests and
requests made with a personal access token.

Counts live in the database (``throttle_events``), not in one process's memory, so four
gunicorn workers cannot be tried four times as often. Each limit is a number of attempts per
window against a key (an account's email or a client address). Once a key is at its limit,
further attempts are refused *without being counted*, so the wait never grows: a person locked
out by someone else's guessing waits at most one window after the last counted attempt.

Sign-in and reset count only failures, with ``check`` before and ``count`` after, in the
request's own transaction. API tokens count every request, with ``hit``, which checks and counts
in a transaction of its own, so the count stands even when the request's work is rolled back
(a refused request must still count), and windows can be seconds long.

Flask-Limiter was considered: its stores are memory (not shared between processes), Redis,
Memcached and MongoDB, so it would have made Redis a requirement of every installation.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import ThrottleEvent, utcnow

KEEP_EVENTS = timedelta(days=1)  # longer than any window; older rows are deleted as we go


@dataclass(frozen=True)
class Limit:
    """``attempts`` per window of ``minutes`` (and ``seconds``) against keys named
    ``scope:value``."""
    scope: str
    attempts: int
    minutes: int = 0
    seconds: int = 0

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.minutes, seconds=self.seconds)

    def key(self, value: str) -> str:
        return f"{self.scope}:{value.strip().lower()}"


class Throttled(Exception):
    """Too many attempts: ``wait_seconds`` until the next one is counted again."""

    def __init__(self, limit: Limit, wait_seconds: int):
        super().__init__(f"{limit.scope}: wait {wait_seconds} s")
        self.limit, self.wait_seconds = limit, wait_seconds

    @property
    def wait_words(self) -> str:
        minutes = max(1, math.ceil(self.wait_seconds / 60))
        return "a minute" if minutes == 1 else f"{minutes} minutes"


def _hash(key: str) -> str:
    """Keyed with the app secret: the table never holds an email or an address in the clear,
    and a leaked table cannot be matched against a list of them."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def _refuse_if_full(execute, limit: Limit, key_hash: str, now: datetime) -> None:
    """Raise Throttled if the key has ``attempts`` events within the window. Only the
    ``attempts``-th newest is read (not all of them): it is the first to leave the window."""
    oldest = execute(
        sa.select(ThrottleEvent.occurred_at)
        .where(ThrottleEvent.key_hash == key_hash, ThrottleEvent.occurred_at > now - limit.window)
        .order_by(ThrottleEvent.occurred_at.desc())
        .offset(limit.attempts - 1).limit(1)).scalar()
    if oldest is not None:
        frees_at = oldest + limit.window
        raise Throttled(limit, max(1, math.ceil((frees_at - now).total_seconds())))


def check(*checks: tuple[Limit, str]) -> None:
    """Raise Throttled for the first (limit, value) pair that is at its limit."""
    now = utcnow()
    for limit, value in checks:
        _refuse_if_full(db.session.execute, limit, _hash(limit.key(value)), now)


def count(*checks: tuple[Limit, str]) -> None:
    """Record one attempt against each key; also forget events older than any window."""
    now = utcnow()
    db.session.execute(sa.delete(ThrottleEvent)
                       .where(ThrottleEvent.occurred_at < now - KEEP_EVENTS))
    for limit, value in checks:
        db.session.add(ThrottleEvent(key_hash=_hash(limit.key(value)), occurred_at=now))


def hit(limit: Limit, value: str) -> None:
    """Check and count one use of ``value``, in a transaction of its own: Throttled (and
    nothing counted) at the limit, as ``check`` does; otherwise the use is counted at once.

    For limits on every request: the count is committed whatever becomes of the request's own
    transaction. Call it before the request writes anything, since SQLite has one writer at a
    time. The key's events that have left its window go as it is counted, so a busy key keeps
    at most ``attempts`` rows. Two processes at the key's last free place may both get in.
    """
    now, key_hash = utcnow(), _hash(limit.key(value))
    with db.engine.begin() as connection:
        _refuse_if_full(connection.execute, limit, key_hash, now)
        connection.execute(sa.delete(ThrottleEvent).where(
            ThrottleEvent.key_hash == key_hash, ThrottleEvent.occurred_at <= now - limit.window))
        connection.execute(sa.insert(ThrottleEvent).values(key_hash=key_hash, occurred_at=now))


def forget(limit: Limit, value: str) -> None:
    """Clear a key's count (a successful sign-in clears its account's failures)."""
    db.session.execute(sa.delete(ThrottleEvent).where(
        ThrottleEvent.key_hash == _hash(limit.key(value))))


def limit_from_config(scope: str, prefix: str) -> Limit:
    config = current_app.config
    return Limit(scope, int(config[f"{prefix}_ATTEMPTS"]), int(config[f"{prefix}_MINUTES"]))
