"""Vocabularies shared by models, services, templates and the role library."""
from __future__ import annotations

import enum


class MilestoneKey(str, enum.Enum):
    """The five stops on every plan's road, in order."""

    D30 = "d30"
    D60 = "d60"
    D90 = "d90"
    M6 = "m6"
    M12 = "m12"

    @property
    def label(self) -> str:
        return MILESTONE_LABELS[self]


MILESTONE_LABELS = {
    MilestoneKey.D30: "30 days",
    MilestoneKey.D60: "60 days",
    MilestoneKey.D90: "90 days",
    MilestoneKey.M6: "6 months",
    MilestoneKey.M12: "12 months",
}
MILESTONE_ORDER = list(MilestoneKey)


class GoalOwner(str, enum.Enum):
    HIRE = "hire"
    MANAGER = "manager"
    BUDDY = "buddy"


class GoalStatus(str, enum.Enum):
    OPEN = "open"
    SUBMITTED = "submitted"
    CHANGES_REQUESTED = "changes_requested"
    APPROVED = "approved"
    DONE = "done"
    WAIVED = "waived"
    # The template dropped it after work was done (services/adoption.py): kept, not counted.
    RETIRED = "retired"

    @property
    def is_finished(self) -> bool:
        """Nothing is left to do: achieved, waived, or retired from the template."""
        return self in FINISHED_GOAL_STATUSES

    @property
    def counts(self) -> bool:
        """Whether the goal counts toward progress; a retired goal is history, not work."""
        return self is not GoalStatus.RETIRED


FINISHED_GOAL_STATUSES = frozenset({GoalStatus.APPROVED, GoalStatus.DONE, GoalStatus.WAIVED,
                                    GoalStatus.RETIRED})


class GoalSource(str, enum.Enum):
    ROLE = "role"
    BASELINE = "baseline"
    CUSTOM = "custom"
    # Added or replaced by a team or context layer chosen when the plan was made.
    LAYER = "layer"

    @property
    def is_layer(self) -> bool:
        return self is GoalSource.LAYER

    @property
    def is_company(self) -> bool:
        """Baseline goals are the company's, the same in every plan; pages badge them."""
        return self is GoalSource.BASELINE


class AdoptionDecision(str, enum.Enum):
    """What a plan's manager or HR said about one change in a newer template version."""

    ADOPTED = "adopted"
    DECLINED = "declined"


class PlanStatus(str, enum.Enum):
    ACTIVE = "active"
    COMPLETED = "completed"
    ARCHIVED = "archived"

    @property
    def is_closed(self) -> bool:
        """Completed and archived plans are records: pages say so beside the plan's name."""
        return self is not PlanStatus.ACTIVE


class TemplateKind(str, enum.Enum):
    ROLE = "role"
    BASELINE = "baseline"
    # Optional goals on top of baseline + role: a team's, or a working context's.
    LAYER = "layer"


class LayerType(str, enum.Enum):
    """What a layer describes; the new-hire form groups layers by it."""

    TEAM = "team"
    CONTEXT = "context"

    @property
    def label(self) -> str:
        return "Team" if self is LayerType.TEAM else "Context"


class GoalAction(str, enum.Enum):
    """What a template goal does to the plan. Roles and the baseline only add; a layer can
    also replace a lower goal with the same key, or drop it (a drop row carries only the key)."""

    ADD = "add"
    REPLACE = "replace"
    DROP = "drop"

    @property
    def verb(self) -> str:
        """How pages say it: "adds", "replaces", "drops"."""
        return f"{self.value}s"

    @property
    def is_drop(self) -> bool:
        return self is GoalAction.DROP

    @property
    def is_replace(self) -> bool:
        return self is GoalAction.REPLACE


class EvidenceKind(str, enum.Enum):
    NOTE = "note"
    LINK = "link"
    FILE = "file"


class EvidenceStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"


class CheckInRating(str, enum.Enum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class NotificationStatus(str, enum.Enum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"
    SKIPPED = "skipped"
    SKIPPED_STALE = "skipped_stale"


class Channel(str, enum.Enum):
    """Where one outbox row goes: each message has a row per channel its recipient chose."""

    EMAIL = "email"
    CHAT = "chat"

    @property
    def label(self) -> str:
        return "Chat" if self is Channel.CHAT else "Email"
