"""What the template studio shows: every template, its versions, and the plans that use them.

Reads only; a fixed number of queries per page whatever the size of the library or the number
of plans (counts are grouped in SQL, never by loading plans).
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    MilestoneTemplate,
    Plan,
    PlanLayer,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
    TemplateDraft,
    TemplateKind,
)


@dataclass(frozen=True)
class VersionRow:
    version: RoleVersion
    active_plans: int


@dataclass(frozen=True)
class TemplateRow:
    template: RoleTemplate
    versions: list[VersionRow]
    draft: TemplateDraft | None = None

    @property
    def latest(self) -> RoleVersion:
        return self.versions[-1].version

    @property
    def is_baseline(self) -> bool:
        """The company baseline, merged into every plan, rather than one role."""
        return self.template.kind == TemplateKind.BASELINE

    @property
    def is_layer(self) -> bool:
        """An optional team or context layer, merged on top of a role when HR picks it."""
        return self.template.kind == TemplateKind.LAYER

    @property
    def active_plans(self) -> int:
        return sum(row.active_plans for row in self.versions)


def _plans_per_version() -> dict[int, int]:
    """Active plans per version: a role version through the plan's role, a baseline version
    through the baseline it merged, a layer version through the plan's layers."""
    counts: dict[int, int] = {}
    queries = [sa.select(column, sa.func.count()).where(Plan.status == PlanStatus.ACTIVE,
                                                        column.is_not(None)).group_by(column)
               for column in (Plan.role_version_id, Plan.baseline_version_id)]
    queries.append(sa.select(PlanLayer.version_id, sa.func.count()).join(Plan)
                   .where(Plan.status == PlanStatus.ACTIVE).group_by(PlanLayer.version_id))
    for query in queries:
        for version_id, n in db.session.execute(query).all():
            counts[version_id] = counts.get(version_id, 0) + n
    return counts


def library_rows() -> list[TemplateRow]:
    """Every template with every version (oldest first): the baseline first, then roles, then
    layers, each by name."""
    counts = _plans_per_version()
    versions = db.session.scalars(
        sa.select(RoleVersion).join(RoleTemplate)
        .options(so.contains_eager(RoleVersion.template), so.joinedload(RoleVersion.published_by))
        .order_by(RoleTemplate.kind, RoleTemplate.name, RoleVersion.number)).all()
    drafts = {d.slug: d for d in open_drafts()}
    rows: dict[int, TemplateRow] = {}
    for version in versions:
        row = rows.setdefault(version.template_id, TemplateRow(
            version.template, [], drafts.get(version.template.slug)))
        row.versions.append(VersionRow(version, counts.get(version.id, 0)))
    return sorted(rows.values(),
                  key=lambda r: (not r.is_baseline, r.is_layer, r.template.name))


def open_drafts() -> list[TemplateDraft]:
    """Every draft being written, with who saved it last, in one query."""
    return db.session.scalars(sa.select(TemplateDraft).options(
        so.joinedload(TemplateDraft.updated_by)).order_by(TemplateDraft.slug)).all()


def new_role_drafts() -> list[TemplateDraft]:
    """Drafts of roles never published: the library lists them apart, as not yet usable."""
    published = set(db.session.scalars(sa.select(RoleTemplate.slug)))
    return [draft for draft in open_drafts() if draft.slug not in published]


def template_row(slug: str) -> TemplateRow | None:
    return next((row for row in library_rows() if row.template.slug == slug), None)


def with_goals(version: RoleVersion) -> RoleVersion:
    """The version with its milestones and goals loaded in one more query."""
    return db.session.scalars(
        sa.select(RoleVersion).where(RoleVersion.id == version.id)
        .options(so.selectinload(RoleVersion.milestones).selectinload(MilestoneTemplate.goals))
    ).one()
