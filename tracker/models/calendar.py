"""A person's calendar address: the secret in a feed URL that calendar apps poll without signing in.

Only the token's SHA-256 is kept, so a leaked database (or a backup) subscribes nobody to
anyone's calendar. One row per person: making a new address replaces the hash, which is what
revokes the old URL; turning the feed off deletes the row.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.user import User


class CalendarFeed(Base):
    __tablename__ = "calendar_feeds"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # When a calendar app last fetched the feed, to the hour: the page shows whether the
    # subscription is alive, without a write on every poll.
    last_used_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    user: so.Mapped["User"] = so.relationship()
