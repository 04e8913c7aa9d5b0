"""Studio drafts in the database: start one, save each change, check it, publish it.

Every save names the revision the editor's page was showing. A save on an older revision is
refused (``DraftChanged``, a 409) instead of quietly overwriting what someone else saved since:
two people editing one template see each other's work before they change it again.
"""
from __future__ import annotations

import copy
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import RoleTemplate, RoleVersion, TemplateDraft, TemplateKind, User
from tracker.services import audit
from tracker.services.draft_content import empty_document
from tracker.services.errors import InputError
from tracker.services.role_rules import Problem, check_document
from tracker.services.role_versions import latest_version, load_document, version_as_document
from tracker.services.text import storable

# Addresses the studio uses for its own pages, so no template may take them as its slug.
RESERVED_SLUGS = frozenset({"new", "editors", "files"})
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
GOAL_PLACE = re.compile(r"^milestones\.(?P<milestone>\w+)\.goals\[(?P<index>\d+)\]\.?(?P<rest>.*)$")
MILESTONE_PLACE = re.compile(r"^milestones\.(?P<milestone>\w+)\.?(?P<rest>.*)$")


class DraftChanged(InputError):
    """The page was showing an older revision than the one saved now."""


def draft_for(slug: str) -> TemplateDraft | None:
    if not storable(slug):
        return None
    return db.session.scalar(sa.select(TemplateDraft).where(TemplateDraft.slug == slug))


def start_from(version: RoleVersion, by: User) -> TemplateDraft:
    """Edit the template of ``version``: its draft if one is open, else a copy of ``version``."""
    draft = draft_for(version.template.slug)
    if draft is None:
        draft = TemplateDraft(slug=version.template.slug, kind=version.template.kind,
                              based_on=version, content=version_as_document(version),
                              updated_by=by)
        db.session.add(draft)
        db.session.flush()
    return draft


def check_new_slug(slug: str) -> str:
    slug = (slug or "").strip()
    if not SLUG.match(slug) or len(slug) > 80:
        raise InputError("slug", "use lower-case words joined by hyphens, at most 80 "
                                 "characters, like 'data-engineer'")
    if slug in RESERVED_SLUGS:
        raise InputError("slug", f"{slug!r} names a studio page; choose another short name")
    if db.session.scalar(sa.select(sa.exists().where(RoleTemplate.slug == slug))):
        raise InputError("slug", f"a template called {slug!r} exists already; open it in the "
                                 "studio to edit it")
    if draft_for(slug):
        raise InputError("slug", f"a draft called {slug!r} is being written already")
    return slug


def start_new(slug: str, name: str, area: str, summary: str, by: User,
              copy_of: RoleVersion | None = None) -> TemplateDraft:
    """A role that does not exist yet: empty, or the goals of ``copy_of`` under a new name."""
    slug = check_new_slug(slug)
    if copy_of is not None:
        content = version_as_document(copy_of)
        content.update(slug=slug, name=name, summary=summary or content["summary"])
        content["area"] = area or content.get("area", "")
    else:
        content = empty_document(slug, "role", name, area, summary)
    draft = TemplateDraft(slug=slug, kind=TemplateKind.ROLE, content=content, updated_by=by)
    db.session.add(draft)
    db.session.flush()
    return draft


def save(draft: TemplateDraft, revision: int | None, by: User,
         change: Callable[[dict[str, Any]], Any]) -> Any:
    """Apply ``change`` to a copy of the draft's document and keep it as the next revision."""
    if revision != draft.revision:
        who = draft.updated_by.name if draft.updated_by else "someone"
        raise DraftChanged("revision", f"{who} saved this draft after your page was loaded, so "
                                       "your change was not saved. Reload to see their change, "
                                       "then make yours again.")
    content = copy.deepcopy(draft.content)
    result = change(content)
    draft.content = content
    draft.revision += 1
    draft.updated_by = by
    return result


def file_name(draft: TemplateDraft) -> Path:
    return Path("baseline.yaml" if draft.kind == TemplateKind.BASELINE else f"{draft.slug}.yaml")


@dataclass
class DraftProblems:
    """The library's problems with a draft, each placed where the editor shows it."""

    goals: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    milestones: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    details: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return (sum(map(len, self.goals.values())) + sum(map(len, self.milestones.values()))
                + len(self.details))


def _describe(rest: str, problem: Problem) -> str:
    return f"{rest.replace('_', ' ')}: {problem.message}" if rest else problem.message


def problems_of(draft: TemplateDraft) -> DraftProblems:
    found = DraftProblems()
    _, problems = check_document(draft.content, draft.kind.value, file_name(draft))
    milestones = draft.content.get("milestones", {})
    for problem in problems:
        goal, milestone = GOAL_PLACE.match(problem.place), MILESTONE_PLACE.match(problem.place)
        if goal:
            goals = milestones.get(goal["milestone"], {}).get("goals", [])
            index = int(goal["index"])
            if index < len(goals):
                found.goals[goals[index]["key"]].append(_describe(goal["rest"], problem))
                continue
        if milestone:
            found.milestones[milestone["milestone"]].append(_describe(milestone["rest"], problem))
        else:
            found.details.append(_describe(problem.place, problem))
    return found


def publish(draft: TemplateDraft, note: str, by: User, over_newer: bool = False) -> RoleVersion:
    """Version N+1 from the draft, which then closes. Refused, with the draft kept, while the
    library's rules find a problem, or when another version appeared since the draft began."""
    document, problems = check_document(draft.content, draft.kind.value, file_name(draft))
    if problems:
        raise InputError("draft", f"fix the {len(problems)} problem(s) shown beside their goals "
                                  "before publishing")
    template = db.session.scalar(sa.select(RoleTemplate).where(RoleTemplate.slug == draft.slug))
    latest = latest_version(template) if template else None
    if latest is not None and latest.id != draft.based_on_id and not over_newer:
        began = f"v{draft.based_on.number}" if draft.based_on else "nothing"
        raise InputError("over_newer", f"version {latest.number} was published after this draft "
                                       f"began from {began}; publishing replaces what it "
                                       "changed. Compare first, then tick the box to go ahead.")
    result = load_document(document, note=note, by=by)
    if result.action == "unchanged":
        raise InputError("draft", f"this draft is the same as version {result.version}; "
                                  "change something before publishing")
    version = db.session.scalar(sa.select(RoleVersion).join(RoleTemplate).where(
        RoleTemplate.slug == draft.slug, RoleVersion.number == result.version))
    audit.record("template.published", actor=by, target=version,
                 after={"slug": draft.slug, "version": result.version, "note": note})
    db.session.delete(draft)
    return version


def discard(draft: TemplateDraft, by: User) -> None:
    audit.record("template.draft_discarded", actor=by, target=draft,
                 before={"slug": draft.slug, "revision": draft.revision})
    db.session.delete(draft)
