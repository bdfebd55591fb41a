"""Live workshops: current step, timing, pauses, tracks, and steps as run.

Revision ID: b7c41d2e9a10
Revises: a1e0a05f41f5
Create Date: 2026-11-23 11:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "b7c41d2e9a10"
down_revision = "a1e0a05f41f5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duration_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("current_step_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("step_started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("step_extra_minutes", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("state_version", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tracks", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("started_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("actual_minutes", sa.Integer(), nullable=True))
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("track", sa.String(length=40), nullable=True))


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("track")
    with op.batch_alter_table("step", schema=None) as batch_op:
        batch_op.drop_column("actual_minutes")
        batch_op.drop_column("ended_at")
        batch_op.drop_column("started_at")
        batch_op.drop_column("tracks")
    with op.batch_alter_table("workshop", schema=None) as batch_op:
        for column in (
            "state_version",
            "ended_at",
            "started_at",
            "paused_at",
            "step_extra_minutes",
            "step_started_at",
            "current_step_id",
            "duration_minutes",
        ):
            batch_op.drop_column(column)
