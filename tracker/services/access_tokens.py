"""Personal access tokens: made, listed and revoked by their person, and checked on every request
to the JSON API.

A token lets another system (an HRIS sync, a script) call the API as one person, with that
person's rights, or only their right to read when the token is read-only. It is ``trk_`` and
43 random characters of the URL-safe alphabet (256 bits), shown once when it is made; the
server keeps only its SHA-256, so a copy of the database or a backup opens nobody's API. A
request is one indexed lookup of that hash: no secret is compared character by character, so
how long a refusal takes says nothing about how much of a guess was right (the hash of a guess
shares nothing usable with the hash of a real token). The few characters kept in clear
(``prefix``, ``trk_ab12``) let people tell their tokens apart; they are never used to look one
up.

A token is independent of its person's sessions: signing out everywhere or a new password
leaves it working, as an integration set up months ago should. It stops when it is revoked
(by its person or HR), and while its person's account is switched off.

The API calls :func:`authenticate` then :func:`check_rate` at the start of each request, before
it writes anything. Both keep their bookkeeping (when a token was last used, the requests
counted against its rate) in short transactions of their own, so it stands whatever becomes of
the request: a request the API refuses and rolls back still counts.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy import orm as so
from sqlalchemy.orm.attributes import set_committed_value

from tracker.extensions import db
from tracker.formatting import nice_date, plural
from tracker.models import AccessToken, User, utcnow
from tracker.services import throttle
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.site_policy import revoke_token
from tracker.services.text_rules import TOKEN_NAME

TOKEN_PREFIX = "trk_"
# What TOKEN_PREFIX + secrets.token_urlsafe(32) makes. Anything else is nobody's token and is
# turned away before any SQL (a NUL would fail on PostgreSQL).
TOKEN_SHAPE = re.compile(r"trk_[A-Za-z0-9_-]{43}")
PREFIX_LENGTH = len(TOKEN_PREFIX) + 4  # "trk_ab12": enough to tell tokens apart, not to guess
MAX_LIVE_TOKENS = 20  # per person: a handful of integrations each, not one per request
# A request marks its token as used at most this often, so the API does not write on every
# request; the page only needs to say whether a token is still in use.
TOUCH_EVERY = timedelta(minutes=1)
RATE_SCOPE = "api-token"  # throttle keys are "api-token:<token id>"


class TokenRefused(Exception):
    """The Authorization header names no token that works: the API answers 401 with
    ``message``. ``reason`` is one word for programs: malformed, unknown, revoked or inactive.
    The message never repeats the token."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason, self.message = reason, message


class RateLimited(Exception):
    """Too many requests with one token lately: the API answers 429 with ``Retry-After``
    set to ``retry_after`` (whole seconds, at least 1)."""

    def __init__(self, retry_after: int, limit: int, window_seconds: int):
        self.retry_after, self.limit, self.window_seconds = retry_after, limit, window_seconds
        self.message = (f"too many requests with this token: at most {limit} in "
                        f"{plural(window_seconds, 'second')}; try again in "
                        f"{plural(retry_after, 'second')}")
        super().__init__(self.message)


@dataclass(frozen=True)
class TokenUse:
    """Who a request acts for, with which token, and whether it may only read."""

    user: User
    token: AccessToken
    read_only: bool


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def live_count(user: User) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(AccessToken).where(
        AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None)))


def tokens_of(user: User, *, revoked: bool = False) -> list[AccessToken]:
    """The person's live tokens, newest first; with ``revoked``, the revoked ones too."""
    query = sa.select(AccessToken).where(AccessToken.user_id == user.id)
    if not revoked:
        query = query.where(AccessToken.revoked_at.is_(None))
    return list(db.session.scalars(query.order_by(AccessToken.created_at.desc(),
                                                  AccessToken.id.desc())))


def create_token(user: User, name: str, read_only: bool, *,
                 from_command_line: bool = False) -> tuple[AccessToken, str]:
    """A new token for ``user``, and the raw token: the only time anyone sees it.

    Refuses (InputError) a switched-off account, a name the text rules refuse or none, and a
    person who already has ``MAX_LIVE_TOKENS`` live tokens. ``from_command_line``: an operator
    made it, so the audit names no one as its maker.
    """
    if not user.active:
        raise InputError("user", f"the account {user.email} is switched off, so it cannot "
                                 "have new tokens")
    name = TOKEN_NAME.check(name)
    if not name:
        raise InputError("name", "name the token after what will use it, such as “HRIS sync”")
    if live_count(user) >= MAX_LIVE_TOKENS:
        raise InputError("token", f"{user.email} already has {MAX_LIVE_TOKENS} live tokens, "
                                  "the most one person can have: revoke one that is no longer "
                                  "used, then make this one")
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AccessToken(user_id=user.id, name=name, read_only=bool(read_only),
                        token_hash=token_hash(raw), prefix=raw[:PREFIX_LENGTH],
                        created_at=utcnow())
    db.session.add(token)
    db.session.flush()
    record("token.created", actor=None if from_command_line else user, target=token,
           after={"user_id": user.id, "name": name, "prefix": token.prefix,
                  "read_only": token.read_only,
                  "by": "command line" if from_command_line else "the person"})
    return token, raw


