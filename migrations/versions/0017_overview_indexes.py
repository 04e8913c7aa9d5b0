"""Partial indexes for the overview's counts: unfinished goals and goals waiting for review by
milestone, check-ins signed by one side only. At 100,000 hires each count read every goal or
check-in (bench/README.md, "The overview's counts"); these hold only the rows that count.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

UNFINISHED = "status NOT IN ('approved', 'done', 'waived', 'retired')"
SUBMITTED = "status = 'submitted'"
HALF_SIGNED = ("(hire_signed_at IS NOT NULL AND manager_signed_at IS NULL) OR "
               "(hire_signed_at IS NULL AND manager_signed_at IS NOT NULL)")
INDEXES = [
    ("plan_goals", "ix_plan_goals_unfinished_milestone_id", UNFINISHED),
    ("plan_goals", "ix_plan_goals_submitted_milestone_id", SUBMITTED),
    ("checkins", "ix_checkins_half_signed_milestone_id", HALF_SIGNED),
]


def upgrade():
    for table, name, where in INDEXES:
        op.create_index(name, table, ["milestone_id"], unique=False,
                        postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade():
    for table, name, _where in reversed(INDEXES):
        op.drop_index(name, table_name=table)
