"""A template being edited in the studio: one draft per template, saved as the editor types.

The draft holds the whole document in the YAML shape (``roles export`` writes the same), so the
studio checks it with the rules of ``roles validate`` and publishing loads it exactly as a file
would be loaded. ``revision`` goes up with every save; a save that names an older revision was
made on a page that no longer shows the draft, and is refused rather than silently winning.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.models.base import Base, UTCDateTime, str_enum, utcnow
from tracker.models.enums import TemplateKind


class TemplateDraft(Base):
    __tablename__ = "template_drafts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # The slug the template has or will have: a new role has no template row until published.
    slug: so.Mapped[str] = so.mapped_column(sa.String(80), unique=True)
    kind: so.Mapped[TemplateKind] = so.mapped_column(str_enum(TemplateKind, "template_kind"))
    # The version the draft started from; None for a role started from scratch or a catalogue
    # entry. Publishing over a newer version than this says so instead of losing that version.
    based_on_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("role_versions.id"))
    content: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    revision: so.Mapped[int] = so.mapped_column(default=1)
    updated_by_id: so.Mapped[Optional[int]] = so.mapped_column(sa.ForeignKey("users.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow,
                                                       onupdate=utcnow)

    updated_by = so.relationship("User")
    based_on = so.relationship("RoleVersion")

    def __repr__(self) -> str:
        return f"<TemplateDraft {self.slug} r{self.revision}>"
