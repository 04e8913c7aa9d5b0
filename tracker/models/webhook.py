"""Outgoing webhooks: the addresses admins registered, and one row per delivery owed to them.

A delivery is an outbox row of its own kind. It carries the same columns the mail outbox's
claim works on (``status``, ``send_after``, ``lease_until``, ``attempts``), so one claim, with
its leases and SKIP LOCKED, serves both tables (tracker/jobs/claim.py), and its unique
``dedupe_key`` (event, occurrence, endpoint) makes enqueueing exactly-once. It is a table of
its own rather than more ``notifications`` rows because a delivery has no recipient person and
keeps what the receiver answered, which the delivery log shows.

The secret is kept as it was given out: signing needs it. It is shown once, when the endpoint
is made; after that the pages only say that it exists.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from tracker.models.enums import NotificationStatus

if TYPE_CHECKING:
    from tracker.models.user import User

SNIPPET_LENGTH = 500  # how much of the receiver's answer the log keeps


class WebhookEndpoint(TimestampMixin, Base):
    __tablename__ = "webhook_endpoints"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    events: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # event names, sorted
    secret: so.Mapped[str] = so.mapped_column(sa.String(64))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    created_by_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    created_by: so.Mapped[Optional["User"]] = so.relationship()
    deliveries: so.Mapped[list["WebhookDelivery"]] = so.relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True)

    def wants(self, event: str) -> bool:
        return self.active and event in self.events


class WebhookDelivery(Base):
    """One event owed to one endpoint, and what its receiver last answered."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        sa.Index("ix_webhook_deliveries_status_send_after", "status", "send_after"),
        sa.Index("ix_webhook_deliveries_endpoint_id_created_at", "endpoint_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    endpoint_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event: so.Mapped[str] = so.mapped_column(sa.String(40))
    dedupe_key: so.Mapped[str] = so.mapped_column(sa.String(255), unique=True)
    payload: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    status: so.Mapped[NotificationStatus] = so.mapped_column(
        str_enum(NotificationStatus, "webhook_delivery_status"),
        default=NotificationStatus.PENDING)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    send_after: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    lease_until: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    response_status: so.Mapped[Optional[int]]  # the receiver's last HTTP status, if it answered
    response_body: so.Mapped[Optional[str]] = so.mapped_column(sa.String(SNIPPET_LENGTH))
    last_error: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    skip_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    sent_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    endpoint: so.Mapped[WebhookEndpoint] = so.relationship(back_populates="deliveries")

    @property
    def will_try_again(self) -> bool:
        """Waiting for its first try or a retry: the log shows when the next one is."""
        return self.status in (NotificationStatus.PENDING, NotificationStatus.FAILED)

    @property
    def error_to_show(self) -> str | None:
        """The last error, unless a later try delivered it after all."""
        return self.last_error if self.status != NotificationStatus.SENT else None
