"""Layers: optional team and context templates merged on top of baseline + role.

A layer is a template like a role (``template_kind`` gains ``layer``) with a type (team or
context, ``role_templates.layer_type``). A layer's goal can add, replace a lower goal by key, or
drop one (``goal_templates.action``; roles and the baseline only add). ``plan_layers`` records
which layer versions a plan was made from and in which order, and plan goals a layer brought
have the source ``layer``.

Going down forgets layers: their goals in plans become custom goals (kept, with their
evidence, but tied to no template), and the layer templates and their versions are deleted,
since the older schema cannot name them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 21:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KINDS = ("role", "baseline")
SOURCES = ("role", "baseline", "custom")
# (table, column, enum name, values before this revision)
WIDENED = (("role_templates", "kind", "template_kind", KINDS),
           ("template_drafts", "kind", "template_kind", KINDS),
           ("plan_goals", "source", "goal_source", SOURCES),
           ("plan_adoptions", "source", "goal_source", SOURCES))


def enum(name, values):
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _widen(up: bool) -> None:
    for table, column, name, values in WIDENED:
        wide = enum(name, values + ("layer",))
        narrow = enum(name, values)
        with op.batch_alter_table(table) as batch:
            batch.alter_column(column, existing_type=narrow if up else wide,
                               type_=wide if up else narrow, existing_nullable=False)


def upgrade():
    _widen(up=True)
    with op.batch_alter_table("role_templates") as batch:
        batch.add_column(sa.Column("layer_type", enum("layer_type", ("team", "context")),
                                   nullable=True))
    with op.batch_alter_table("goal_templates") as batch:
        batch.add_column(sa.Column("action", enum("goal_action", ("add", "replace", "drop")),
                                   server_default="add", nullable=False))
    op.create_table(
        "plan_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], ondelete="CASCADE",
                                name=op.f("fk_plan_layers_plan_id_plans")),
        sa.ForeignKeyConstraint(["version_id"], ["role_versions.id"],
                                name=op.f("fk_plan_layers_version_id_role_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_layers")),
        sa.UniqueConstraint("plan_id", "position", name=op.f("uq_plan_layers_plan_id_position")),
    )
    with op.batch_alter_table("plan_layers") as batch:
        batch.create_index(batch.f("ix_plan_layers_version_id"), ["version_id"], unique=False)


LAYER_VERSIONS = ("SELECT v.id FROM role_versions v JOIN role_templates t "
                  "ON t.id = v.template_id WHERE t.kind = 'layer'")
LAYER_MILESTONES = f"SELECT id FROM milestone_templates WHERE version_id IN ({LAYER_VERSIONS})"
LAYER_GOALS = f"SELECT id FROM goal_templates WHERE milestone_id IN ({LAYER_MILESTONES})"


def downgrade():
    op.execute("UPDATE plan_goals SET source = 'custom', template_goal_id = NULL "
               "WHERE source = 'layer'")
    op.execute(f"UPDATE plan_goals SET template_goal_id = NULL "
               f"WHERE template_goal_id IN ({LAYER_GOALS})")
    op.execute("DELETE FROM plan_adoptions WHERE source = 'layer' "
               f"OR version_id IN ({LAYER_VERSIONS})")
    op.execute("DELETE FROM template_drafts WHERE kind = 'layer'")
    with op.batch_alter_table("plan_layers") as batch:
        batch.drop_index(batch.f("ix_plan_layers_version_id"))
    op.drop_table("plan_layers")
    op.execute(f"DELETE FROM goal_templates WHERE id IN ({LAYER_GOALS})")
    op.execute(f"DELETE FROM milestone_templates WHERE id IN ({LAYER_MILESTONES})")
    op.execute("DELETE FROM role_versions WHERE template_id IN "
               "(SELECT id FROM role_templates WHERE kind = 'layer')")
    op.execute("DELETE FROM role_templates WHERE kind = 'layer'")
    # SQLite rebuilds the table and would keep a CHECK naming the dropped column.
    with op.batch_alter_table("goal_templates") as batch:
        batch.drop_constraint(batch.f("ck_goal_templates_goal_action"), type_="check")
        batch.drop_column("action")
    with op.batch_alter_table("role_templates") as batch:
        batch.drop_constraint(batch.f("ck_role_templates_layer_type"), type_="check")
        batch.drop_column("layer_type")
    _widen(up=False)
