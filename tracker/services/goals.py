"""The goal life cycle: evidence in, review out, and nothing lost on the way.

open -> submitted -> approved, or -> changes_requested -> submitted again; waived by the manager
with a reason; goals that need no evidence go straight to done. Evidence rows are never deleted:
withdrawing or reviewing changes their status, so the history stays on the plan. Who may do
each step, and when, is the policy's answer (services/policy.py); this module applies it.
"""
from __future__ import annotations

from functools import partial
from urllib.parse import urlsplit

from werkzeug.datastructures import FileStorage

from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    GoalStatus,
    Plan,
    PlanGoal,
    User,
    utcnow,
)
from tracker.services import uploads
from tracker.services.audit import record
from tracker.services.errors import InputError
from tracker.services.policy import policy
from tracker.services.text_rules import LINK, NOTE, REVIEW_COMMENT, WAIVE_REASON
from tracker.webhooks import Event, emit, payloads


def _state(goal: PlanGoal) -> dict:
    return {"goal": goal.title, "status": goal.status.value}


def check_link(url: str) -> str:
    url = LINK.check(url)
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[" and hosts that change under Unicode normalisation
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("url", "give a full web address starting with https:// or http://")
    return url


def check_note(note: str, *, required: bool) -> str:
    note = NOTE.check(note)
    if required and not note:
        raise InputError("note", "write a few words about what you did")
    return note


def submit_evidence(plan: Plan, goal: PlanGoal, author: User, *, kind: EvidenceKind,
                    note: str = "", url: str = "", upload: FileStorage | None = None) -> Evidence:
    """Add evidence and put the goal in the review queue.

    An uploaded file is written last, after every other check has passed, and kept only if
    the transaction commits (see services/uploads.py).
    """
    policy(author, plan).submit_evidence(goal).enforce("goal")
    evidence = Evidence(goal_id=goal.id, author_id=author.id, kind=kind,
                        note=check_note(note, required=kind == EvidenceKind.NOTE))
    if kind == EvidenceKind.LINK:
        evidence.url = check_link(url)
    elif kind == EvidenceKind.FILE:
        stored = uploads.store(upload)
        evidence.file_key, evidence.file_name = stored.key, stored.name
        evidence.file_type, evidence.file_size = stored.content_type, stored.size
    db.session.add(evidence)
    goal.evidence.append(evidence)
    before = _state(goal)
    goal.status = GoalStatus.SUBMITTED
    record("evidence.submitted", plan=plan, actor=author, target=goal, before=before,
           after=_state(goal) | {"kind": kind.value})
    emit(Event.EVIDENCE_SUBMITTED, partial(payloads.evidence_submitted, plan, goal, evidence))
    return evidence


def edit_evidence(plan: Plan, evidence: Evidence, author: User, *, note: str, url: str = "") -> None:
    policy(author, plan).change_evidence(evidence, evidence.goal).enforce("evidence")
    before = {"note": evidence.note, "url": evidence.url}
    evidence.note = check_note(note, required=evidence.kind == EvidenceKind.NOTE)
    if evidence.kind == EvidenceKind.LINK:
        evidence.url = check_link(url)
    record("evidence.edited", plan=plan, actor=author, target=evidence, before=before,
           after={"note": evidence.note, "url": evidence.url})


def withdraw_evidence(plan: Plan, evidence: Evidence, author: User) -> None:
    policy(author, plan).change_evidence(evidence, evidence.goal).enforce("evidence")
    goal = evidence.goal
    before = _state(goal)
    evidence.status = EvidenceStatus.WITHDRAWN
    if not any(e.status == EvidenceStatus.SUBMITTED for e in goal.evidence if e is not evidence):
        reviewed = any(e.status == EvidenceStatus.CHANGES_REQUESTED for e in goal.evidence)
        goal.status = GoalStatus.CHANGES_REQUESTED if reviewed else GoalStatus.OPEN
    record("evidence.withdrawn", plan=plan, actor=author, target=goal, before=before,
           after=_state(goal))


def review_goal(plan: Plan, goal: PlanGoal, reviewer: User, *, approve: bool, comment: str) -> None:
    policy(reviewer, plan).review(goal).enforce("review")
    comment = REVIEW_COMMENT.check(comment)
    if not approve and not comment:
        raise InputError("comment", "say what should change, so the hire knows what to do")
    before = _state(goal)
    for evidence in goal.evidence:
        if evidence.status == EvidenceStatus.SUBMITTED:
            evidence.status = EvidenceStatus.APPROVED if approve else EvidenceStatus.CHANGES_REQUESTED
            evidence.reviewer, evidence.reviewed_at = reviewer, utcnow()
            evidence.review_comment = comment or None
    goal.status = GoalStatus.APPROVED if approve else GoalStatus.CHANGES_REQUESTED
    goal.finished_at = utcnow() if approve else None
    record("goal.approved" if approve else "goal.changes_requested", plan=plan, actor=reviewer,
           target=goal, before=before, after=_state(goal) | {"comment": comment})
    emit(Event.GOAL_APPROVED if approve else Event.GOAL_CHANGES_REQUESTED,
         partial(payloads.goal_reviewed, plan, goal, reviewer, utcnow()))


def mark_done(plan: Plan, goal: PlanGoal, user: User) -> None:
    policy(user, plan).mark_done(goal).enforce("goal")
    before = _state(goal)
    goal.status, goal.finished_at = GoalStatus.DONE, utcnow()
    record("goal.done", plan=plan, actor=user, target=goal, before=before, after=_state(goal))


def waive_goal(plan: Plan, goal: PlanGoal, manager: User, reason: str) -> None:
    policy(manager, plan).waive(goal).enforce("goal")
    reason = WAIVE_REASON.check(reason)
    if not reason:
        raise InputError("reason", "say why the goal no longer applies; the reason is kept")
    before = _state(goal)
    goal.status, goal.waived_reason, goal.finished_at = GoalStatus.WAIVED, reason, utcnow()
    record("goal.waived", plan=plan, actor=manager, target=goal, before=before,
           after=_state(goal) | {"reason": reason})
