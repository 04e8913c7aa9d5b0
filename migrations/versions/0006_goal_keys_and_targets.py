"""Stable goal keys on template goals, and an optional measurable target on goals.

Every template goal gets a key: the slug of its title, made unique within its version in the
order the goals are listed. The shipped library carries the same keys, computed the same way,
so a version loaded before this revision and the same role loaded after it compare as equal.
The slug rule is copied here on purpose: a migration must not change when the app's does.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 11:20:00
"""
import re

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

LIMIT = 48


def key_from_title(title, taken):
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "goal"
    if len(slug) > LIMIT:
        head = slug[:LIMIT + 1]
        slug = head.rsplit("-", 1)[0] if "-" in head else slug[:LIMIT]
    key, n = slug, 2
    while key in taken:
        suffix = f"-{n}"
        key, n = slug[:LIMIT - len(suffix)].rstrip("-") + suffix, n + 1
    return key


def upgrade():
    with op.batch_alter_table("goal_templates") as batch:
        batch.add_column(sa.Column("key", sa.String(length=48), nullable=True))
        batch.add_column(sa.Column("target", sa.String(length=200), nullable=True))
    with op.batch_alter_table("plan_goals") as batch:
        batch.add_column(sa.Column("target", sa.String(length=200), nullable=True))
    connection = op.get_bind()
    goals = sa.table("goal_templates", sa.column("id"), sa.column("milestone_id"),
                     sa.column("title"), sa.column("position"), sa.column("key"))
    milestones = sa.table("milestone_templates", sa.column("id"), sa.column("version_id"),
                          sa.column("position"))
    rows = connection.execute(
        sa.select(goals.c.id, goals.c.title, milestones.c.version_id)
        .join(milestones, milestones.c.id == goals.c.milestone_id)
        .order_by(milestones.c.version_id, milestones.c.position, goals.c.position, goals.c.id)
    ).all()
    taken: dict[int, set] = {}
    for goal_id, title, version_id in rows:
        used = taken.setdefault(version_id, set())
        key = key_from_title(title, used)
        used.add(key)
        connection.execute(sa.update(goals).where(goals.c.id == goal_id).values(key=key))
    with op.batch_alter_table("goal_templates") as batch:
        batch.alter_column("key", existing_type=sa.String(length=48), nullable=False)


def downgrade():
    with op.batch_alter_table("plan_goals") as batch:
        batch.drop_column("target")
    with op.batch_alter_table("goal_templates") as batch:
        batch.drop_column("target")
        batch.drop_column("key")
