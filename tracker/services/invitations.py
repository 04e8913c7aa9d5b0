"""Links that let a new person set their first password (and anyone reset a lost one).

A link carries the user's id and a fingerprint of their session token, signed with the app's
secret and stamped with the time. Setting a password rotates the session token, so a link works
once; it also stops working after ``INVITATION_MAX_AGE_DAYS``. Nothing is stored: there is no
table of tokens to leak or to clean up.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.models import User
from tracker.security import payload_id
from tracker.services.accounts import check_password_strength
from tracker.services.errors import InputError
from tracker.urls import external_url

SALT = "tracker.invitation"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(user.session_token.encode()).hexdigest()[:16]


def invitation_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def invitation_url(user: User) -> str:
    """Built from BASE_URL, never from the request's Host header, which the client chooses:
    a link HR copies or an email carries always points at the real site."""
    return external_url("auth.welcome", token=invitation_token(user))


def user_for_invitation(token: str) -> User:
    """The person a link is for, or an InputError that says why it no longer works."""
    max_age = current_app.config["INVITATION_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InputError("token", "this link has expired; ask HR for a new one") from None
    except BadSignature:
        raise InputError("token", "this link is not valid; check it was copied whole") from None
    user_id = payload_id(data, "user")
    user = db.session.get(User, user_id) if user_id else None
    if user is None or not user.active:
        raise InputError("token", "this link is not valid; check it was copied whole")
    if data.get("fp") != _fingerprint(user):
        raise InputError("token", "this link has already been used, or a newer one replaced it; "
                                  "sign in, or ask HR for a new one")
    return user


def accept_invitation(token: str, password: str, confirm: str) -> User:
    user = user_for_invitation(token)
    check_password_strength(password, user.email)
    if password != confirm:
        raise InputError("confirm", "the two passwords differ; type the same one twice")
    user.set_password(password)  # rotates the session token, which ends this link
    return user


def issue_link(user: User, *, actor: User | None = None, plan=None) -> str:
    """A new set-password link, with an audit event: a link is a key to the account.

    Only ever made on an explicit action (creating a hire, or HR asking for one), never just
    by opening a page, so every working link can be traced to who asked for it.
    """
    from tracker.services.audit import record

    record("invitation.issued", plan=plan, actor=actor, target=user,
           after={"email": user.email, "had_password": bool(user.password_hash)})
    # A new link ends every older one (they carry the old fingerprint) and signs the person
    # out: someone who needs a new link may have lost control of the old one.
    user.revoke_sessions()
    return invitation_url(user)
