"""A person's chat settings: where their chat messages go, and which reminders go there.

One row per person, made the first time they choose anything about chat; without one, every
reminder goes by email as before. ``channels`` maps a reminder kind to "email", "chat" or
"both"; a kind not in it is "email". The incoming-webhook address (Microsoft Teams, or any chat
that takes one) is the person's own; a Slack bot is the site's (``SLACK_BOT_TOKEN``), and the
Slack user it found for this person's email is kept with that email, so a changed email is
looked up again rather than sent to whoever had the old one.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from tracker.models.user import User

WEBHOOK_URL_LENGTH = 1000  # a Teams Workflows address with its signature runs to ~400


class ChatSettings(Base):
    __tablename__ = "chat_settings"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    channels: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    webhook_url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(WEBHOOK_URL_LENGTH))
    slack_user_id: so.Mapped[Optional[str]] = so.mapped_column(sa.String(40))
    slack_email: so.Mapped[Optional[str]] = so.mapped_column(sa.String(254))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow,
                                                       onupdate=utcnow)

    user: so.Mapped["User"] = so.relationship()
