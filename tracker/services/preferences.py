"""Which emails a person wants, and the signed link in every email that lets them choose.

The link carries the user's id and a fingerprint of their session generation, signed with the
app's secret and stamped with the time, so someone can change their email preferences (or
unsubscribe in one click, RFC 8058) straight from a message without signing in; it can do
nothing else. It stops working after ``PREFERENCE_LINK_DAYS``, and at once when the person
signs out everywhere or sets a new password. The choice is applied when a message is about to
be sent, so changing it stops what is already queued too.
"""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from tracker.extensions import db
from tracker.models import User
from tracker.security import payload_id
from tracker.services.audit import record
from tracker.services.errors import InputError

CHOICES = {
    "all": "Everything: reminders, check-in invitations and, for managers, the weekly digest",
    "digest": "Only the weekly team digest (managers)",
    "checkins": "Only check-in invitations",
    "none": "No reminders at all (password links still come)",
}
# How a choice other than "all" reads on the manager's team page, where it warns that
# reminders may not reach the hire.
FEWER_EMAILS = {"digest": "digest only", "checkins": "check-ins only", "none": "no reminders"}
UNSUBSCRIBED = "none"  # what a one-click unsubscribe chooses
# Which kinds each choice lets through is a fact of each kind (tracker/reminders/kinds.py),
# applied at send time by tracker/reminders/delivery.py; account emails always go out.
SALT = "tracker.preferences.v2"  # v1 links (no expiry, no fingerprint) no longer open
EXPIRED = "this link has expired; sign in and choose Email in the menu, or use a newer email"
INVALID = "this link is not valid; check it was copied whole"


def describe(choice: str) -> str:
    return CHOICES.get(choice, choice)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(user: User) -> str:
    return hashlib.sha256(b"preferences:" + user.session_token.encode()).hexdigest()[:16]


def preferences_token(user: User) -> str:
    return _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})


def user_for_token(token: str) -> User:
    """The person a link is for, or InputError saying why it no longer opens."""
    max_age = current_app.config["PREFERENCE_LINK_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise InputError("token", EXPIRED) from None
    except BadSignature:
        raise InputError("token", INVALID) from None
    user = db.session.get(User, user_id) if (user_id := payload_id(data, "user")) else None
    if user is None or not user.active:
        raise InputError("token", INVALID)
    if data.get("fp") != _fingerprint(user):
        raise InputError("token", EXPIRED)
    return user


def set_preference(user: User, choice: str) -> bool:
    """Store ``choice``; returns whether it changed. Audited: managers see a report opted out."""
    if choice not in CHOICES:
        raise InputError("preference", "choose one of the options")
    before = user.notification_preference
    if before == choice:
        return False
    user.notification_preference = choice
    record("preferences.changed", actor=user, target=user,
           before={"preference": before}, after={"preference": choice})
    return True
