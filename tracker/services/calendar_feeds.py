"""Each person's secret calendar address: made, replaced, turned off, and looked up by a poll.

Calendar apps fetch a subscribed feed on their own, with no cookie and no way to sign in, so the
address itself is the credential, like the link in a password email. It is a random token of
256 bits, shown once when made; the server keeps only its SHA-256, so a poll is one indexed
lookup of the hash (no comparison of secrets whose timing could leak how much of a guess was
right) and a copy of the database opens no calendar. Making a new address replaces the hash,
which revokes the old URL at once; turning the feed off deletes the row.

The address is independent of the person's sessions: signing out everywhere or a new password
does not break a subscription set up months ago. Someone who thinks the URL leaked makes a new
one; an account HR deactivates stops answering at once, whatever its address.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import CalendarFeed, User, utcnow
from tracker.services.audit import record
from tracker.urls import external_url

# What secrets.token_urlsafe(32) makes: 43 characters of the URL-safe base64 alphabet. Anything
# else is nobody's address and is turned away before any SQL (a NUL would fail on PostgreSQL).
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
# A poll marks the feed as used at most this often: calendar apps poll every few minutes to
# every day, and the page only needs to say whether the subscription is alive.
TOUCH_EVERY = timedelta(hours=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(b"calendar:" + token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(sa.select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def make_address(user: User) -> str:
    """A new secret address for ``user``, replacing (so revoking) any earlier one; returns the
    token, which is never stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    feed = feed_of(user)
    replaced = feed is not None
    if feed is None:
        feed = CalendarFeed(user_id=user.id)
        db.session.add(feed)
    feed.token_hash = token_hash(token)
    feed.created_at = utcnow()
    feed.last_used_at = None
    record("calendar.address_made", actor=user, target=user, after={"replaced": replaced})
    return token


def turn_off(user: User) -> bool:
    """Delete the address; returns whether there was one. Its URL answers 404 from now on."""
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    record("calendar.turned_off", actor=user, target=user)
    return True


def feed_url(token: str) -> str:
    """Built from BASE_URL: the address is pasted into calendar apps far from this site."""
    return external_url("calendar.feed", token=token)


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a polled token opens, with its person loaded, or None: an unknown, revoked or
    malformed token, or a person who can no longer sign in. One query."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None
    feed = db.session.scalar(sa.select(CalendarFeed)
                             .where(CalendarFeed.token_hash == token_hash(token))
                             .options(so.joinedload(CalendarFeed.user)))
    if feed is None or not feed.user.active:
        return None
    return feed


def note_use(feed: CalendarFeed, now: datetime | None = None) -> bool:
    """Record the poll if the last one recorded is older than ``TOUCH_EVERY``; returns whether
    anything changed (and so needs a commit)."""
    now = now or utcnow()
    if feed.last_used_at is not None and now - feed.last_used_at < TOUCH_EVERY:
        return False
    feed.last_used_at = now
    return True
