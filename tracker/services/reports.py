"""Reports HR can act on, each one grouped statement: the template goals that run late.

Goals are followed by their template's stable key (services/goal_keys.py), so the same goal
counts together across template versions, and each row links to that goal in the studio: a
goal that is late in most plans is a goal to rewrite, move or split.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    Evidence,
    EvidenceStatus,
    GoalStatus,
    GoalTemplate,
    MilestoneTemplate,
    Plan,
    PlanGoal,
    PlanMilestone,
    PlanStatus,
    RoleTemplate,
    RoleVersion,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES
from tracker.services.plan_pages import role_layer_cohort


@dataclass(frozen=True)
class GoalRow:
    template: str  # the slug of the template the goal comes from (a role or the baseline)
    template_name: str
    key: str
    title: str
    goals: int  # in how many plans
    late: int  # finished after its milestone's due date, or still open past it
    waived: int
    sent_back: int  # evidence came back with "changes requested" at least once

    @property
    def late_percent(self) -> int:
        return round(100 * self.late / self.goals) if self.goals else 0


def plan_filter(role: str = "", cohort: str = "", layer: str = ""
                ) -> tuple[sa.ColumnElement, dict]:
    """Which plans a report reads: not archived, of ``role``, started in ``cohort``, made
    with the team or context ``layer``."""
    clauses, chosen = role_layer_cohort(role=role, layer=layer, cohort=cohort)
    return sa.and_(Plan.status != PlanStatus.ARCHIVED, *clauses), chosen


def late_goals(where, today: date) -> list[GoalRow]:
    """Template goals by key, the most often late first, in one statement."""
    unfinished = PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES))
    finished_late = sa.and_(PlanGoal.finished_at.is_not(None),
                            sa.func.date(PlanGoal.finished_at) > PlanMilestone.due_date,
                            PlanGoal.status != GoalStatus.WAIVED)
    late = sa.or_(sa.and_(unfinished, PlanMilestone.due_date < today), finished_late)
    sent_back = sa.exists().where(Evidence.goal_id == PlanGoal.id,
                                  Evidence.status == EvidenceStatus.CHANGES_REQUESTED)
    count_if = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    late_count = count_if(late)
    query = (
        sa.select(RoleTemplate.slug, RoleTemplate.name, GoalTemplate.key,
                  sa.func.max(PlanGoal.title), sa.func.count(PlanGoal.id), late_count,
                  count_if(PlanGoal.status == GoalStatus.WAIVED), count_if(sent_back))
        .join(PlanMilestone, PlanGoal.milestone_id == PlanMilestone.id)
        .join(Plan, Plan.id == PlanGoal.plan_id)
        .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
        .join(MilestoneTemplate, MilestoneTemplate.id == GoalTemplate.milestone_id)
        .join(RoleVersion, RoleVersion.id == MilestoneTemplate.version_id)
        .join(RoleTemplate, RoleTemplate.id == RoleVersion.template_id)
        .where(where, PlanGoal.status != GoalStatus.RETIRED)
        .group_by(RoleTemplate.slug, RoleTemplate.name, GoalTemplate.key)
        .order_by((late_count * 1.0 / sa.func.count(PlanGoal.id)).desc(), late_count.desc(),
                  GoalTemplate.key))
    return [GoalRow(slug, name, key, title, goals, late or 0, waived or 0, sent or 0)
            for slug, name, key, title, goals, late, waived, sent in db.session.execute(query)]
