"""A hire's plan: milestones with due dates, the goals copied into it, and their evidence."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, TimestampMixin, UTCDateTime, str_enum, utcnow
from tracker.models.enums import (
    EvidenceKind,
    EvidenceStatus,
    GoalOwner,
    GoalSource,
    GoalStatus,
    MilestoneKey,
    PlanStatus,
)
from tracker.models.role import GoalTemplate, RoleVersion
from tracker.models.user import User


class Plan(TimestampMixin, Base):
    __tablename__ = "plans"
    __table_args__ = (
        sa.CheckConstraint("hire_id <> manager_id", name="hire_is_not_own_manager"),
        sa.Index("ix_plans_status_start_date", "status", "start_date"),
        sa.Index("ix_plans_status_next_reminder_at", "status", "next_reminder_at"),
        sa.Index("ix_plans_facts_until", "facts_until"),
        sa.Index("ix_plans_start_date", "start_date"),  # the first and last start quarter
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    hire_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    manager_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    buddy_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    role_version_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("role_versions.id"), index=True
    )
    # None: the company baseline was switched off for this plan.
    baseline_version_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("role_versions.id")
    )
    start_date: so.Mapped[date]
    status: so.Mapped[PlanStatus] = so.mapped_column(
        str_enum(PlanStatus, "plan_status"), default=PlanStatus.ACTIVE
    )
    # The rule the dates were computed with, so a later recompute keeps the plan's convention.
    weekend_rule: so.Mapped[str] = so.mapped_column(sa.String(16), default="next")
    # Pulse check-in cadence in days for the first 90 days and after them.
    pulse_days_early: so.Mapped[int] = so.mapped_column(default=7)
    pulse_days_late: so.Mapped[int] = so.mapped_column(default=30)
    # The earliest instant a reminder of this plan's own road (milestones, check-ins, overdue
    # goals, pulses) can next be due; None: work it out at the next sweep. The sweep reads only
    # plans whose time has come (tracker/reminders/next_due.py), and any change that moves a
    # date or a state clears it (tracker/models/sweep_marks.py).
    next_reminder_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())
    # The first day this plan's report facts change by time alone (a milestone with open goals
    # falls due); None: work them out again (services/rollup.py, models/fact_marks.py).
    facts_until: so.Mapped[Optional[date]]

    hire: so.Mapped[User] = so.relationship(foreign_keys=[hire_id])
    manager: so.Mapped[User] = so.relationship(foreign_keys=[manager_id])
    buddy: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[buddy_id])
    role_version: so.Mapped[RoleVersion] = so.relationship(foreign_keys=[role_version_id])
    baseline_version: so.Mapped[Optional[RoleVersion]] = so.relationship(
        foreign_keys=[baseline_version_id]
    )
    milestones: so.Mapped[list["PlanMilestone"]] = so.relationship(
        back_populates="plan", order_by="PlanMilestone.position", cascade="all, delete-orphan"
    )
    layers: so.Mapped[list["PlanLayer"]] = so.relationship(
        back_populates="plan", order_by="PlanLayer.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Plan {self.id} hire={self.hire_id}>"


class PlanLayer(Base):
    """A layer version the plan was made from, in merge order (a later one wins by key)."""

    __tablename__ = "plan_layers"
    __table_args__ = (sa.UniqueConstraint("plan_id", "position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    position: so.Mapped[int]
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("role_versions.id"), index=True)

    plan: so.Mapped[Plan] = so.relationship(back_populates="layers")
    version: so.Mapped[RoleVersion] = so.relationship()


class PlanMilestone(Base):
    __tablename__ = "plan_milestones"
    __table_args__ = (
        sa.UniqueConstraint("plan_id", "key"),
        sa.Index("ix_plan_milestones_due_date", "due_date"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    key: so.Mapped[MilestoneKey] = so.mapped_column(str_enum(MilestoneKey, "milestone_key"))
    title: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)
    due_date: so.Mapped[date]
    # Set when someone moved the date by hand; a start-date change then leaves it alone.
    due_date_override_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    # How often, and when last, the due date moved after the plan was made: a calendar feed's
    # SEQUENCE and LAST-MODIFIED, so a subscribed calendar knows the entry it has is older.
    due_date_revision: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    due_date_changed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    plan: so.Mapped[Plan] = so.relationship(back_populates="milestones")
    goals: so.Mapped[list["PlanGoal"]] = so.relationship(
        back_populates="milestone", order_by="PlanGoal.position", cascade="all, delete-orphan"
    )

    @property
    def is_overridden(self) -> bool:
        return self.due_date_override_reason is not None

    @so.validates("due_date")
    def _count_moves(self, _key: str, due: date) -> date:
        """Every path that moves a saved date (a new start date, a hand override, a script)
        counts here, so none can forget to; the first date a new milestone gets is no move."""
        if sa.inspect(self).persistent and due != self.due_date:
            self.due_date_revision = (self.due_date_revision or 0) + 1
            self.due_date_changed_at = utcnow()
        return due


# Partial indexes for the overview's counts (services/overview.py): the goals still to do and
# the goals waiting for review, by milestone. At 100,000 hires each count otherwise reads every
# goal; these hold the few that count. The predicates are written as the queries write them,
# so PostgreSQL can prove a query's WHERE implies them.
UNFINISHED_GOAL_SQL = "status NOT IN ('approved', 'done', 'waived', 'retired')"
SUBMITTED_GOAL_SQL = "status = 'submitted'"


def partial_index(name: str, *columns: str, where: str) -> sa.Index:
    return sa.Index(name, *columns, postgresql_where=sa.text(where),
                    sqlite_where=sa.text(where))


class PlanGoal(TimestampMixin, Base):
    __tablename__ = "plan_goals"
    __table_args__ = (
        sa.Index("ix_plan_goals_plan_id_status", "plan_id", "status"),
        partial_index("ix_plan_goals_unfinished_milestone_id", "milestone_id",
                      where=UNFINISHED_GOAL_SQL),
        partial_index("ix_plan_goals_submitted_milestone_id", "milestone_id",
                      where=SUBMITTED_GOAL_SQL),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("plans.id", ondelete="CASCADE"))
    milestone_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("plan_milestones.id", ondelete="CASCADE"), index=True
    )
    template_goal_id: so.Mapped[Optional[int]] = so.mapped_column(
        sa.ForeignKey("goal_templates.id")
    )
    source: so.Mapped[GoalSource] = so.mapped_column(
        str_enum(GoalSource, "goal_source"), default=GoalSource.ROLE
    )
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    owner: so.Mapped[GoalOwner] = so.mapped_column(str_enum(GoalOwner, "goal_owner"))
    evidence_required: so.Mapped[bool] = so.mapped_column(default=True)
    evidence_hint: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    target: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))  # from the template
    position: so.Mapped[int] = so.mapped_column(default=0)
    status: so.Mapped[GoalStatus] = so.mapped_column(
        str_enum(GoalStatus, "goal_status"), default=GoalStatus.OPEN
    )
    waived_reason: so.Mapped[Optional[str]] = so.mapped_column(sa.String(500))
    finished_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    plan: so.Mapped[Plan] = so.relationship()
    milestone: so.Mapped[PlanMilestone] = so.relationship(back_populates="goals")
    template_goal: so.Mapped[Optional[GoalTemplate]] = so.relationship()
    evidence: so.Mapped[list["Evidence"]] = so.relationship(
        back_populates="goal", order_by="Evidence.created_at", cascade="all, delete-orphan"
    )


class Evidence(TimestampMixin, Base):
    """One piece of evidence; rows are never deleted, a withdrawal is a status."""

    __tablename__ = "evidence"
    # Evidence waiting for review, oldest first per goal: the review queue and the sweep's
    # "reviews waiting" read it by status, which would otherwise scan every piece.
    __table_args__ = (sa.Index("ix_evidence_status_goal_id", "status", "goal_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    goal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("plan_goals.id", ondelete="CASCADE"), index=True
    )
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    kind: so.Mapped[EvidenceKind] = so.mapped_column(str_enum(EvidenceKind, "evidence_kind"))
    status: so.Mapped[EvidenceStatus] = so.mapped_column(
        str_enum(EvidenceStatus, "evidence_status"), default=EvidenceStatus.SUBMITTED
    )
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")  # Markdown, sanitised on render
    url: so.Mapped[Optional[str]] = so.mapped_column(sa.String(2048))
    file_name: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255))
    file_key: so.Mapped[Optional[str]] = so.mapped_column(sa.String(255), unique=True)
    file_type: so.Mapped[Optional[str]] = so.mapped_column(sa.String(127))
    file_size: so.Mapped[Optional[int]]
    reviewer_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"),
                                                              index=True)
    review_comment: so.Mapped[Optional[str]] = so.mapped_column(sa.Text)
    reviewed_at: so.Mapped[Optional[datetime]] = so.mapped_column(UTCDateTime())

    goal: so.Mapped[PlanGoal] = so.relationship(back_populates="evidence")
    author: so.Mapped[User] = so.relationship(foreign_keys=[author_id])
    reviewer: so.Mapped[Optional[User]] = so.relationship(foreign_keys=[reviewer_id])
