"""Adopting template changes into running plans: the decisions, and retired goals.

``plan_adoptions`` keeps what a plan's manager or HR decided about each change a newer template
version brought (adopted or declined), so a decline holds until a newer version changes that
goal again. ``plan_goals.status`` gains ``retired``: a goal the template dropped after work was
done on it is kept with its evidence but no longer counts. Going down turns retired goals back
into waived ones, the nearest state the older schema knows, and says why in the reason.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 09:40:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_STATUSES = ("open", "submitted", "changes_requested", "approved", "done", "waived")


def goal_status(values):
    return sa.Enum(*values, name="goal_status", native_enum=False, create_constraint=True,
                   length=32)


def upgrade():
    op.create_table(
        "plan_adoptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=48), nullable=False),
        sa.Column("source", sa.Enum("role", "baseline", "custom", name="goal_source",
                                    native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("decision", sa.Enum("adopted", "declined", name="adoption_decision",
                                      native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["users.id"],
                                name=op.f("fk_plan_adoptions_actor_id_users")),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_adoptions_plan_id_plans")),
        sa.ForeignKeyConstraint(["version_id"], ["role_versions.id"],
                                name=op.f("fk_plan_adoptions_version_id_role_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_adoptions")),
        sa.UniqueConstraint("plan_id", "source", "key", "version_id",
                            name=op.f("uq_plan_adoptions_plan_id_source_key_version_id")),
    )
    with op.batch_alter_table("plan_adoptions") as batch:
        batch.create_index(batch.f("ix_plan_adoptions_plan_id"), ["plan_id"], unique=False)
    with op.batch_alter_table("plan_goals") as batch:
        batch.alter_column("status", existing_type=goal_status(OLD_STATUSES),
                           type_=goal_status(OLD_STATUSES + ("retired",)),
                           existing_nullable=False)


def downgrade():
    op.execute("UPDATE plan_goals SET status = 'waived', waived_reason = 'Retired from the "
               "template' WHERE status = 'retired'")
    with op.batch_alter_table("plan_goals") as batch:
        batch.alter_column("status", existing_type=goal_status(OLD_STATUSES + ("retired",)),
                           type_=goal_status(OLD_STATUSES), existing_nullable=False)
    with op.batch_alter_table("plan_adoptions") as batch:
        batch.drop_index(batch.f("ix_plan_adoptions_plan_id"))
    op.drop_table("plan_adoptions")
