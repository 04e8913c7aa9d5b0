"""The events a webhook can carry: their names on the wire, and how the pages call them.

The values are the strings receivers see in ``X-Tracker-Event`` and the body's ``event``; they
are a public contract, so a name never changes once released (add a new one instead).
"""
from __future__ import annotations

import enum


class Event(str, enum.Enum):
    HIRE_CREATED = "hire.created"
    EVIDENCE_SUBMITTED = "evidence.submitted"
    GOAL_APPROVED = "goal.approved"
    GOAL_CHANGES_REQUESTED = "goal.changes_requested"
    CHECKIN_SIGNED = "checkin.signed"
    PLAN_AT_RISK = "plan.at_risk"
    PLAN_COMPLETED = "plan.completed"
    # Sent by the "send a test event" button to one endpoint; nobody subscribes to it.
    PING = "ping"

    def __str__(self) -> str:
        return self.value

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Event.HIRE_CREATED: "A hire and their plan were created",
    Event.EVIDENCE_SUBMITTED: "A hire sent evidence for a goal",
    Event.GOAL_APPROVED: "A goal was approved",
    Event.GOAL_CHANGES_REQUESTED: "A goal was sent back for changes",
    Event.CHECKIN_SIGNED: "A check-in was signed by both hire and manager",
    Event.PLAN_AT_RISK: "A plan is at risk (at most once a day per plan)",
    Event.PLAN_COMPLETED: "A plan was marked completed",
    Event.PING: "Test event",
}
SUBSCRIBABLE = [event for event in Event if event is not Event.PING]


def label_of(name: str) -> str:
    """A stored event name as people read it; one this version does not know reads as itself."""
    member = Event._value2member_map_.get(name)
    return member.label if member is not None else name
