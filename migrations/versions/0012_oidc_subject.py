"""Single sign-on: the provider's subject identifier on each account that has used it.

``users.oidc_subject`` holds the ``sub`` claim of the OpenID provider the first time a person
signs in with it. From then on the account is found by that identifier, so a person whose
address changes at the provider still reaches their own account. Unique, and empty for
everyone until they sign in that way; going down simply forgets the links.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.create_unique_constraint(batch.f("uq_users_oidc_subject"), ["oidc_subject"])


def downgrade():
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(batch.f("uq_users_oidc_subject"), type_="unique")
        batch.drop_column("oidc_subject")
