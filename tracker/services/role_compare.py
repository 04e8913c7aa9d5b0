"""Two versions of a role, goal by goal: what was added, removed, reworded, moved or changed.

Goals are matched by their stable key (services/goal_keys.py), never by title, so a reworded
goal reads as reworded rather than as one removed and one added. The same comparison drives
the studio's compare view and a running plan's adoption of a newer version.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from tracker.models import GoalTemplate, MilestoneKey, RoleVersion

# What a change is called, in the order the compare view lists them.
KINDS = ("added", "removed", "reworded", "moved", "owner", "evidence", "target")
LABELS = {"added": "Added", "removed": "Removed", "reworded": "Reworded", "moved": "Moved",
          "owner": "Owner changed", "evidence": "Evidence changed", "target": "Target changed"}


@dataclass(frozen=True)
class GoalPlace:
    goal: GoalTemplate
    milestone: MilestoneKey
    position: int


@dataclass
class GoalChange:
    """One goal's differences between the two versions (``kinds`` in KINDS order)."""
    key: str
    before: GoalPlace | None
    after: GoalPlace | None
    kinds: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return (self.after or self.before).goal.title

    @property
    def labels(self) -> list[str]:
        return [LABELS[kind] for kind in self.kinds]


def places(version: RoleVersion) -> dict[str, GoalPlace]:
    return {goal.key: GoalPlace(goal, MilestoneKey(milestone.key), goal.position)
            for milestone in version.milestones for goal in milestone.goals}


def differences(before: GoalPlace, after: GoalPlace) -> list[str]:
    """Also asked of a plan's goal against a template goal (services/template_updates.py):
    a plan goal carries the same fields, copied when the plan was made."""
    old, new = before.goal, after.goal
    found = []
    if (old.title, old.description) != (new.title, new.description):
        found.append("reworded")
    if before.milestone != after.milestone:
        found.append("moved")
    if old.owner != new.owner:
        found.append("owner")
    if (old.evidence_required, old.evidence_hint) != (new.evidence_required, new.evidence_hint):
        found.append("evidence")
    if (old.target or "") != (new.target or ""):
        found.append("target")
    return found


def compare(old: RoleVersion, new: RoleVersion) -> list[GoalChange]:
    """Every goal that differs, in the newer version's order, then the removed ones.

    A goal that only changed place within its milestone is not a change: order is layout.
    """
    before, after = places(old), places(new)
    changes = []
    for key, place in after.items():
        if key not in before:
            changes.append(GoalChange(key, None, place, ["added"]))
        elif kinds := differences(before[key], place):
            changes.append(GoalChange(key, before[key], place, kinds))
    changes += [GoalChange(key, place, None, ["removed"])
                for key, place in before.items() if key not in after]
    return changes


def summary(changes: list[GoalChange]) -> dict[str, int]:
    """How many goals show each kind of change, for a one-line heading."""
    counts = {kind: 0 for kind in KINDS}
    for change in changes:
        for kind in change.kinds:
            counts[kind] += 1
    return {kind: n for kind, n in counts.items() if n}
