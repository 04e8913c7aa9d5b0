"""The role library in the database: templates, their immutable versions, milestones and goals.

A version is never edited after it is loaded; plans pin the version they were made from and
copy its goals, so changing a template never rewrites a running plan.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, str_enum, utcnow
from tracker.models.enums import GoalAction, GoalOwner, LayerType, MilestoneKey, TemplateKind


class RoleTemplate(Base):
    __tablename__ = "role_templates"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    kind: so.Mapped[TemplateKind] = so.mapped_column(
        str_enum(TemplateKind, "template_kind"), default=TemplateKind.ROLE
    )
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    area: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Only layers have one: a team's goals or a working context's (services/layers.py).
    layer_type: so.Mapped[Optional[LayerType]] = so.mapped_column(
        str_enum(LayerType, "layer_type"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    versions: so.Mapped[list["RoleVersion"]] = so.relationship(
        back_populates="template", order_by="RoleVersion.number"
    )

    def __repr__(self) -> str:
        return f"<RoleTemplate {self.slug}>"


class RoleVersion(Base):
    __tablename__ = "role_versions"
    __table_args__ = (sa.UniqueConstraint("template_id", "number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    template_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("role_templates.id"), index=True)
    number: so.Mapped[int]
    # sha256 of the canonical JSON of the file's content: equal hash, nothing to load.
    content_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    source_file: so.Mapped[str] = so.mapped_column(sa.String(255), default="")
    loaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    # What changed and who published it (the studio asks for both; the CLI records neither).
    change_note: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    published_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))

    template: so.Mapped[RoleTemplate] = so.relationship(back_populates="versions")
    published_by = so.relationship("User")
    milestones: so.Mapped[list["MilestoneTemplate"]] = so.relationship(
        back_populates="version", order_by="MilestoneTemplate.position"
    )

    def __repr__(self) -> str:
        return f"<RoleVersion {self.template_id} v{self.number}>"


class MilestoneTemplate(Base):
    __tablename__ = "milestone_templates"
    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    version_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("role_versions.id"), index=True)
    key: so.Mapped[MilestoneKey] = so.mapped_column(str_enum(MilestoneKey, "milestone_key"))
    title: so.Mapped[str] = so.mapped_column(sa.String(160), default="")
    position: so.Mapped[int] = so.mapped_column(default=0)

    version: so.Mapped[RoleVersion] = so.relationship(back_populates="milestones")
    goals: so.Mapped[list["GoalTemplate"]] = so.relationship(
        back_populates="milestone", order_by="GoalTemplate.position"
    )


class GoalTemplate(Base):
    __tablename__ = "goal_templates"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    milestone_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("milestone_templates.id"), index=True
    )
    # Stable through rewording and moves (services/goal_keys.py): compare, adopt, report.
    key: so.Mapped[str] = so.mapped_column(sa.String(48))
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    description: so.Mapped[str] = so.mapped_column(sa.Text)
    owner: so.Mapped[GoalOwner] = so.mapped_column(str_enum(GoalOwner, "goal_owner"))
    evidence_required: so.Mapped[bool] = so.mapped_column(default=True)
    evidence_hint: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    target: so.Mapped[Optional[str]] = so.mapped_column(sa.String(200))  # a measurable outcome
    position: so.Mapped[int] = so.mapped_column(default=0)
    # Layers replace or drop a lower template's goal by key; roles and the baseline only add.
    action: so.Mapped[GoalAction] = so.mapped_column(
        str_enum(GoalAction, "goal_action"), default=GoalAction.ADD, server_default="add")

    milestone: so.Mapped[MilestoneTemplate] = so.relationship(back_populates="goals")
