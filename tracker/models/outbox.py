"""The notification outbox, the sweep's problems and the audit trail: tables the scheduler
writes and the pages read."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from tracker.models.enums import Channel, NotificationStatus

if TYPE_CHECKING:
    from tracker.models.plan import Plan
    from tracker.models.user import User


class Notification(TimestampMixin, Base):
    """One message that should go out; the unique dedupe key makes every sweep idempotent.

    A message someone gets in chat as well as by email is two rows, one per ``channel``; the
    chat row's key is the email row's plus ``:chat`` (tracker/reminders/channels.py), so the
    one unique key still says "sent once" for each channel."""

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_status_send_after", "status", "send_after"),
                      # the sweep's "keys already queued in this window" (reminders/data.py)
                      sa.Index("ix_notifications_send_after", "send_after"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40))
    recipient_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    plan_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("plans.id", ondelete="CASCADE"), index=True
    )
    payload: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    channel: so.Mapped[Channel] = so.mapped_column(
        str_enum(Channel, "notification_channel"), default=Channel.EMAIL,
        server_default=Channel.EMAIL.value)
    status: so.Mapped[NotificationStatus] = so.mapped_column(
        str_enum(NotificationStatus, "notification_status"), default=NotificationStatus.PENDING
    )
    send_after: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    lease_until: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    skip_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    recipient: so.Mapped["User"] = so.relationship()
    plan: so.Mapped[Optional["Plan"]] = so.relationship()


class SweepProblem(Base):
    """A plan the sweep could not work out, kept so HR sees it on the outbox page and can fix it.

    One row per plan, not per sweep: a plan that fails every few minutes updates its row (how
    many times, the latest error) instead of filling the table, and the first sweep that no
    longer fails on it sets ``resolved_at``. The error is short plain words for HR, with the
    exception's own text for whoever fixes the code; the log has the traceback.
    """

    __tablename__ = "sweep_problems"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("plans.id", ondelete="CASCADE"), unique=True
    )
    error: so.Mapped[str] = so.mapped_column(sa.String(500))
    failures: so.Mapped[int] = so.mapped_column(default=1)
    first_failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    last_failed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    resolved_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    plan: so.Mapped["Plan"] = so.relationship()


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (sa.Index("ix_audit_events_plan_id_created_at", "plan_id", "created_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("plans.id", ondelete="CASCADE")
    )
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    action: so.Mapped[str] = so.mapped_column(sa.String(60))
    target_type: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    target_id: so.Mapped[Optional[int]]
    before: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    after: so.Mapped[Optional[dict]] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
