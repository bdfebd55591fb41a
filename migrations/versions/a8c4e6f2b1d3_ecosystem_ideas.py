"""The ideas an ecosystem's joint product grew from.

Revision ID: a8c4e6f2b1d3
Revises: d4f8a2c6e0b5
Create Date: 2026-12-07 06:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a8c4e6f2b1d3"
down_revision = "d4f8a2c6e0b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ecosystem_idea",
        sa.Column("ecosystem_id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ecosystem_id"],
            ["ecosystem.id"],
            name=op.f("fk_ecosystem_idea_ecosystem_id_ecosystem"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["idea_id"],
            ["idea.id"],
            name=op.f("fk_ecosystem_idea_idea_id_idea"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ecosystem_id", "idea_id", name=op.f("pk_ecosystem_idea")),
    )


def downgrade():
    op.drop_table("ecosystem_idea")
