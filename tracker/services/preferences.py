"""Which emails a person wants, and the signed link in every email that lets them choose.

The link carries the user's id signed with the app's secret, so someone can change their email
preferences straight from a message without signing in; it can do nothing else. The choice is
applied when a message is about to be sent, so changing it stops what is already queued too.
"""
from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from tracker.extensions import db
from tracker.models import User
from tracker.services.audit import record
from tracker.services.errors import InputError

CHOICES = {
    "all": "Everything: reminders, check-in invitations and, for managers, the weekly digest",
    "digest": "Only the weekly team digest (managers)",
    "checkins": "Only check-in invitations",
}
# How a choice other than "all" reads on the manager's team page, where it warns that
# reminders may not reach the hire.
FEWER_EMAILS = {"digest": "digest only", "checkins": "check-ins only"}
# Which kinds each choice lets through is a fact of each kind (tracker/reminders/kinds.py),
# applied at send time by tracker/reminders/delivery.py; account emails always go out.
SALT = "tracker.preferences"


def describe(choice: str) -> str:
    return CHOICES.get(choice, choice)


def preferences_token(user: User) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(user.id)


def user_for_token(token: str) -> User:
    try:
        user_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except BadSignature:
        raise InputError("token", "this link is not valid; check it was copied whole") from None
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        raise InputError("token", "this link is not valid; check it was copied whole")
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