def revoke(token: AccessToken, by_user: User | None) -> None:
    """Revoke ``token`` at once: its next request is refused. Only its owner or HR and admins
    may (``site_policy.revoke_token``); ``by_user`` None is an operator at the command line,
    who holds the database anyway. A token already revoked is refused (InputError)."""
    if by_user is not None:
        revoke_token(by_user, token).enforce("token")
    if token.revoked_at is not None:
        raise InputError("token", f"the token {token.prefix}… was already revoked on "
                                  f"{nice_date(token.revoked_at)}")
    token.revoked_at = utcnow()
    record("token.revoked", actor=by_user, target=token,
           before={"user_id": token.user_id, "name": token.name, "prefix": token.prefix},
           after={"by": "command line" if by_user is None else
                  "the owner" if by_user.id == token.user_id else "an admin"})


def authenticate(authorization: str | None, now: datetime | None = None) -> TokenUse | None:
    """Who the request acts for, from its ``Authorization`` header; None without one (or an
    empty one). Raises TokenRefused for anything else that is not a live token of an active
    person: another scheme, a malformed token, an unknown one, a revoked one, or one whose
    person is switched off. Records the use at most once per ``TOUCH_EVERY``."""
    if authorization is None or not authorization.strip():
        return None
    parts = authorization.split()
    if len(parts) != 2 or parts[0].lower() != "bearer":
        raise TokenRefused("malformed", "send the token as “Authorization: Bearer trk_…”; "
                                        "no other kind of authorization is accepted")
    raw = parts[1]
    if not TOKEN_SHAPE.fullmatch(raw):
        raise TokenRefused("malformed", "that is not a tracker token: a token is trk_ and 43 "
                                        "letters, digits, - and _, exactly as it was shown")
    token = db.session.scalar(sa.select(AccessToken)
                              .where(AccessToken.token_hash == token_hash(raw))
                              .options(so.joinedload(AccessToken.user)))
    if token is None:
        raise TokenRefused("unknown", "this token is not known here: check that it was copied "
                                      "whole, or make a new one")
    if token.revoked_at is not None:
        raise TokenRefused("revoked", f"this token ({token.prefix}…) was revoked on "
                                      f"{nice_date(token.revoked_at)}; make a new one")
    if not token.user.active:
        raise TokenRefused("inactive", "the account this token belongs to is switched off")
    note_use(token, now)
    return TokenUse(token.user, token, token.read_only)


def note_use(token: AccessToken, now: datetime | None = None) -> bool:
    """Record that the token was used now, unless a use was recorded less than
    ``TOUCH_EVERY`` ago; returns whether this call wrote it.

    Written in a transaction of its own, and only where the row still needs it, so of several
    workers serving the same token in the same minute one writes; the loaded token shows the
    new time without being marked as changed in the request's session.
    """
    now = now or utcnow()
    if token.last_used_at is not None and now - token.last_used_at < TOUCH_EVERY:
        return False
    with db.engine.begin() as connection:
        written = connection.execute(
            sa.update(AccessToken)
            .where(AccessToken.id == token.id,
                   sa.or_(AccessToken.last_used_at.is_(None),
                          AccessToken.last_used_at <= now - TOUCH_EVERY))
            .values(last_used_at=now)).rowcount == 1
    if written:
        set_committed_value(token, "last_used_at", now)
    return written


def rate_limit() -> throttle.Limit:
    config = current_app.config
    return throttle.Limit(RATE_SCOPE, int(config["TOKEN_RATE_LIMIT"]),
                          seconds=int(config["TOKEN_RATE_WINDOW_SECONDS"]))


def check_rate(token: AccessToken) -> None:
    """Count this request against the token, or raise RateLimited when it has made
    ``TOKEN_RATE_LIMIT`` requests in the last ``TOKEN_RATE_WINDOW_SECONDS``.

    Every request is counted, whatever the API answers it, except those refused here: a
    client that waits ``retry_after`` seconds as told gets in. The count lives in the database
    (``services/throttle.py``), so every worker process shares it.
    """
    limit = rate_limit()
    try:
        throttle.hit(limit, str(token.id))
    except throttle.Throttled as refused:
        raise RateLimited(refused.wait_seconds, limit.attempts,
                          int(limit.window.total_seconds())) from None
