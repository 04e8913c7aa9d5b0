"""What sign-in keeps on the server: each open session, recent failures, password-reset links.

Each of these is a secret the server must be able to take back. A signed cookie alone cannot be
taken back (anyone holding a copy stays in until it expires), so the cookie carries a random
token whose hash is a row here: signing out deletes the row, and the copy stops working too.
Tokens are stored hashed, so a leaked database opens nobody's account.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.user import User


class SignIn(Base):
    """One signed-in browser. ``generation`` ties it to the user's session token, so rotating
    that token (a new password, "sign out everywhere", a new set-password link) ends it too."""

    __tablename__ = "sign_ins"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    generation: so.Mapped[str] = so.mapped_column(sa.String(64))
    remember: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), index=True)

    user: so.Mapped["User"] = so.relationship()


class ThrottleEvent(Base):
    """One counted attempt (a failed sign-in, a reset request) under a keyed hash of what it
    was counted against: an account's email or a client address, never stored in the clear."""

    __tablename__ = "throttle_events"
    __table_args__ = (sa.Index("ix_throttle_events_key_occurred", "key_hash", "occurred_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    occurred_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow,
                                                        index=True)


class PasswordReset(Base):
    """A "forgot my password" link: single use, short-lived, and only its hash is kept."""

    __tablename__ = "password_resets"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    expires_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    used_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    user: so.Mapped["User"] = so.relationship()
