"""Conversations about progress: one check-in per milestone and short recurring pulses."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum
from tracker.models.enums import CheckInRating
from tracker.models.plan import PlanMilestone, partial_index
from tracker.models.user import User

# Check-ins signed by one side only, waiting for the other: the overview counts them.
HALF_SIGNED_SQL = ("(hire_signed_at IS NOT NULL AND manager_signed_at IS NULL) OR "
                   "(hire_signed_at IS NULL AND manager_signed_at IS NOT NULL)")


class CheckIn(TimestampMixin, Base):
    __tablename__ = "checkins"
    __table_args__ = (
        partial_index("ix_checkins_half_signed_milestone_id", "milestone_id",
                      where=HALF_SIGNED_SQL),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    milestone_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("plan_milestones.id", ondelete="CASCADE"), unique=True
    )
    self_assessment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    went_well: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    blockers: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Per-goal self-assessment, keyed by plan goal id: {"12": "done, see PR"}.
    goal_notes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    # Who wrote the manager's half and who signed as manager: the plan's manager can change
    # later, and the record must still name the people who actually held this conversation.
    manager_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    manager_signed_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    manager_assessment: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    rating: so.Mapped[Optional[CheckInRating]] = so.mapped_column(
        str_enum(CheckInRating, "checkin_rating")
    )
    next_steps: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    hire_signed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    manager_signed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    milestone: so.Mapped[PlanMilestone] = so.relationship()
    manager: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[manager_id])
    manager_signed_by: so.Mapped[Optional[User]] = so.relationship(
        foreign_keys=[manager_signed_by_id])

    @property
    def is_signed(self) -> bool:
        return self.hire_signed_at is not None and self.manager_signed_at is not None


class PulseCheckIn(TimestampMixin, Base):
    __tablename__ = "pulse_checkins"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "due_on"),
        sa.CheckConstraint("confidence BETWEEN 1 AND 5", name="confidence_range"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    due_on: so.Mapped[date]
    confidence: so.Mapped[int]
    blocker: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
    win: so.Mapped[str] = so.mapped_column(sa.String(500), default="")
