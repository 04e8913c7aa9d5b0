"""Personal access tokens for the JSON API.

``access_tokens`` keeps, per token, its owner, a name, whether it is read-only, the SHA-256 of
the secret (never the secret), a short prefix to recognise it by, and when it was made, last
used and revoked. Nothing existing changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 00:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "access_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("read_only", sa.Boolean(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_access_tokens_user_id_users"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_access_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_access_tokens_token_hash")),
    )
    with op.batch_alter_table("access_tokens") as batch:
        batch.create_index(batch.f("ix_access_tokens_user_id"), ["user_id"], unique=False)


def downgrade():
    with op.batch_alter_table("access_tokens") as batch:
        batch.drop_index(batch.f("ix_access_tokens_user_id"))
    op.drop_table("access_tokens")
