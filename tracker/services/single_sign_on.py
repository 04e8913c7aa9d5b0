"""Which account a person signed in by the OpenID provider may use: one HR already made.

Signing in never creates an account. HR makes people (and their plans and roles) here; the
provider only vouches for who is at the keyboard. The provider's word is taken for an address
only when it says the address is verified: otherwise anyone able to type a colleague's address
into their profile at the provider would become that colleague here.

The first successful sign-in links the account to the provider's ``sub`` (its stable id for
the person); from then on the link wins over the address, so a renamed mailbox still finds the
same account. An account already linked to another ``sub`` is refused rather than re-linked:
that is a different person at the provider now holding this address, and HR should look.
"""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import Plan, User, utcnow
from tracker.services import audit
from tracker.services.accounts import find_user

ASK_HR = "Ask HR to check the address on your account."


class Refused(Exception):
    """The provider's answer names nobody who may sign in here; ``reason`` says why, plainly."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _verified(claims: dict[str, Any]) -> bool:
    # Some providers send the JSON string "true" rather than the boolean; nothing else counts.
    return claims.get("email_verified") in (True, "true")


def account_for(claims: dict[str, Any]) -> User:
    """The active account these checked ID-token claims belong to, or Refused."""
    subject, email = claims.get("sub"), claims.get("email")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise Refused("The sign-in service did not say who you are.")
    if not isinstance(email, str) or not email:
        raise Refused("The sign-in service did not share your email address, so we cannot "
                      f"find your account. {ASK_HR}")
    if not _verified(claims):
        raise Refused(f"The sign-in service has not verified your address {email}, so it "
                      "cannot be used to sign in here. Verify it there first, or ask HR.")
    user = db.session.scalar(sa.select(User).where(User.oidc_subject == subject))
    if user is None:
        user = find_user(email)
        if user is None:
            raise Refused(f"There is no account here for {email}. Accounts are made by HR "
                          "when your onboarding plan is set up: ask HR to add you.")
        if user.oidc_subject not in (None, subject):
            raise Refused(f"The account for {email} is linked to another sign-in. {ASK_HR}")
    if not user.is_active:
        raise Refused(f"The account for {user.email} is switched off. Ask HR if you still "
                      "need it.")
    if not has_a_place(user):
        raise Refused(f"The account for {user.email} is on no onboarding plan and has no role "
                      f"here, so there is nothing to sign in to. {ASK_HR}")
    return user


def has_a_place(user: User) -> bool:
    """Someone with a plan (as hire, manager or buddy, now or before) or a role here (HR, an
    admin, a template editor): the only people single sign-on lets in."""
    if user.is_admin or user.edits_templates:
        return True
    return bool(db.session.scalar(sa.select(sa.exists().where(sa.or_(
        Plan.hire_id == user.id, Plan.manager_id == user.id, Plan.buddy_id == user.id)))))


def signed_in(user: User, subject: str) -> None:
    """Note the sign-in on the account, and link the provider's ``sub`` the first time."""
    if user.oidc_subject is None:
        user.oidc_subject = subject
        audit.record("user.sso_linked", actor=user, target=user, after={"subject": subject})
    user.last_login_at = utcnow()
