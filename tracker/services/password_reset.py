"""Forgot my password: a single-use link by email, valid for an hour, stored only as a hash.

The answer to a request is the same whether or not the address has an account, and it takes
the same path (queue, nothing sent from the request), so the page cannot be used to learn who
works here. Requests are throttled per address typed and per client address, like sign-in.

The email goes through the outbox like every other message, so it is retried if the mail
server is down. The outbox must not hold the link's token in the clear, so the request stores a
random nonce with the message and the token is derived from it with the app's secret key when
the email is written: neither a copy of the database nor the key alone can make a working link.
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import Notification, PasswordReset, User, utcnow
from tracker.reminders.kinds import NotificationKind
from tracker.services import throttle
from tracker.services.accounts import check_password_strength, find_user, normalise_email
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.urls import external_url

SPENT = ("this link has already been used, has expired (links work for one hour), or a newer "
         "one replaced it; ask for a new one")


def limits() -> tuple[throttle.Limit, throttle.Limit]:
    return (throttle.limit_from_config("reset-account", "RESET_ACCOUNT"),
            throttle.limit_from_config("reset-address", "RESET_ADDRESS"))


def _token(nonce: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"password-reset:" + nonce.encode(), hashlib.sha256).hexdigest()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_reset(email: str, address: str) -> None:
    """Queue a reset email if ``email`` belongs to an active account; the same either way.

    Raises throttle.Throttled when this address or this client asked too often.
    """
    by_account, by_address = limits()
    keys = ((by_account, normalise_email(email)), (by_address, address or "unknown"))
    throttle.check(*keys)
    throttle.count(*keys)
    user = find_user(email)
    if user is None or not user.active:
        return
    now, nonce = utcnow(), secrets.token_urlsafe(24)
    minutes = current_app.config["PASSWORD_RESET_MINUTES"]
    db.session.add(PasswordReset(user_id=user.id, token_hash=_hash(_token(nonce)),
                                 created_at=now, expires_at=now + timedelta(minutes=minutes)))
    db.session.add(Notification(
        dedupe_key=f"account:{user.id}:password_reset:{nonce[:16]}",
        kind=NotificationKind.PASSWORD_RESET.value, recipient_id=user.id, plan_id=None,
        payload={"nonce": nonce, "expires_at": (now + timedelta(minutes=minutes)).isoformat()},
        send_after=now))
    record("password.reset_requested", actor=None, target=user, after={"email": user.email})


def reset_url(nonce: str) -> str:
    """The link in the email (mail/render.py), rebuilt from the nonce the request stored."""
    return external_url("auth.reset_password", token=_token(nonce))


def reset_for(token: str) -> PasswordReset:
    """The live reset a link names, or InputError saying why it no longer works."""
    if not token or len(token) > 128:
        raise InputError("token", SPENT)
    reset = db.session.scalar(sa.select(PasswordReset).where(
        PasswordReset.token_hash == _hash(token)))
    if (reset is None or reset.used_at is not None or reset.expires_at <= utcnow()
            or not reset.user.active):
        raise InputError("token", SPENT)
    return reset


def complete_reset(token: str, password: str, confirm: str) -> User:
    """Set the new password, spend this link and every other open one for the account."""
    reset = reset_for(token)
    user = reset.user
    check_password_strength(password, user.email)
    if password != confirm:
        raise InputError("confirm", "the two passwords differ; type the same one twice")
    now = utcnow()
    db.session.execute(sa.update(PasswordReset)
                       .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
                       .values(used_at=now).execution_options(synchronize_session=False))
    user.set_password(password)  # also ends every session and older set-password link
    record("password.reset", actor=user, target=user)
    return user
