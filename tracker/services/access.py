"""Who may see what. Permissions come from a plan's relationships plus the admin flag.

Views ask these functions instead of comparing ids themselves, so every route applies the same
rule, and list queries filter in SQL rather than loading rows and dropping them.
"""
from __future__ import annotations

import sqlalchemy as sa

from tracker.models import Plan, User


def can_view_plan(user: User, plan: Plan) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_admin or user.id in (plan.hire_id, plan.manager_id, plan.buddy_id)


def can_see_conversations(user: User, plan: Plan) -> bool:
    """Check-ins and pulses hold personal assessments: the hire, the manager and admins only.

    The buddy helps with the plan's goals but is not part of these conversations.
    """
    return can_view_plan(user, plan) and relationship_to(user, plan) in ("hire", "manager", "admin")


def own_plans_clause(user: User):
    """Plans ``user`` is part of as hire, manager or buddy (an admin's own, not every plan)."""
    return sa.or_(Plan.hire_id == user.id, Plan.manager_id == user.id, Plan.buddy_id == user.id)


def relationship_to(user: User, plan: Plan) -> str:
    """How the page should address the viewer: as the hire, manager, buddy or an admin."""
    if user.id == plan.hire_id:
        return "hire"
    if user.id == plan.manager_id:
        return "manager"
    if user.id == plan.buddy_id:
        return "buddy"
    return "admin" if user.is_admin else "none"
