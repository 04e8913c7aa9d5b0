"""Reminders in chat: each outbox row says its channel, and people keep their chat settings.

``notifications.channel`` is "email" for every row already there (the server default), so
nothing queued changes; a chat row is a second row with its own dedupe key (the email key plus
``:chat``), which keeps the one unique key the sweep inserts against. ``chat_settings`` is one
row per person who chose anything about chat.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 00:05:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column(
            "channel", sa.Enum("email", "chat", name="notification_channel", native_enum=False,
                               create_constraint=True, length=32),
            nullable=False, server_default="email"))
    op.create_table(
        "chat_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channels", sa.JSON(), nullable=False),
        sa.Column("webhook_url", sa.String(length=1000), nullable=True),
        sa.Column("slack_user_id", sa.String(length=40), nullable=True),
        sa.Column("slack_email", sa.String(length=254), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_chat_settings_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_settings")),
        sa.UniqueConstraint("user_id", name=op.f("uq_chat_settings_user_id")),
    )


def downgrade():
    op.drop_table("chat_settings")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_constraint(op.f("ck_notifications_notification_channel"), type_="check")
        batch.drop_column("channel")
