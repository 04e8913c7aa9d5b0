"""Changes to a draft's document, one piece at a time: the studio's edits as plain functions.

A draft is the YAML shape of a template (``role_versions.version_as_document``), so each edit
here is a small change to a dict and the rules that judge the result are the library's own
(``role_rules.check_document``). Edits never judge the text beyond what can be stored: a draft
may be half written, and its problems are shown beside each goal until it is published.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tracker.models.enums import MILESTONE_ORDER
from tracker.services.errors import InputError
from tracker.services.goal_keys import key_from_title

MILESTONE_KEYS = tuple(key.value for key in MILESTONE_ORDER)


@dataclass(frozen=True)
class GoalFields:
    """What the studio's goal form edits; the key is never edited (it names the goal for good)."""

    title: str
    description: str
    owner: str
    evidence_required: bool
    evidence_hint: str
    target: str = ""

    def as_document(self, key: str) -> dict[str, Any]:
        goal = {"key": key, "title": self.title, "description": self.description,
                "owner": self.owner, "evidence_required": self.evidence_required,
                "evidence_hint": self.evidence_hint}
        if self.target:
            goal["target"] = self.target
        return goal


def empty_document(slug: str, kind: str, name: str, area: str, summary: str) -> dict[str, Any]:
    """A new template: its details and five empty milestones for the editor to fill."""
    document: dict[str, Any] = {"slug": slug, "name": name}
    if kind == "role":
        document["area"] = area
    document["summary"] = summary
    document["milestones"] = {key: ({"title": "", "goals": []} if kind == "role"
                                    else {"goals": []}) for key in MILESTONE_KEYS}
    return document


def keys_in(document: dict[str, Any]) -> set[str]:
    return {goal["key"] for m in document["milestones"].values() for goal in m["goals"]}


def find_goal(document: dict[str, Any], key: str) -> tuple[str, int]:
    for milestone, entry in document["milestones"].items():
        for index, goal in enumerate(entry["goals"]):
            if goal["key"] == key:
                return milestone, index
    raise InputError("goal", f"this draft has no goal with the key {key!r}; it may have been "
                             "removed on another page. Reload to see the draft as it is now.")


def _milestone(document: dict[str, Any], milestone: str) -> dict[str, Any]:
    if milestone not in document["milestones"]:
        raise InputError("milestone", f"there is no milestone {milestone!r}; choose one of "
                                      f"{', '.join(MILESTONE_KEYS)}")
    return document["milestones"][milestone]


def set_details(document: dict[str, Any], name: str, area: str, summary: str) -> None:
    document["name"], document["summary"] = name, summary
    if "area" in document:
        document["area"] = area


def set_milestone_title(document: dict[str, Any], milestone: str, title: str) -> None:
    entry = _milestone(document, milestone)
    if "title" not in entry:
        raise InputError("title", "the baseline's milestones take their titles from the role")
    entry["title"] = title


def add_goal(document: dict[str, Any], milestone: str, fields: GoalFields) -> str:
    """Append a goal to ``milestone``; its key comes from the title and is unique in the draft."""
    entry = _milestone(document, milestone)
    key = key_from_title(fields.title, keys_in(document))
    entry["goals"].append(fields.as_document(key))
    return key


def edit_goal(document: dict[str, Any], key: str, fields: GoalFields,
              milestone: str | None = None) -> None:
    """Change a goal's text in place; a new ``milestone`` moves it to the end of that one."""
    here, index = find_goal(document, key)
    goal = fields.as_document(key)
    if milestone and milestone != here:
        target = _milestone(document, milestone)
        del document["milestones"][here]["goals"][index]
        target["goals"].append(goal)
    else:
        document["milestones"][here]["goals"][index] = goal


def move_goal(document: dict[str, Any], key: str, step: int) -> None:
    """One place up (-1) or down (+1) within its milestone: the keyboard's way to reorder."""
    milestone, index = find_goal(document, key)
    goals = document["milestones"][milestone]["goals"]
    other = index + step
    if not 0 <= other < len(goals):
        edge = "first" if step < 0 else "last"
        raise InputError("goal", f"this goal is already the {edge} of its milestone")
    goals[index], goals[other] = goals[other], goals[index]


def reorder(document: dict[str, Any], order: dict[str, list[str]]) -> None:
    """Every goal placed at once (a drag between milestones): the same goals, no more, no less."""
    if set(order) != set(document["milestones"]):
        raise InputError("order", "the new order must name every milestone of the draft")
    placed = [key for keys in order.values() for key in keys]
    if len(placed) != len(set(placed)) or set(placed) != keys_in(document):
        raise InputError("order", "the draft changed since this page showed it (goals were "
                                  "added or removed); reload and drag again")
    goals = {g["key"]: g for m in document["milestones"].values() for g in m["goals"]}
    for milestone, keys in order.items():
        document["milestones"][milestone]["goals"] = [goals[key] for key in keys]


def remove_goal(document: dict[str, Any], key: str) -> dict[str, Any]:
    milestone, index = find_goal(document, key)
    return document["milestones"][milestone]["goals"].pop(index)
