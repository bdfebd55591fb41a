"""Pairing marks: a leader marks a suggested pair "good" or "not relevant".

Revision ID: a7c3e9d1f2b4
Revises: f6a7b8c9d0e1
Create Date: 2026-12-07 04:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "a7c3e9d1f2b4"
down_revision = "f6a7b8c9d0e1"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pairing_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("a_id", sa.Integer(), nullable=False),
        sa.Column("b_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_pairing_mark_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["a_id"],
            ["business.id"],
            name=op.f("fk_pairing_mark_a_id_business"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["b_id"],
            ["business.id"],
            name=op.f("fk_pairing_mark_b_id_business"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_mark")),
        sa.UniqueConstraint("project_id", "a_id", "b_id", name="marked_pair"),
    )
    with op.batch_alter_table("pairing_mark", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pairing_mark_project_id"), ["project_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pairing_mark", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pairing_mark_project_id"))
    op.drop_table("pairing_mark")
