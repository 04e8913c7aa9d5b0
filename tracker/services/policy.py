"""The one answer to "may this person do this, now", asked by views, templates, services and jobs.

Every rule reads two things: the person's relation to the plan (hire, manager, buddy, admin)
and the state of the record (the plan's status, the goal's, the check-in's). Each question
returns a :class:`Decision`, which is truthy when allowed and otherwise says why, and whether
the refusal comes from who the person is (``forbidden``: a 403) or from the state of things
(a 422 with the reason beside the form). A template shows an action exactly when the service
behind it would accept it, because both ask the same method here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cached_property

import sqlalchemy as sa
from flask import current_app

from tracker.models import (
    CheckIn,
    Evidence,
    EvidenceStatus,
    GoalOwner,
    GoalStatus,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    User,
)
from tracker.services.errors import InputError

OPEN_FOR_EVIDENCE = frozenset({GoalStatus.OPEN, GoalStatus.SUBMITTED, GoalStatus.CHANGES_REQUESTED})
CONVERSATION_PEOPLE = frozenset({"hire", "manager", "admin"})


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with a reason a person can read."""

    allowed: bool
    reason: str = ""
    forbidden: bool = False  # refused because of who is asking, not because of the state

    def __bool__(self) -> bool:
        return self.allowed

    def enforce(self, field: str) -> None:
        """Services call this: a refusal becomes an InputError shown beside ``field``."""
        if not self.allowed:
            raise InputError(field, self.reason)


ALLOW = Decision(True)


def _deny(reason: str) -> Decision:
    return Decision(False, reason)


def _forbid(reason: str) -> Decision:
    return Decision(False, reason, forbidden=True)


def relation_of(user: User, plan: Plan) -> str:
    """How the plan sees this person: hire, manager, buddy, admin, or none."""
    if not getattr(user, "is_authenticated", False):
        return "none"
    if user.id == plan.hire_id:
        return "hire"
    if user.id == plan.manager_id:
        return "manager"
    if user.id == plan.buddy_id:
        return "buddy"
    return "admin" if user.is_admin else "none"


def own_plans_clause(user: User):
    """Plans ``user`` is part of as hire, manager or buddy, as SQL (an admin's own, not all)."""
    return sa.or_(Plan.hire_id == user.id, Plan.manager_id == user.id, Plan.buddy_id == user.id)


def checkin_opens_on(milestone: PlanMilestone) -> date:
    """A check-in opens a configurable number of days before its milestone is due (or on the
    calendar's first day, for a due date in its first days: an old row or a hand edit)."""
    ordinal = milestone.due_date.toordinal() - current_app.config["CHECKIN_OPENS_DAYS_BEFORE"]
    return date.fromordinal(max(1, ordinal))


def owner_of(plan: Plan, goal: PlanGoal) -> int:
    """The person a goal belongs to; a plan without a buddy hands buddy goals to the manager."""
    return {GoalOwner.HIRE: plan.hire_id, GoalOwner.MANAGER: plan.manager_id,
            GoalOwner.BUDDY: plan.buddy_id or plan.manager_id}[goal.owner]


def _phrase(status) -> str:
    return status.value.replace("_", " ")


