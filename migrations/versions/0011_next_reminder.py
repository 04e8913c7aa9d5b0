"""A sweep that reads only what is due: each plan's next reminder time, and the settings it
was worked out with.

``plans.next_reminder_at`` is the earliest instant one of the plan's own reminders can next be
due (empty: work it out at the next sweep, which every existing plan gets). The sweep reads only
plans whose time has come, through an index on (status, next_reminder_at). ``sweep_settings``
keeps the fingerprint of the reminder settings those times came from.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("plans") as batch:
        batch.add_column(sa.Column("next_reminder_at", sa.DateTime(timezone=True),
                                   nullable=True))
        batch.create_index("ix_plans_status_next_reminder_at", ["status", "next_reminder_at"],
                           unique=False)
    op.create_table(
        "sweep_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sweep_settings")),
    )


def downgrade():
    op.drop_table("sweep_settings")
    with op.batch_alter_table("plans") as batch:
        batch.drop_index("ix_plans_status_next_reminder_at")
        batch.drop_column("next_reminder_at")
