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


def late_goal_counts(where, today: date, by: tuple = ()) -> sa.Select:
    """Per template goal (its template's id and its stable key), grouped further by ``by``:
    in how many plans, late, waived, sent back. The report reads it for every plan the filter
    selects; ``services/rollup.py`` reads it per plan, with ``by=(Plan.id,)``."""
    unfinished = PlanGoal.status.not_in(list(FINISHED_GOAL_STATUSES))
    finished_late = sa.and_(PlanGoal.finished_at.is_not(None),
                            sa.func.date(PlanGoal.finished_at) > PlanMilestone.due_date,
                            PlanGoal.status != GoalStatus.WAIVED)
    late = sa.or_(sa.and_(unfinished, PlanMilestone.due_date < today), finished_late)
    sent_back = sa.exists().where(Evidence.goal_id == PlanGoal.id,
                                  Evidence.status == EvidenceStatus.CHANGES_REQUESTED)
    count_if = lambda condition: sa.func.sum(sa.case((condition, 1), else_=0))  # noqa: E731
    return (
        sa.select(*by, RoleVersion.template_id, GoalTemplate.key, sa.func.count(PlanGoal.id),
                  count_if(late), count_if(PlanGoal.status == GoalStatus.WAIVED),
                  count_if(sent_back))
        .join(PlanMilestone, PlanGoal.milestone_id == PlanMilestone.id)
        .join(Plan, Plan.id == PlanGoal.plan_id)
        .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
        .join(MilestoneTemplate, MilestoneTemplate.id == GoalTemplate.milestone_id)
        .join(RoleVersion, RoleVersion.id == MilestoneTemplate.version_id)
        .where(where, PlanGoal.status != GoalStatus.RETIRED)
        .group_by(*by, RoleVersion.template_id, GoalTemplate.key))


def goal_rows(counts) -> list[GoalRow]:
    """``(template id, key, goals, late, waived, sent back)`` as the report's rows, the most
    often late first, each named by its template and by the goal's title in the template's
    latest version that has it (the title the studio shows)."""
    counts = [c for c in counts if c[2]]
    templates = {c[0] for c in counts}
    names, titles = {}, {}
    if templates:
        for template_id, slug, name, key, title in db.session.execute(
                sa.select(RoleTemplate.id, RoleTemplate.slug, RoleTemplate.name, GoalTemplate.key,
                          GoalTemplate.title)
                .join(RoleVersion, RoleVersion.template_id == RoleTemplate.id)
                .join(MilestoneTemplate, MilestoneTemplate.version_id == RoleVersion.id)
                .join(GoalTemplate, GoalTemplate.milestone_id == MilestoneTemplate.id)
                .where(RoleTemplate.id.in_(templates))
                .order_by(RoleVersion.number, GoalTemplate.id)):
            names[template_id] = (slug, name)
            titles[template_id, key] = title  # the latest version's wins
    rows = [GoalRow(*names[template_id], key, titles.get((template_id, key), key),
                    int(goals), int(late or 0), int(waived or 0), int(sent or 0))
            for template_id, key, goals, late, waived, sent in counts]
    return sorted(rows, key=lambda r: (-r.late / r.goals, -r.late, r.key, r.template))


def late_goals(where, today: date) -> list[GoalRow]:
    """Template goals by key, the most often late first, read from every plan ``where``
    selects (``rollup.py`` reads the same numbers from its totals)."""
    return goal_rows(db.session.execute(late_goal_counts(where, today)).all())