@dataclass
class PlanPolicy:
    """What ``user`` may do on ``plan`` and its goals, evidence, check-ins and pulses."""

    user: User
    plan: Plan

    @cached_property
    def relation(self) -> str:
        return relation_of(self.user, self.plan)

    def _active(self, what: str) -> Decision:
        if self.plan.status != PlanStatus.ACTIVE:
            return _deny(f"this plan is {self.plan.status.value}, "
                         f"so its {what} can no longer change")
        return ALLOW

    # -- the plan itself ---------------------------------------------------------------
    def view(self) -> Decision:
        return ALLOW if self.relation != "none" else _forbid("this plan is not yours to see")

    def see_conversations(self) -> Decision:
        """Check-ins and pulses are personal: the hire, the manager and admins, not the buddy."""
        if self.relation in CONVERSATION_PEOPLE:
            return ALLOW
        return _forbid("check-ins and pulses are between the hire and their manager")

    def edit_plan(self) -> Decision:
        return ALLOW if self.user.is_admin else _forbid("only HR changes a plan")

    def adopt_changes(self) -> Decision:
        """A newer template version reaches a running plan only through its manager or HR."""
        if self.relation != "manager" and not self.user.is_admin:
            return _forbid("only the hire's manager and HR adopt template changes")
        return self._active("goals")

    # -- goals ------------------------------------------------------------------------
    def owns(self, goal: PlanGoal) -> Decision:
        if self.user.id == owner_of(self.plan, goal):
            return ALLOW
        return _forbid("only the goal's owner works on it; the manager reviews instead")

    def reviews(self) -> Decision:
        if self.relation == "manager":
            return ALLOW
        return _forbid("only the hire's manager reviews, waives and assesses")

    def submit_evidence(self, goal: PlanGoal) -> Decision:
        for decision in (self.owns(goal), self._active("goals")):
            if not decision:
                return decision
        if not goal.evidence_required:
            return _deny("this goal needs no evidence; tick it off when it is done")
        if goal.status not in OPEN_FOR_EVIDENCE:
            return _deny(f"this goal is already {_phrase(goal.status)}")
        return ALLOW

    def mark_done(self, goal: PlanGoal) -> Decision:
        for decision in (self.owns(goal), self._active("goals")):
            if not decision:
                return decision
        if goal.evidence_required:
            return _deny("this goal needs evidence; add a note, a link or a file")
        if goal.status != GoalStatus.OPEN:
            return _deny(f"this goal is already {_phrase(goal.status)}")
        return ALLOW

    def review(self, goal: PlanGoal) -> Decision:
        for decision in (self.reviews(), self._active("goals")):
            if not decision:
                return decision
        if goal.status != GoalStatus.SUBMITTED:
            return _deny("there is no evidence waiting for review on this goal")
        return ALLOW

    def waive(self, goal: PlanGoal) -> Decision:
        for decision in (self.reviews(), self._active("goals")):
            if not decision:
                return decision
        if goal.status.is_finished:
            return _deny(f"this goal is already {_phrase(goal.status)}")
        return ALLOW

    # -- evidence ---------------------------------------------------------------------
    def change_evidence(self, evidence: Evidence, goal: PlanGoal) -> Decision:
        """Editing and withdrawing: the author, until the manager has looked at it. ``goal``
        is the evidence's goal, which pages have at hand and cannot load from the evidence."""
        if evidence.author_id != self.user.id:
            return _forbid("only its author can change evidence")
        active = self._active("goals")
        if not active:
            return active
        if evidence.status != EvidenceStatus.SUBMITTED:
            return _deny("evidence can be changed only before review")
        if goal.status is GoalStatus.RETIRED:
            return _deny("this goal was retired from the template; its evidence stays as it is")
        return ALLOW

    # -- check-ins --------------------------------------------------------------------
    def _checkin_open(self, milestone: PlanMilestone, checkin: CheckIn | None,
                      today: date) -> Decision:
        active = self._active("check-ins")
        if not active:
            return active
        if today < checkin_opens_on(milestone):
            return _deny(f"this check-in opens on {checkin_opens_on(milestone):%d %b %Y}")
        if checkin is not None and checkin.is_signed:
            return _deny("this check-in is signed by both and can no longer change")
        return ALLOW

    def write_checkin(self, half: str, milestone: PlanMilestone, checkin: CheckIn | None,
                      today: date) -> Decision:
        """``half`` is "hire" (the self-assessment) or "manager" (the assessment)."""
        if self.relation != half:
            return _forbid("only the hire writes the self-assessment" if half == "hire"
                           else "only the hire's manager writes the manager's assessment")
        return self._checkin_open(milestone, checkin, today)

    def sign_checkin(self, milestone: PlanMilestone, checkin: CheckIn | None,
                     today: date) -> Decision:
        if self.relation not in ("hire", "manager"):
            return _forbid("only the hire and their manager sign a check-in")
        is_open = self._checkin_open(milestone, checkin, today)
        if not is_open:
            return is_open
        missing = missing_for_signature(checkin)
        if missing:
            return _deny("before signing, add " + ", ".join(missing))
        signed = checkin.hire_signed_at if self.relation == "hire" else checkin.manager_signed_at
        if signed is not None:
            return _deny("you have already signed; waiting for the other signature")
        return ALLOW

    # -- pulses -----------------------------------------------------------------------
    def answer_pulse(self, due_on: date | None, last_answered: date | None = None) -> Decision:
        """``due_on``: the pulse the schedule says is waiting (pulses.due_pulse), if any;
        ``last_answered``: the newest answered one, to say why nothing is waiting."""
        if self.relation != "hire":
            return _forbid("only the hire answers their pulse check-in")
        active = self._active("pulse check-ins")
        if not active or due_on is not None:
            return active
        if last_answered is not None:
            return _deny(f"you already answered the pulse of {last_answered:%d %b}; "
                         "the next one comes later")
        return _deny("no pulse check-in is due yet")


def missing_for_signature(checkin: CheckIn | None) -> list[str]:
    """What still has to be written before anyone can sign, in words."""
    if checkin is None:
        return ["the hire's self-assessment", "the manager's assessment", "a rating"]
    missing = []
    if not checkin.self_assessment:
        missing.append("the hire's self-assessment")
    if not checkin.manager_assessment:
        missing.append("the manager's assessment")
    if checkin.rating is None:
        missing.append("a rating")
    return missing


def policy(user: User, plan: Plan) -> PlanPolicy:
    return PlanPolicy(user, plan)
