"""People. Permissions come from plan relationships plus ``is_admin`` (and ``edits_templates``
for the studio); there is no role column."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy import orm as so
from werkzeug.security import check_password_hash, generate_password_hash

from tracker.models.base import Base, TimestampMixin, UTCDateTime


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    password_hash: so.Mapped[Optional[str]] = so.mapped_column(sa.String(256))
    is_admin: so.Mapped[bool] = so.mapped_column(default=False)
    # HR lets someone shape the role library in the studio without making them an admin.
    edits_templates: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    active: so.Mapped[bool] = so.mapped_column(default=True)
    # Indexed for the sweep's list of zones in use, a probe per zone (reminders/data.py).
    timezone: so.Mapped[str] = so.mapped_column(sa.String(64), default="UTC", index=True)
    # Which emails they want: all, digest (the weekly digest only) or checkins (check-in
    # invitations only). Account emails (the welcome link) go out whatever this says.
    notification_preference: so.Mapped[str] = so.mapped_column(
        sa.String(16), default="all", server_default="all")
    # The generation of this person's sessions and links: rotating it ends every session,
    # set-password link and preference link made before (services/sessions.py).
    session_token: so.Mapped[str] = so.mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    last_login_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    # The OpenID provider's ``sub`` for this person, stored at their first single sign-on so a
    # changed address at the provider still finds this account (services/single_sign_on.py).
    oidc_subject: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255), unique=True)

    def __repr__(self) -> str:
        return f"<User {self.email}>"

    @property
    def is_active(self) -> bool:  # flask-login refuses inactive users at login and load
        return self.active

    # Which server-side session (services/sessions.py) this request is signed in with; the
    # login and remember cookies carry it, never the id. Not a column: set per request.
    sign_in_token = None
    sign_in = None

    def get_id(self) -> str:
        if not self.sign_in_token:
            raise RuntimeError("start a session (services.sessions.start) before login_user")
        return self.sign_in_token

    # Flask-Login compares users by get_id(); one row is one object in the session, and most
    # users on a page have no session of their own, so compare and hash them as objects.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def set_password(self, password: str) -> None:
        """Store a new hash and end every other session, as a password change should."""
        self.password_hash = hash_password(password)
        self.revoke_sessions()

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)

    def revoke_sessions(self) -> None:
        self.session_token = new_session_token()
