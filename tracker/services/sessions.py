"""Signed-in sessions kept on the server, so signing out really ends one.

The login cookie (and the "keep me signed in" cookie) carries a random token; the server keeps
its hash in ``sign_ins``. Loading a user needs that row, unexpired, from the user's current
token generation. Signing out deletes the row, so a copy of the cookie made before stops
working at once; rotating the user's session token ends every row at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import orm as so
from flask import current_app

from tracker.extensions import db
from tracker.models import SignIn, User, utcnow


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generation_of(user: User) -> str:
    """A digest of the user's session token: the row never holds the token itself."""
    return token_hash("generation:" + user.session_token)


def lifetime(remember: bool) -> timedelta:
    """A remembered device lasts as long as its cookie; otherwise a session ends after this
    many idle hours (each visit in the second half of that time extends it)."""
    if remember:
        return timedelta(seconds=int(current_app.config["REMEMBER_COOKIE_DURATION"]))
    return timedelta(hours=current_app.config["SIGN_IN_IDLE_HOURS"])


def start(user: User, *, remember: bool = False) -> str:
    """A new session for ``user``; returns the token for the cookie (Flask-Login's user id).

    Also clears that user's ended and expired rows, so the table holds only live sessions.
    """
    now = utcnow()
    db.session.execute(sa.delete(SignIn).where(
        SignIn.user_id == user.id,
        sa.or_(SignIn.expires_at <= now, SignIn.generation != generation_of(user))))
    token = secrets.token_urlsafe(32)
    db.session.add(SignIn(user_id=user.id, token_hash=token_hash(token), remember=remember,
                          generation=generation_of(user), created_at=now,
                          expires_at=now + lifetime(remember)))
    user.sign_in_token = token
    return token


def user_for(token: str) -> User | None:
    """The active user a cookie's token signs in, or None when its session has ended."""
    if not token or len(token) > 128:
        return None
    row = db.session.scalar(sa.select(SignIn).where(SignIn.token_hash == token_hash(token))
                            .options(so.joinedload(SignIn.user)))  # one query per request
    if row is None or row.expires_at <= utcnow():
        return None
    user = row.user
    if not user.active or row.generation != generation_of(user):
        return None
    user.sign_in_token = token
    user.sign_in = row
    return user


def needs_extending(row: SignIn, now: datetime | None = None) -> bool:
    """Past half its life: worth one write to push the end back (at most twice per lifetime)."""
    now = now or utcnow()
    return row.expires_at - now < lifetime(row.remember) / 2


def extend(row: SignIn) -> None:
    row.expires_at = utcnow() + lifetime(row.remember)


def end(token: str | None) -> None:
    """End one session: the browser signing out, and every copy of its cookies."""
    if token:
        db.session.execute(sa.delete(SignIn).where(SignIn.token_hash == token_hash(token)))


def end_all(user: User) -> None:
    """Sign ``user`` out everywhere: new generation (also ending set-password and preference
    links, which carry the old one) and no rows left behind."""
    user.revoke_sessions()
    db.session.execute(sa.delete(SignIn).where(SignIn.user_id == user.id))


def count_for(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(SignIn).where(
        SignIn.user_id == user.id, SignIn.expires_at > utcnow(),
        SignIn.generation == generation_of(user))) or 0
