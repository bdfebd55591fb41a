"""The session-signing secret in the database, so every app server signs alike.

Revision ID: c9e1f3a5b7d2
Revises: f1a6c2d8e9b3
Create Date: 2026-12-07 04:45:00

Empty at upgrade: the first app server that starts stores the secret it has (from SECRET_KEY or
its instance folder), so sessions signed before the upgrade stay valid (app/keys.py).
"""

import sqlalchemy as sa
from alembic import op

revision = "c9e1f3a5b7d2"
down_revision = "f1a6c2d8e9b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "app_secret",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_app_secret")),
    )


def downgrade():
    op.drop_table("app_secret")
