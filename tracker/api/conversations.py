"""Check-ins and pulses, the personal part of a plan: the hire, the manager and HR, never the
buddy. Each half of a check-in is written by its person and the record is signed by both, with
the digest the caller read, exactly as on the check-in page."""
from __future__ import annotations

from datetime import date

from tracker.api import access, answers, bp, spec
from tracker.api.inputs import HireHalfIn, ManagerHalfIn, PulseIn, SignIn
from tracker.api.present import checkin, pulse
from tracker.api.schemas import CheckInList, CheckInOut, Pulses
from tracker.extensions import db
from tracker.models import Plan, PlanMilestone
from tracker.services import checkins as rules
from tracker.services import pulses
from tracker.services.policy import PlanPolicy
from tracker.services.progress import local_today

MILESTONE = "<any(d30,d60,d90,m6,m12):milestone>"
WRITE_ERRORS = (404, 422)


def _conversation(plan_id: int) -> tuple[Plan, PlanPolicy, date]:
    plan, can = access.plan_or_404(plan_id)
    access.enforce(can.see_conversations())
    return plan, can, local_today(plan.hire.timezone)


def _one(plan_id: int, milestone_key: str) -> tuple[Plan, PlanMilestone, PlanPolicy, date]:
    plan, can, today = _conversation(plan_id)
    return plan, access.milestone_or_404(plan, milestone_key), can, today


def _answer(milestone: PlanMilestone, today: date) -> CheckInOut:
    db.session.commit()
    return checkin(milestone, rules.check_in_for(milestone), today)


@bp.get("/plans/<int:plan_id>/checkins")
@spec.validate(resp=answers(HTTP_200=CheckInList), tags=["check-ins"])
def list_checkins(plan_id: int):
    """Every milestone's check-in, begun or not, with where it stands."""
    plan, _can, today = _conversation(plan_id)
    found = rules.checkins_by_milestone(plan.id)
    return CheckInList(items=[checkin(m, found.get(m.id), today) for m in plan.milestones])


@bp.put(f"/plans/<int:plan_id>/checkins/{MILESTONE}/hire")
@spec.validate(json=HireHalfIn, resp=answers(errors=WRITE_ERRORS, HTTP_200=CheckInOut),
               tags=["check-ins"])
def write_hire_half(plan_id: int, milestone: str, json: HireHalfIn):
    """The hire's self-assessment; saving it after a signature clears both signatures."""
    plan, stone, can, today = _one(plan_id, milestone)
    access.enforce(can.write_checkin("hire", stone, rules.check_in_for(stone), today))
    rules.save_hire_part(plan, stone, access.me(), today, self_assessment=json.self_assessment,
                         went_well=json.went_well, blockers=json.blockers,
                         goal_notes=json.goal_notes)
    return _answer(stone, today)


@bp.put(f"/plans/<int:plan_id>/checkins/{MILESTONE}/manager")
@spec.validate(json=ManagerHalfIn, resp=answers(errors=WRITE_ERRORS, HTTP_200=CheckInOut),
               tags=["check-ins"])
def write_manager_half(plan_id: int, milestone: str, json: ManagerHalfIn):
    """The manager's assessment, rating and next steps."""
    plan, stone, can, today = _one(plan_id, milestone)
    access.enforce(can.write_checkin("manager", stone, rules.check_in_for(stone), today))
    rules.save_manager_part(plan, stone, access.me(), today, assessment=json.assessment,
                            rating=json.rating, next_steps=json.next_steps)
    return _answer(stone, today)


@bp.post(f"/plans/<int:plan_id>/checkins/{MILESTONE}/sign")
@spec.validate(json=SignIn, resp=answers(errors=WRITE_ERRORS, HTTP_200=CheckInOut),
               tags=["check-ins"])
def sign(plan_id: int, milestone: str, json: SignIn):
    """Sign the check-in as read: ``digest`` must be the one the caller last fetched."""
    plan, stone, can, today = _one(plan_id, milestone)
    access.enforce(can.sign_checkin(stone, rules.check_in_for(stone), today), "checkin")
    rules.sign(plan, stone, access.me(), today, json.digest)
    return _answer(stone, today)


@bp.get("/plans/<int:plan_id>/pulses")
@spec.validate(resp=answers(HTTP_200=Pulses), tags=["pulses"])
def list_pulses(plan_id: int):
    """The hire's answers, oldest first, and when the next pulse is due."""
    plan, _can, today = _conversation(plan_id)
    return Pulses(next_due=pulses.next_pulse(plan, today),
                  answers=[pulse(p) for p in pulses.answers(plan.id)])


@bp.post("/plans/<int:plan_id>/pulses")
@spec.validate(json=PulseIn, resp=answers(errors=WRITE_ERRORS, HTTP_201=Pulses),
               tags=["pulses"])
def answer_pulse(plan_id: int, json: PulseIn):
    """The hire answers the pulse that is waiting (422 when none is)."""
    plan, can, _today = _conversation(plan_id)
    access.forbid(can.answer_pulse(None))
    today = local_today(access.me().timezone)
    pulses.answer(plan, access.me(), today, confidence=str(json.confidence),
                  blocker=json.blocker, win=json.win)
    db.session.commit()
    return Pulses(next_due=pulses.next_pulse(plan, today),
                  answers=[pulse(p) for p in pulses.answers(plan.id)]), 201
