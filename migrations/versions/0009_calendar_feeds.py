"""Calendar feeds: a secret address per person, and due-date revisions on milestones.

``calendar_feeds`` keeps one row per person who turned the feed on, holding only the hash of
the token in their address. ``plan_milestones`` gains ``due_date_revision`` (the feed's
SEQUENCE) and ``due_date_changed_at`` (its LAST-MODIFIED); existing milestones start at
revision 0 with no change recorded, which is what a calendar that never saw them needs.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_calendar_feeds_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feeds_token_hash")),
        sa.UniqueConstraint("user_id", name=op.f("uq_calendar_feeds_user_id")),
    )
    with op.batch_alter_table("plan_milestones") as batch:
        batch.add_column(sa.Column("due_date_revision", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("due_date_changed_at", sa.DateTime(timezone=True),
                                   nullable=True))


def downgrade():
    with op.batch_alter_table("plan_milestones") as batch:
        batch.drop_column("due_date_changed_at")
        batch.drop_column("due_date_revision")
    op.drop_table("calendar_feeds")
