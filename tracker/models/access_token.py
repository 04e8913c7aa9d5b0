"""Personal access tokens: how another system (an HRIS sync, a script) calls the JSON API as a
person, without that person's password or session.

The raw token (``trk_`` and 43 random characters) is shown once, when it is made; only its
SHA-256 is kept, so a copy of the database (or a backup) opens nobody's API. ``prefix`` is its
first few characters, kept in clear so a person can tell their tokens apart on the page and in
logs; it is far too short to guess the rest from. A token is revoked, never deleted, so the
audit log's ``token.*`` events keep pointing at a row.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.user import User


class AccessToken(Base):
    __tablename__ = "access_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(100))  # "HRIS sync": what uses it
    # True: the API lets it read only; False: it may also change what its person may change.
    read_only: so.Mapped[bool] = so.mapped_column(default=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    prefix: so.Mapped[str] = so.mapped_column(sa.String(16))  # "trk_ab12", shown on the page
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # To the minute at best: the API records a use at most once a minute per token.
    last_used_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    user: so.Mapped["User"] = so.relationship()

    @property
    def live(self) -> bool:
        return self.revoked_at is None

    @property
    def access(self) -> str:
        return "read-only" if self.read_only else "read-write"

    def __repr__(self) -> str:
        return f"<AccessToken {self.id} {self.prefix} of user {self.user_id}>"
