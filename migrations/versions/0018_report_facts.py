"""Report facts: each plan's contribution to the reports and the overview's counts, their
totals by role, start quarter and layer, and the day they hold for (models/report_facts.py).
Every existing plan starts with ``facts_until`` NULL, so the scheduler (or ``tracker reports
refresh``) works them all out once; until then the pages read the live statements. Also an
index on the start date (the report filters' first and last quarter) and on evidence reviewers
(the reviews report's longest waits, read for the reviewers shown), and on people's time
zones (the sweep lists the zones in use with a probe per zone, not a pass over everyone).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 03:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("facts_until", sa.Date(), nullable=True))
        batch.create_index("ix_plans_facts_until", ["facts_until"], unique=False)
        batch.create_index("ix_plans_start_date", ["start_date"], unique=False)
    op.create_index("ix_evidence_reviewer_id", "evidence", ["reviewer_id"], unique=False)
    op.create_index("ix_users_timezone", "users", ["timezone"], unique=False)
    op.create_table(
        "plan_facts",
        sa.Column("plan_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id", name=op.f("pk_plan_facts")),
    )
    op.create_table(
        "report_totals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report", sa.String(length=16), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("cohort", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False)
          for name in ("n0", "n1", "n2", "n3", "total")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_totals")),
        sa.UniqueConstraint("report", "layer_id", "role_id", "cohort", "key",
                            name="uq_report_totals_cell"),
    )
    op.create_table(
        "report_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=True),
        sa.Column("thresholds", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_state")),
    )


def downgrade():
    op.drop_table("report_state")
    op.drop_table("report_totals")
    op.drop_table("plan_facts")
    op.drop_index("ix_users_timezone", table_name="users")
    op.drop_index("ix_evidence_reviewer_id", table_name="evidence")
    with op.batch_alter_table("plans") as batch:
        batch.drop_index("ix_plans_start_date")
        batch.drop_index("ix_plans_facts_until")
        batch.drop_column("facts_until")
