"""What a plan's manager or HR decided about each change a newer template version brings.

One row per goal key, per source (role or baseline) and per template version the decision was
about. "Pending" is computed, never stored: the differences between the plan and the latest
version that have no row here. A decline therefore holds only for the version it was about;
when a newer version changes that goal again, the question comes back.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, str_enum, utcnow
from tracker.models.enums import AdoptionDecision, GoalSource


class PlanAdoption(Base):
    __tablename__ = "plan_adoptions"
    # Decided once: a second click (or a second person at the same moment) cannot decide again.
    __table_args__ = (sa.UniqueConstraint("plan_id", "source", "key", "version_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"),
                                               index=True)
    key: so.Mapped[str] = so.mapped_column(sa.String(48))
    source: so.Mapped[GoalSource] = so.mapped_column(str_enum(GoalSource, "goal_source"))
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("role_versions.id"))
    decision: so.Mapped[AdoptionDecision] = so.mapped_column(
        str_enum(AdoptionDecision, "adoption_decision"))
    actor_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
