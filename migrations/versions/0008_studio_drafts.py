"""The studio: drafts saved as you type, change notes on versions, and template editors.

``template_drafts`` holds one draft per template (or per new role not yet published).
``role_versions`` gains the change note and who published it. ``users.edits_templates`` is the
permission HR gives to someone who shapes the role library without being an admin.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "template_drafts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.Enum("role", "baseline", name="template_kind", native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column("based_on_id", sa.Integer(), nullable=True),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["based_on_id"], ["role_versions.id"],
                                name=op.f("fk_template_drafts_based_on_id_role_versions")),
        sa.ForeignKeyConstraint(["updated_by_id"], ["users.id"],
                                name=op.f("fk_template_drafts_updated_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_drafts")),
        sa.UniqueConstraint("slug", name=op.f("uq_template_drafts_slug")),
    )
    with op.batch_alter_table("role_versions") as batch:
        batch.add_column(sa.Column("change_note", sa.Text(), server_default="", nullable=False))
        batch.add_column(sa.Column("published_by_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f("fk_role_versions_published_by_id_users"), "users",
                                 ["published_by_id"], ["id"])
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("edits_templates", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_column("edits_templates")
    with op.batch_alter_table("role_versions") as batch:
        batch.drop_constraint(batch.f("fk_role_versions_published_by_id_users"),
                              type_="foreignkey")
        batch.drop_column("published_by_id")
        batch.drop_column("change_note")
    op.drop_table("template_drafts")
