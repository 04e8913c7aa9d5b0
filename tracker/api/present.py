"""Records as the API's response models, loading what a list needs in a fixed number of queries.

A page of plans costs the same whether it holds one plan or two hundred: people, role versions
and layers come with ``selectinload``, and progress is one grouped count for the whole page.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.api import schemas
from tracker.extensions import db
from tracker.models import (
    CheckIn,
    Evidence,
    GoalStatus,
    Notification,
    Plan,
    PlanGoal,
    PlanLayer,
    PlanMilestone,
    PulseCheckIn,
    RoleVersion,
    User,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services import plan_pages
from tracker.services.checkins import content_digest, stage
from tracker.services.policy import checkin_opens_on

PLAN_LOADS = (so.selectinload(Plan.hire), so.selectinload(Plan.manager),
              so.selectinload(Plan.buddy),
              so.selectinload(Plan.role_version).selectinload(RoleVersion.template),
              so.selectinload(Plan.layers).selectinload(PlanLayer.version)
              .selectinload(RoleVersion.template))
# What one goal shows besides itself: its milestone, template key, and evidence with people.
GOAL_LOADS = (so.selectinload(PlanGoal.milestone), so.selectinload(PlanGoal.template_goal),
              so.selectinload(PlanGoal.evidence).selectinload(Evidence.author),
              so.selectinload(PlanGoal.evidence).selectinload(Evidence.reviewer))
# The plan page's own loading (services/plan_pages.py), plus each goal's template key.
TEMPLATE_KEYS = (so.selectinload(Plan.milestones).selectinload(PlanMilestone.goals)
                 .selectinload(PlanGoal.template_goal),)


def person(user: User | None) -> schemas.Person | None:
    return None if user is None else schemas.Person(id=user.id, name=user.name, email=user.email)


def progress_of(plan_ids: list[int]) -> dict[int, schemas.Progress]:
    """Finished and counted goals per plan, in one grouped query (retired goals do not count)."""
    counted = PlanGoal.status != GoalStatus.RETIRED
    finished = sa.func.count().filter(PlanGoal.status.in_(
        [s for s in FINISHED_GOAL_STATUSES if s.counts]))
    rows = db.session.execute(sa.select(PlanGoal.plan_id, finished, sa.func.count())
                              .where(PlanGoal.plan_id.in_(plan_ids), counted)
                              .group_by(PlanGoal.plan_id)) if plan_ids else []
    out = {plan_id: schemas.Progress(done=0, total=0) for plan_id in plan_ids}
    out.update({plan_id: schemas.Progress(done=done, total=total)
                for plan_id, done, total in rows})
    return out


def _summary_fields(plan: Plan, progress: schemas.Progress) -> dict:
    version = plan.role_version
    return dict(id=plan.id, status=plan.status.value, start_date=plan.start_date,
                hire=person(plan.hire), manager=person(plan.manager), buddy=person(plan.buddy),
                timezone=plan.hire.timezone,
                role=schemas.RoleRef(slug=version.template.slug, name=version.template.name,
                                     version=version.number),
                layers=[layer.version.template.slug for layer in plan.layers],
                progress=progress)


def plan_summaries(plans: list[Plan]) -> list[schemas.PlanSummary]:
    progress = progress_of([plan.id for plan in plans])
    return [schemas.PlanSummary(**_summary_fields(plan, progress[plan.id])) for plan in plans]


def load_plan(plan_id: int) -> Plan:
    """The plan with everything its detail shows, loaded as the plan page loads it."""
    return plan_pages.load_plan(plan_id, *TEMPLATE_KEYS)


def plan_detail(plan: Plan, model=schemas.PlanOut, **extra) -> schemas.PlanOut:
    progress = progress_of([plan.id])[plan.id]
    milestones = [schemas.MilestoneOut(key=m.key.value, title=m.title, due_date=m.due_date,
                                       goals=[goal(g, m) for g in m.goals])
                  for m in plan.milestones]
    return model(**_summary_fields(plan, progress), milestones=milestones, **extra)


def evidence(item: Evidence) -> schemas.EvidenceOut:
    return schemas.EvidenceOut(
        id=item.id, kind=item.kind.value, status=item.status.value, note=item.note,
        url=item.url, file_name=item.file_name, author=person(item.author),
        created_at=item.created_at, reviewer=person(item.reviewer),
        review_comment=item.review_comment, reviewed_at=item.reviewed_at)


def goal(item: PlanGoal, milestone: PlanMilestone | None = None) -> schemas.GoalOut:
    milestone = milestone or item.milestone
    return schemas.GoalOut(
        id=item.id, plan_id=item.plan_id, milestone=milestone.key.value,
        key=item.template_goal.key if item.template_goal else None, title=item.title,
        description=item.description, owner=item.owner.value, status=item.status.value,
        evidence_required=item.evidence_required, target=item.target,
        waived_reason=item.waived_reason, evidence=[evidence(e) for e in item.evidence])


def load_goal(goal_id: int) -> PlanGoal:
    return db.session.scalars(sa.select(PlanGoal).where(PlanGoal.id == goal_id)
                              .options(*GOAL_LOADS)
                              .execution_options(populate_existing=True)).one()


def checkin(milestone: PlanMilestone, item: CheckIn | None, today) -> schemas.CheckInOut:
    blank = CheckIn(self_assessment="", went_well="", blockers="", goal_notes={},
                    manager_assessment="", next_steps="")
    record = item or blank
    return schemas.CheckInOut(
        milestone=milestone.key.value, due_date=milestone.due_date,
        opens_on=checkin_opens_on(milestone), stage=stage(item, milestone, today),
        self_assessment=record.self_assessment or "", went_well=record.went_well or "",
        blockers=record.blockers or "", goal_notes=dict(record.goal_notes or {}),
        manager_assessment=record.manager_assessment or "",
        rating=record.rating.value if record.rating else None,
        next_steps=record.next_steps or "", hire_signed_at=record.hire_signed_at,
        manager_signed_at=record.manager_signed_at, digest=content_digest(item))


def pulse(item: PulseCheckIn) -> schemas.PulseOut:
    return schemas.PulseOut(due_on=item.due_on, confidence=item.confidence, blocker=item.blocker,
                            win=item.win, created_at=item.created_at)


def notification(item: Notification) -> schemas.NotificationOut:
    return schemas.NotificationOut(
        id=item.id, kind=item.kind, recipient=person(item.recipient), plan_id=item.plan_id,
        status=item.status.value, send_after=item.send_after, attempts=item.attempts,
        sent_at=item.sent_at, last_error=item.last_error, skip_reason=item.skip_reason)
