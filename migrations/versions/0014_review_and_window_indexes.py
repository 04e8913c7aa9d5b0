"""Two indexes the benchmarks asked for: evidence by status (reviews waiting, the review
queue) and the outbox by send time (the keys a sweep's window already holds). At 100,000 hires
both were sequential scans (bench/README.md, EXPLAIN).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 23:20:00
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("evidence") as batch:
        batch.create_index("ix_evidence_status_goal_id", ["status", "goal_id"], unique=False)
    with op.batch_alter_table("notifications") as batch:
        batch.create_index("ix_notifications_send_after", ["send_after"], unique=False)


def downgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_send_after")
    with op.batch_alter_table("evidence") as batch:
        batch.drop_index("ix_evidence_status_goal_id")
