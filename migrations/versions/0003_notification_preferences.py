"""Each person chooses which reminder emails they get (all, the weekly digest, check-ins).

Everyone starts with "all", which is what they received before this revision.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notification_preference", sa.String(length=16),
                                      server_default="all", nullable=False))


def downgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("notification_preference")
