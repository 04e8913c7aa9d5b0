"""Accounts: creating people and checking passwords."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.extensions import db
from tracker.models import User, utcnow
from tracker.services.errors import InputError
from tracker.services.plans import check_timezone
from tracker.services.text_rules import EMAIL, PERSON_NAME

# Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user(email: str) -> User | None:
    """The account with this address, or None; an address no account can have (a NUL, which
    PostgreSQL cannot even compare, or one past the column) is simply nobody's."""
    email = normalise_email(email)
    if "\x00" in email or len(email) > 254:
        return None
    return db.session.scalar(sa.select(User).where(User.email == email))


def authenticate(email: str, password: str) -> User | None:
    user = find_user(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    user.last_login_at = utcnow()
    return user


COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "library" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text().splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def check_password_strength(password: str, email: str = "") -> None:
    """Long enough, not one guessers try first, and not built from the person's own address."""
    password = password or ""
    minimum = current_app.config["PASSWORD_MIN_LENGTH"]
    if len(password) < minimum:
        raise InputError("password", f"use at least {minimum} characters")
    if len(set(password)) < 4:
        raise InputError("password", "use more than a few different characters")
    if password.lower() in common_passwords():
        raise InputError("password", "that password is on the lists guessers try first; "
                                     "choose another")
    address = normalise_email(email) if email else ""
    local = address.partition("@")[0]
    if address and (address in password.lower() or (len(local) >= 4 and local in password.lower())):
        raise InputError("password", "do not build the password from your email address")


def check_email(email: str) -> str:
    """An address as it is stored: the text rule for emails (one line, no NUL, fits the
    column), lower case, and with an @ in it. The CLI, the forms and the services all ask here."""
    email = normalise_email(EMAIL.check(email))
    if "@" not in email:
        raise InputError("email", f"{email!r} is not an email address")
    return email


def check_name(name: str) -> str:
    """A person's name is one line (a line break would end up inside email headers): the text
    rule for names, plus no other control character."""
    name = PERSON_NAME.check(name)
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        raise InputError("name", "write the name as one line of text, without control "
                                 "characters")
    return name


def create_user(email: str, name: str, *, password: str | None = None, is_admin: bool = False,
                timezone: str | None = None) -> User:
    email = check_email(email)
    if find_user(email):
        raise InputError("email", f"{email} already has an account")
    user = User(email=email, name=check_name(name) or email, is_admin=is_admin,
                timezone=check_timezone(timezone or current_app.config["DEFAULT_TIMEZONE"]))
    if password is not None:
        check_password_strength(password, email)
        user.set_password(password)
    db.session.add(user)
    return user


def people() -> list[tuple[str, str]]:
    """Everyone who can be a manager or buddy, as (email, name), for the email pickers."""
    rows = db.session.execute(sa.select(User.email, User.name)
                              .where(User.active.is_(True)).order_by(User.name))
    return [(email, name) for email, name in rows]
