"""Signing in with a password, throttled per account and per client address.

Both counts are checked before the password is, so while an account is at its limit even the
right password is refused: otherwise guessing would simply go on at full speed. Only failures
count, and a successful sign-in clears its account's count.
"""
from __future__ import annotations

from tracker.models import User
from tracker.services import throttle
from tracker.services.accounts import authenticate, normalise_email
from tracker.services.errors import InputError

WRONG = "That email and password do not match an active account."


def limits() -> tuple[throttle.Limit, throttle.Limit]:
    return (throttle.limit_from_config("sign-in-account", "SIGN_IN_ACCOUNT"),
            throttle.limit_from_config("sign-in-address", "SIGN_IN_ADDRESS"))


def sign_in_with_password(email: str, password: str, address: str) -> User:
    """The user, or InputError (wrong) or throttle.Throttled (too many wrong lately)."""
    account, by_address = limits()
    keys = ((account, normalise_email(email)), (by_address, address or "unknown"))
    throttle.check(*keys)
    user = authenticate(email, password)
    if user is None:
        throttle.count(*keys)
        raise InputError("password", WRONG)
    throttle.forget(account, normalise_email(email))
    return user
