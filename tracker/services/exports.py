"""CSV exports of plans and of every goal's status, streamed: rows are read from the database
in batches as they are written out, so a hundred thousand plans cost the memory of one batch.

Each export is one statement with its numbers computed in SQL (no plan is loaded as an object),
read with ``yield_per``; the view wraps the rows in a streamed response.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlalchemy import orm as so

from tracker.extensions import db
from tracker.models import (
    GoalTemplate,
    Plan,
    PlanGoal,
    PlanMilestone,
    RoleTemplate,
    RoleVersion,
    User,
)
from tracker.models.enums import FINISHED_GOAL_STATUSES, GoalStatus
from tracker.services.at_risk import at_risk

BATCH = 1000
PLAN_HEADER = ["plan_id", "hire", "email", "role", "manager", "start_date", "status",
               "goals", "finished", "overdue_goals", "at_risk"]
GOAL_HEADER = ["plan_id", "hire_email", "role", "milestone", "due_date", "goal_key", "title",
               "owner", "status", "finished_at"]


def rows_as_csv(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text a few rows at a time. Cells that a spreadsheet would run as a formula (=, +,
    -, @ first) get a leading apostrophe: a hire named "=HYPERLINK(...)" stays a name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, 1):
        writer.writerow([_safe(value) for value in row])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def plan_rows(where, today: date) -> Iterator[tuple]:
    hire, manager = so.aliased(User), so.aliased(User)
    counted = PlanGoal.status != GoalStatus.RETIRED
    finished = PlanGoal.status.in_([s for s in FINISHED_GOAL_STATUSES if s != GoalStatus.RETIRED])
    goals = sa.select(sa.func.count(PlanGoal.id)).where(PlanGoal.plan_id == Plan.id, counted)
    done = sa.select(sa.func.count(PlanGoal.id)).where(PlanGoal.plan_id == Plan.id, finished)
    overdue = (sa.select(sa.func.count(PlanGoal.id)).join(PlanMilestone)
               .where(PlanGoal.plan_id == Plan.id, counted, ~finished,
                      PlanMilestone.due_date < today))
    query = (sa.select(Plan.id, hire.name, hire.email, RoleTemplate.slug, manager.name,
                       Plan.start_date, Plan.status, goals.scalar_subquery(),
                       done.scalar_subquery(), overdue.scalar_subquery(),
                       sa.case((at_risk(today), "yes"), else_="no"))
             .join(hire, hire.id == Plan.hire_id).join(manager, manager.id == Plan.manager_id)
             .join(RoleVersion, RoleVersion.id == Plan.role_version_id)
             .join(RoleTemplate, RoleTemplate.id == RoleVersion.template_id)
             .where(where).order_by(Plan.id))
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        plan_id, name, email, role, manager_name, start, status, *numbers = row
        yield (plan_id, name, email, role, manager_name, start.isoformat(), status.value,
               *numbers)


def goal_rows(where) -> Iterator[tuple]:
    hire = so.aliased(User)
    query = (sa.select(Plan.id, hire.email, RoleTemplate.slug, PlanMilestone.key,
                       PlanMilestone.due_date, GoalTemplate.key, PlanGoal.title, PlanGoal.owner,
                       PlanGoal.status, PlanGoal.finished_at)
             .join(Plan, Plan.id == PlanGoal.plan_id)
             .join(PlanMilestone, PlanMilestone.id == PlanGoal.milestone_id)
             .join(hire, hire.id == Plan.hire_id)
             .join(RoleVersion, RoleVersion.id == Plan.role_version_id)
             .join(RoleTemplate, RoleTemplate.id == RoleVersion.template_id)
             .outerjoin(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
             .where(where).order_by(Plan.id, PlanMilestone.position, PlanGoal.position))
    for row in db.session.execute(query.execution_options(yield_per=BATCH)):
        plan_id, email, role, milestone, due, key, title, owner, status, finished = row
        yield (plan_id, email, role, milestone.value, due.isoformat(), key or "", title,
               owner.value, status.value, finished.isoformat() if finished else "")
