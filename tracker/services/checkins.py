"""Milestone check-ins: the hire's self-assessment, the manager's assessment, two signatures.

A signature vouches for the whole record as it stands, so saving either half after someone has
signed clears both signatures: nobody ends up having "signed" words they never saw. Once both
have signed, the check-in is the record of that conversation and is never edited again.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date
from functools import partial

import sqlalchemy as sa

from tracker.extensions import db
from tracker.formatting import nice_date
from tracker.models import CheckIn, CheckInRating, Plan, PlanMilestone, User, utcnow
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.policy import checkin_opens_on, policy
from tracker.services.text_rules import (
    BLOCKERS,
    GOAL_NOTE,
    MANAGER_ASSESSMENT,
    NEXT_STEPS,
    SELF_ASSESSMENT,
    WENT_WELL,
)
from tracker.webhooks import Event, emit, payloads


def check_in_for(milestone: PlanMilestone, *, lock: bool = False) -> CheckIn | None:
    query = sa.select(CheckIn).where(CheckIn.milestone_id == milestone.id)
    if lock:
        # PostgreSQL: a save and a signature wait for each other instead of racing, and the
        # row is read again after the wait, not taken from what this session saw earlier.
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


HIRE_FIELDS = ("self_assessment", "went_well", "blockers", "goal_notes")
MANAGER_FIELDS = ("manager_assessment", "rating", "next_steps")


def _plain(value):
    return value.value if isinstance(value, CheckInRating) else value


def content_digest(checkin: CheckIn | None) -> str:
    """A fingerprint of everything a signature vouches for; the sign form sends it back."""
    content = {name: _plain(getattr(checkin, name)) if checkin else None
               for name in HIRE_FIELDS + MANAGER_FIELDS}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()[:24]


def _editable(question, milestone: PlanMilestone, today: date) -> CheckIn:
    """The check-in, locked, once ``question`` (a policy method) allows the change on it."""
    checkin = check_in_for(milestone, lock=True)
    question(milestone, checkin, today).enforce("checkin")
    if checkin is None:
        checkin = CheckIn(milestone=milestone, goal_notes={})
        db.session.add(checkin)
    return checkin


def _apply(checkin: CheckIn, values: dict) -> tuple[dict, dict, bool]:
    """Set ``values``; returns what changed (before, after) and whether signatures were cleared.

    A signature vouches for the words as they stood, so any real change clears both; saving the
    same words again changes nothing and keeps them.
    """
    before, after = {}, {}
    for name, value in values.items():
        old = getattr(checkin, name)
        if _plain(old) != _plain(value) and not (old is None and value in ("", {})):
            before[name], after[name] = _plain(old), _plain(value)
            setattr(checkin, name, value)
    cleared = bool(after) and (checkin.hire_signed_at is not None
                               or checkin.manager_signed_at is not None)
    if cleared:
        checkin.hire_signed_at = checkin.manager_signed_at = None
        checkin.manager_signed_by_id = None
    return before, after, cleared


def save_hire_part(plan: Plan, milestone: PlanMilestone, hire: User, today: date, *,
                   self_assessment: str, went_well: str, blockers: str,
                   goal_notes: dict[int, str]) -> tuple[CheckIn, bool]:
    """Store the hire's half; returns the check-in and whether signatures had to be cleared."""
    checkin = _editable(partial(policy(hire, plan).write_checkin, "hire"), milestone, today)
    goal_ids = {goal.id for goal in milestone.goals}
    notes = {str(goal_id): GOAL_NOTE.check(note, f"goal-{goal_id}")
             for goal_id, note in goal_notes.items() if goal_id in goal_ids}
    before, after, cleared = _apply(checkin, {
        "self_assessment": SELF_ASSESSMENT.check(self_assessment),
        "went_well": WENT_WELL.check(went_well), "blockers": BLOCKERS.check(blockers),
        "goal_notes": {k: v for k, v in notes.items() if v}})
    db.session.flush()
    if after:
        record("checkin.hire_saved", plan=plan, actor=hire, target=checkin, before=before,
               after=after | {"milestone": milestone.key.value, "signatures_cleared": cleared})
    return checkin, cleared


def save_manager_part(plan: Plan, milestone: PlanMilestone, manager: User, today: date, *,
                      assessment: str, rating: str, next_steps: str) -> tuple[CheckIn, bool]:
    checkin = _editable(partial(policy(manager, plan).write_checkin, "manager"), milestone,
                        today)
    try:
        chosen = CheckInRating(rating) if rating else None
    except ValueError:
        raise InputError("rating", "choose on track, at risk or off track") from None
    before, after, cleared = _apply(checkin, {
        "manager_assessment": MANAGER_ASSESSMENT.check(assessment), "rating": chosen,
        "next_steps": NEXT_STEPS.check(next_steps)})
    if after:
        checkin.manager_id = manager.id
    db.session.flush()
    if after:
        record("checkin.manager_saved", plan=plan, actor=manager, target=checkin, before=before,
               after=after | {"milestone": milestone.key.value, "signatures_cleared": cleared})
    return checkin, cleared


def sign(plan: Plan, milestone: PlanMilestone, user: User, today: date,
         seen: str | None) -> CheckIn:
    """Sign the check-in as ``user`` saw it: ``seen`` is the digest their page showed."""
    checkin = _editable(policy(user, plan).sign_checkin, milestone, today)
    if seen != content_digest(checkin):
        raise InputError("checkin", "the check-in changed since you opened it; read it again "
                                    "below, then sign")
    stamp = utcnow()
    if user.id == plan.hire_id:
        checkin.hire_signed_at = stamp
    else:
        checkin.manager_signed_at, checkin.manager_signed_by_id = stamp, user.id
    record("checkin.signed", plan=plan, actor=user, target=checkin,
           after={"milestone": milestone.key.value, "as": "hire" if user.id == plan.hire_id
                  else "manager", "complete": checkin.is_signed})
    if checkin.is_signed:
        emit(Event.CHECKIN_SIGNED,
             partial(payloads.checkin_signed, plan, checkin, milestone.key.value))
    return checkin


def checkins_by_milestone(plan_id: int) -> dict[int, CheckIn]:
    """The plan's check-ins keyed by milestone id, in one query, for the history on the plan."""
    return {c.milestone_id: c for c in db.session.scalars(
        sa.select(CheckIn).join(PlanMilestone, PlanMilestone.id == CheckIn.milestone_id)
        .where(PlanMilestone.plan_id == plan_id))}


def stage(checkin: CheckIn | None, milestone: PlanMilestone, today: date) -> str:
    """Where a milestone's check-in stands, in words, for the plan page and the check-in itself."""
    if checkin is not None and checkin.is_signed:
        signed = max(checkin.hire_signed_at, checkin.manager_signed_at)
        rating = f" · {checkin.rating.value.replace('_', ' ')}" if checkin.rating else ""
        return f"Signed by both on {nice_date(signed.date())}{rating}"
    if checkin is not None and checkin.hire_signed_at:
        return "Waiting for a signature: the manager's"
    if checkin is not None and checkin.manager_signed_at:
        return "Waiting for a signature: the hire's"
    if checkin is not None:
        return "In progress"
    opens = checkin_opens_on(milestone)
    return "Ready to start" if opens <= today else f"Opens {nice_date(opens)}"
