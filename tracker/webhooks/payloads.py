"""What each event says, as (dedupe key, data): facts and links, never the private words.

A receiver gets enough to act (who, which plan, which goal, a link to the page) and to look the
rest up; the text of evidence, review comments and check-in answers stays in the tracker, since
a webhook's receiver is outside the people the plan's permissions name. The key names the one
occurrence (an evidence row, a signing, a day of being at risk), so queueing the same one twice,
say from a retried sweep, sends it once.
"""
from __future__ import annotations

from datetime import date, datetime

from tracker.models import CheckIn, Evidence, Plan, PlanGoal, User
from tracker.urls import external_url

Occurrence = tuple[str, dict]


def person(user: User | None) -> dict | None:
    if user is None:
        return None
    return {"id": user.id, "name": user.name, "email": user.email}


def plan_ref(plan: Plan) -> dict:
    return {"id": plan.id, "url": external_url("plans.show", plan_id=plan.id),
            "status": plan.status.value, "start_date": plan.start_date.isoformat(),
            "role": plan.role_version.template.slug, "hire": person(plan.hire),
            "manager": person(plan.manager), "buddy": person(plan.buddy)}


def goal_ref(goal: PlanGoal) -> dict:
    return {"id": goal.id, "title": goal.title, "milestone": goal.milestone.key.value,
            "owner": goal.owner.value, "status": goal.status.value}


def hire_created(plan: Plan) -> Occurrence:
    return f"plan:{plan.id}", {"plan": plan_ref(plan)}


def evidence_submitted(plan: Plan, goal: PlanGoal, evidence: Evidence) -> Occurrence:
    return f"evidence:{evidence.id}", {
        "plan": plan_ref(plan), "goal": goal_ref(goal),
        "evidence": {"id": evidence.id, "kind": evidence.kind.value,
                     "author": person(evidence.author)}}


def goal_reviewed(plan: Plan, goal: PlanGoal, reviewer: User, at: datetime) -> Occurrence:
    return f"goal:{goal.id}:{at.isoformat()}", {
        "plan": plan_ref(plan), "goal": goal_ref(goal), "reviewer": person(reviewer)}


def checkin_signed(plan: Plan, checkin: CheckIn, milestone_key: str) -> Occurrence:
    signed = max(checkin.hire_signed_at, checkin.manager_signed_at)
    return f"checkin:{checkin.id}:{signed.isoformat()}", {
        "plan": plan_ref(plan),
        "checkin": {"id": checkin.id, "milestone": milestone_key,
                    "hire_signed_at": checkin.hire_signed_at.isoformat(),
                    "manager_signed_at": checkin.manager_signed_at.isoformat()}}


def plan_at_risk(plan: Plan, reasons: list[str], day: date) -> Occurrence:
    return f"plan:{plan.id}:{day.isoformat()}", {
        "plan": plan_ref(plan), "reasons": reasons, "day": day.isoformat()}


def plan_completed(plan: Plan, open_goals: int, at: datetime) -> Occurrence:
    return f"plan:{plan.id}:{at.isoformat()}", {"plan": plan_ref(plan), "open_goals": open_goals}
