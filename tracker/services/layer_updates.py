"""What a newer version of one of a plan's layers would change in it, goal by goal, by key.

A layer adds goals, replaces a lower goal (keeping its key) and drops lower goals. So against
its latest version a running plan can see: a goal the layer adds or replaces reworded, moved or
otherwise changed (the plan's goal takes the new words and keeps its status and evidence); a
goal newly added; a goal the layer no longer adds, or newly drops (removed, or retired when work
was done on it); a lower goal the layer newly replaces (it takes the layer's words and keeps its
status and evidence). A goal the layer stops replacing keeps the layer's words: going back to
the lower template's words is a change of that template, not of the layer.

The changes are ``PendingChange`` rows like a role's (source ``layer``), so the same page, the
same adoption service and the same decisions table serve them.
"""
from __future__ import annotations

import sqlalchemy as sa

from tracker.extensions import db
from tracker.models import (
    GoalAction,
    GoalSource,
    GoalStatus,
    GoalTemplate,
    MilestoneKey,
    MilestoneTemplate,
    Plan,
    PlanGoal,
    RoleVersion,
)
from tracker.services.role_compare import GoalPlace, differences


def entries(version: RoleVersion) -> tuple[dict[str, GoalPlace], set[str]]:
    """A layer version's goals it adds or replaces, by key, and the keys it drops."""
    places, drops = {}, set()
    for milestone in version.milestones:
        for goal in milestone.goals:
            if goal.action == GoalAction.DROP:
                drops.add(goal.key)
            else:
                places[goal.key] = GoalPlace(goal, MilestoneKey(milestone.key), goal.position)
    return places, drops


def layer_goal_templates(plan: Plan) -> dict[int, tuple[str, int, GoalAction]]:
    """Plan goal id -> (its template goal's key, that template's id, what the template goal
    does), in one query."""
    rows = db.session.execute(
        sa.select(PlanGoal.id, GoalTemplate.key, RoleVersion.template_id, GoalTemplate.action)
        .join(GoalTemplate, GoalTemplate.id == PlanGoal.template_goal_id)
        .join(MilestoneTemplate, MilestoneTemplate.id == GoalTemplate.milestone_id)
        .join(RoleVersion, RoleVersion.id == MilestoneTemplate.version_id)
        .where(PlanGoal.plan_id == plan.id)).all()
    return {goal_id: (key, template_id, action) for goal_id, key, template_id, action in rows}


def layer_changes(plan: Plan, pinned: RoleVersion, latest: RoleVersion,
                  owners: dict[int, tuple[str, int, GoalAction]], skip: set[str]) -> list[tuple]:
    """(key, kinds, plan goal or None, latest place or None) for each change the latest
    version of this layer brings; ``skip`` holds keys already decided or still declined."""
    new_places, new_drops = entries(latest)
    old_places, old_drops = entries(pinned)
    everyone, mine, adds = {}, {}, set()
    for milestone in plan.milestones:
        for goal in milestone.goals:
            if goal.status == GoalStatus.RETIRED or goal.id not in owners:
                continue
            key, template_id, action = owners[goal.id]
            everyone.setdefault(key, (milestone.key, goal))
            if goal.source == GoalSource.LAYER and template_id == pinned.template_id:
                mine.setdefault(key, (milestone.key, goal))
                if action == GoalAction.ADD:
                    adds.add(key)
    found = []
    for key, place in new_places.items():
        if key in skip:
            continue
        here = mine.get(key)
        if here is None and key in old_places:
            continue  # HR took it off the plan, or its removal was adopted: not new
        if here is None and place.goal.action == GoalAction.REPLACE:
            here = everyone.get(key)  # a lower goal this version starts replacing
        elif here is None and key in everyone:
            continue  # another source has that key: the merge would refuse it, so offer nothing
        if here is None:
            found.append((key, ["added"], None, place))
            continue
        milestone_key, goal = here
        kinds = differences(GoalPlace(goal, milestone_key, goal.position), place)
        if kinds:
            found.append((key, kinds, goal, place))
    for key, (_, goal) in mine.items():
        gone = key not in new_places and key in adds
        if key not in skip and (gone or key in new_drops):
            found.append((key, ["removed"], goal, None))
    for key in sorted(new_drops - old_drops - set(mine) - skip):
        if key in everyone:
            found.append((key, ["removed"], everyone[key][1], None))
    return found
