"""Check-ins name the manager who wrote and who signed the manager's half.

The plan's manager can change after a check-in; until now the page took the current manager's
name, which could credit a signature to someone who never saw the check-in. Existing rows are
filled with the plan's manager at the time of this migration, the best information there is.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 01:17:25
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("manager_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("manager_signed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_checkins_manager_signed_by_id_users"),
                                    "users", ["manager_signed_by_id"], ["id"])
        batch_op.create_foreign_key(batch_op.f("fk_checkins_manager_id_users"),
                                    "users", ["manager_id"], ["id"])
    plan_manager = sa.text(
        "(SELECT plans.manager_id FROM plans JOIN plan_milestones"
        " ON plan_milestones.plan_id = plans.id WHERE plan_milestones.id = checkins.milestone_id)")
    op.execute(f"UPDATE checkins SET manager_id = {plan_manager} WHERE manager_assessment <> ''")
    op.execute(f"UPDATE checkins SET manager_signed_by_id = {plan_manager}"
               " WHERE manager_signed_at IS NOT NULL")


def downgrade():
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_checkins_manager_id_users"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_checkins_manager_signed_by_id_users"),
                                 type_="foreignkey")
        batch_op.drop_column("manager_signed_by_id")
        batch_op.drop_column("manager_id")
