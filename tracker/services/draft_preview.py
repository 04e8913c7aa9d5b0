"""A studio draft as a version that is never saved, so the merged-plan preview can show what a
role's plan would hold before the draft is published.

The objects are built exactly as ``roles load`` builds a version (``add_milestones``) but are
never added to the session: previewing writes nothing, and a later publish is unaffected.
"""
from __future__ import annotations

from tracker.formatting import plural
from tracker.models import RoleTemplate, RoleVersion, TemplateKind
from tracker.services.drafts import draft_for, file_name
from tracker.services.errors import InputError
from tracker.services.role_rules import check_document
from tracker.services.role_versions import add_milestones


def draft_version(slug: str) -> RoleVersion:
    """The open draft of role ``slug`` as an unsaved version (``id`` None, number 0); refused
    while there is no such draft or it still has problems (the editor lists them)."""
    draft = draft_for(slug or "")
    if draft is None or draft.kind != TemplateKind.ROLE:
        raise InputError("draft", f"{slug[:80]!r} has no open draft of a role; untick "
                                  "“Use the open draft” or start one in the studio")
    document, problems = check_document(draft.content, draft.kind.value, file_name(draft))
    if problems:
        raise InputError("draft", f"the draft of {slug} has {plural(len(problems), 'problem')}; "
                                  "fix them in the editor, then preview it")
    data = document.data
    template = RoleTemplate(slug=draft.slug, kind=draft.kind, name=data["name"],
                            area=data.get("area", ""), summary=data["summary"])
    version = RoleVersion(template=template, number=0, content_hash=document.content_hash)
    add_milestones(version, data)
    return version
