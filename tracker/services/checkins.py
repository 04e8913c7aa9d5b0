"""Milestone check-ins: the hire's self-assessment, the manager's assessment, two signatures.

A signature vouches for the whole record as it stands, so saving either half after someone has
signed clears both signatures: nobody ends up having "signed" words they never saw. Once both
have signed, the check-in is the record of that conversation and is never edited again.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from tracker.extensions import db
from tracker.models import CheckIn, CheckInRating, Plan, PlanMilestone, PlanStatus, User, utcnow
from tracker.services.audit import record
from tracker.services.errors import InputError

TEXT_LIMIT = 10_000
GOAL_NOTE_LIMIT = 2_000


def opens_on(milestone: PlanMilestone) -> date:
    return milestone.due_date - timedelta(days=current_app.config["CHECKIN_OPENS_DAYS_BEFORE"])


def is_open(milestone: PlanMilestone, today: date) -> bool:
    return today >= opens_on(milestone)


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


def _text(value: str | None, field: str, limit: int = TEXT_LIMIT) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise InputError(field, f"keep this under {limit:,} characters")
    return value


def _editable(plan: Plan, milestone: PlanMilestone, today: date) -> CheckIn:
    if plan.status != PlanStatus.ACTIVE:
        raise InputError("checkin", f"this plan is {plan.status.value}; its check-ins are closed")
    if not is_open(milestone, today):
        raise InputError("checkin", f"this check-in opens on {opens_on(milestone):%d %b %Y}")
    checkin = check_in_for(milestone, lock=True)
    if checkin is None:
        checkin = CheckIn(milestone=milestone, goal_notes={})
        db.session.add(checkin)
    elif checkin.is_signed:
        raise InputError("checkin", "this check-in is signed by both and can no longer change")
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
    if hire.id != plan.hire_id:
        raise InputError("checkin", "only the hire fills in the self-assessment")
    checkin = _editable(plan, milestone, today)
    goal_ids = {goal.id for goal in milestone.goals}
    notes = {str(goal_id): _text(note, f"goal-{goal_id}", GOAL_NOTE_LIMIT)
             for goal_id, note in goal_notes.items() if goal_id in goal_ids}
    before, after, cleared = _apply(checkin, {
        "self_assessment": _text(self_assessment, "self_assessment"),
        "went_well": _text(went_well, "went_well"), "blockers": _text(blockers, "blockers"),
        "goal_notes": {k: v for k, v in notes.items() if v}})
    db.session.flush()
    if after:
        record("checkin.hire_saved", plan=plan, actor=hire, target=checkin, before=before,
               after=after | {"milestone": milestone.key.value, "signatures_cleared": cleared})
    return checkin, cleared


def save_manager_part(plan: Plan, milestone: PlanMilestone, manager: User, today: date, *,
                      assessment: str, rating: str, next_steps: str) -> tuple[CheckIn, bool]:
    if manager.id != plan.manager_id:
        raise InputError("checkin", "only the hire's manager writes the manager's assessment")
    checkin = _editable(plan, milestone, today)
    try:
        chosen = CheckInRating(rating) if rating else None
    except ValueError:
        raise InputError("rating", "choose on track, at risk or off track") from None
    before, after, cleared = _apply(checkin, {
        "manager_assessment": _text(assessment, "manager_assessment"), "rating": chosen,
        "next_steps": _text(next_steps, "next_steps")})
    if after:
        checkin.manager_id = manager.id
    db.session.flush()
    if after:
        record("checkin.manager_saved", plan=plan, actor=manager, target=checkin, before=before,
               after=after | {"milestone": milestone.key.value, "signatures_cleared": cleared})
    return checkin, cleared


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


def sign(plan: Plan, milestone: PlanMilestone, user: User, today: date,
         seen: str | None) -> CheckIn:
    """Sign the check-in as ``user`` saw it: ``seen`` is the digest their page showed."""
    if user.id not in (plan.hire_id, plan.manager_id):
        raise InputError("checkin", "only the hire and their manager sign a check-in")
    checkin = _editable(plan, milestone, today)
    missing = missing_for_signature(checkin)
    if missing:
        raise InputError("checkin", "before signing, add " + ", ".join(missing))
    if seen != content_digest(checkin):
        raise InputError("checkin", "the check-in changed since you opened it; read it again "
                                    "below, then sign")
    already = checkin.hire_signed_at if user.id == plan.hire_id else checkin.manager_signed_at
    if already is not None:
        raise InputError("checkin", "you have already signed; waiting for the other signature")
    stamp = utcnow()
    if user.id == plan.hire_id:
        checkin.hire_signed_at = stamp
    else:
        checkin.manager_signed_at, checkin.manager_signed_by_id = stamp, user.id
    record("checkin.signed", plan=plan, actor=user, target=checkin,
           after={"milestone": milestone.key.value, "as": "hire" if user.id == plan.hire_id
                  else "manager", "complete": checkin.is_signed})
    return checkin
