"""Applied re-plan beside the planned minutes; idempotency keys on votes; speed-meeting rounds
and product sheets from the live room.

Revision ID: f6a7b8c9d0e1
Revises: e5f2b3c4d6a7
Create Date: 2026-12-07 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "f6a7b8c9d0e1"
down_revision = "e5f2b3c4d6a7"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("applied_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("dropped", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sa.String(length=128), nullable=True))
        batch_op.create_unique_constraint(
            "round_device_key", ["round_id", "device", "idempotency_key"]
        )
    op.create_table(
        "meeting_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("step_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("groups", sa.JSON(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["step_id"],
            ["step.id"],
            name=op.f("fk_meeting_round_step_id_step"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_meeting_round_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_round")),
        sa.UniqueConstraint("workshop_id", "step_id", "number", name="step_round"),
    )
    with op.batch_alter_table("meeting_round", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_round_workshop_id"), ["workshop_id"], unique=False
        )

    op.create_table(
        "product_sheet",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("workshop_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=200), nullable=False),
        sa.Column("group_name", sa.String(length=160), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("device", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workshop_id"],
            ["workshop.id"],
            name=op.f("fk_product_sheet_workshop_id_workshop"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_sheet")),
        sa.UniqueConstraint("workshop_id", "group_key", name="workshop_group"),
    )
    with op.batch_alter_table("product_sheet", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_product_sheet_workshop_id"), ["workshop_id"], unique=False
        )


def downgrade():
    op.drop_table("product_sheet")
    op.drop_table("meeting_round")
    with op.batch_alter_table("vote", schema=None) as batch_op:
        batch_op.drop_constraint("round_device_key", type_="unique")
        batch_op.drop_column("idempotency_key")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_column("dropped")
        batch_op.drop_column("applied_minutes")
