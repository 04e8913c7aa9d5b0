"""Counting attempts where every web process sees them: failed sign-ins and reset requests.

Counts live in the database (``throttle_events``), not in one process's memory, so four
gunicorn workers cannot be tried four times as often. Each limit is a number of attempts per
window against a key (an account's email or a client address). Once a key is at its limit,
further attempts are refused *without being counted*, so the wait never grows: a person locked
out by someone else's guessing waits at most one window after the last counted attempt.

Flask-Limiter was considered: its stores are memory (not shared between processes), Redis,
Memcached and MongoDB, so it would have made Redis a requirement of every installation.
"""
from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import ThrottleEvent, utcnow

KEEP_EVENTS = timedelta(days=1)  # longer than any window; older rows are deleted as we go


@dataclass(frozen=True)
class Limit:
    """``attempts`` per ``minutes`` against keys named ``scope:value``."""
    scope: str
    attempts: int
    minutes: int

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


def check(*checks: tuple[Limit, str]) -> None:
    """Raise Throttled for the first (limit, value) pair that is at its limit."""
    now = utcnow()
    for limit, value in checks:
        since = now - timedelta(minutes=limit.minutes)
        times = db.session.scalars(
            sa.select(ThrottleEvent.occurred_at)
            .where(ThrottleEvent.key_hash == _hash(limit.key(value)),
                   ThrottleEvent.occurred_at > since)
            .order_by(ThrottleEvent.occurred_at.desc()).limit(limit.attempts)).all()
        if len(times) >= limit.attempts:
            # The oldest of the last `attempts` falls out of the window first.
            frees_at = times[-1] + timedelta(minutes=limit.minutes)
            raise Throttled(limit, max(1, math.ceil((frees_at - now).total_seconds())))


def count(*checks: tuple[Limit, str]) -> None:
    """Record one attempt against each key; also forget events older than any window."""
    now = utcnow()
    db.session.execute(sa.delete(ThrottleEvent)
                       .where(ThrottleEvent.occurred_at < now - KEEP_EVENTS))
    for limit, value in checks:
        db.session.add(ThrottleEvent(key_hash=_hash(limit.key(value)), occurred_at=now))


def forget(limit: Limit, value: str) -> None:
    """Clear a key's count (a successful sign-in clears its account's failures)."""
    db.session.execute(sa.delete(ThrottleEvent).where(
        ThrottleEvent.key_hash == _hash(limit.key(value))))


def limit_from_config(scope: str, prefix: str) -> Limit:
    config = current_app.config
    return Limit(scope, int(config[f"{prefix}_ATTEMPTS"]), int(config[f"{prefix}_MINUTES"]))
