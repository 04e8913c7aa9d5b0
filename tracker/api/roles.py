"""The role library, read-only: templates, their versions, and each version's goals.

Everyone signed in may read it (the pages show the same goals on every plan); changing it stays
in the studio, where drafts, checks and change notes keep the library sound.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.api import answers, bp, spec
from tracker.api.errors import ApiError
from tracker.api.schemas import (
    GoalTemplateOut,
    MilestoneTemplateOut,
    RoleDetail,
    RoleList,
    RoleSummary,
    RoleVersionOut,
    VersionSummary,
)
from tracker.extensions import db
from tracker.models import MilestoneTemplate, RoleTemplate, RoleVersion
from tracker.services.role_versions import templates_overview
from tracker.services.text import storable


def _summary(template: RoleTemplate, latest: int | None) -> dict:
    return dict(slug=template.slug, name=template.name, kind=template.kind.value,
                area=template.area, summary=template.summary, latest_version=latest)


def _template(slug: str) -> RoleTemplate:
    template = db.session.scalar(
        sa.select(RoleTemplate).where(RoleTemplate.slug == slug)
        .options(so.selectinload(RoleTemplate.versions))) if storable(slug) else None
    if template is None:
        raise ApiError(404, f"There is no role '{slug[:80]}' in the library.")
    return template


@bp.get("/roles")
@spec.validate(resp=answers(errors=(), HTTP_200=RoleList), tags=["roles"])
def list_roles():
    """Every role, the company baseline and every layer, with its latest version number."""
    return RoleList(items=[RoleSummary(**_summary(template, version.number))
                           for template, version, _goals in templates_overview()])


@bp.get("/roles/<slug>")
@spec.validate(resp=answers(HTTP_200=RoleDetail), tags=["roles"])
def show_role(slug: str):
    """One template and the list of its versions, oldest first."""
    template = _template(slug)
    versions = sorted(template.versions, key=lambda v: v.number)
    return RoleDetail(**_summary(template, versions[-1].number if versions else None),
                      versions=[VersionSummary(number=v.number, loaded_at=v.loaded_at,
                                               change_note=v.change_note) for v in versions])


@bp.get("/roles/<slug>/versions/<int:number>")
@spec.validate(resp=answers(HTTP_200=RoleVersionOut), tags=["roles"])
def show_version(slug: str, number: int):
    """One version's milestones and goals, exactly as plans made from it copied them."""
    template = _template(slug)
    version = db.session.scalar(
        sa.select(RoleVersion).where(RoleVersion.template_id == template.id,
                                     RoleVersion.number == number)
        .options(so.selectinload(RoleVersion.milestones)
                 .selectinload(MilestoneTemplate.goals)))
    if version is None:
        raise ApiError(404, f"Role '{slug}' has no version {number}.")
    milestones = [MilestoneTemplateOut(
        key=m.key.value, title=m.title,
        goals=[GoalTemplateOut(key=g.key, action=g.action.value, title=g.title,
                               description=g.description, owner=g.owner.value,
                               evidence_required=g.evidence_required,
                               evidence_hint=g.evidence_hint, target=g.target)
               for g in m.goals]) for m in version.milestones]
    return RoleVersionOut(slug=template.slug, number=version.number,
                          loaded_at=version.loaded_at, change_note=version.change_note,
                          milestones=milestones)
