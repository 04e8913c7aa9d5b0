"""Plans the reminder sweep could not work out, one row per plan, for the outbox page.

The sweep now leaves a plan it cannot work out (a date in the year 9999 in an old row, say)
out of its run instead of stopping for everyone; this table keeps which plan, since when, how
often and why, until a later sweep works it out again. A new table: existing rows are untouched.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sweep_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("first_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"],
                                name=op.f("fk_sweep_problems_plan_id_plans"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_problems")),
        sa.UniqueConstraint("plan_id", name=op.f("uq_sweep_problems_plan_id")),
    )


def downgrade():
    op.drop_table("sweep_problems")
