"""Index ideas by workshop, device and time for the per-device rate limit.

Revision ID: e5f2b3c4d6a7
Revises: d4e1a2b3c5f6
Create Date: 2026-11-23 12:30:00
"""

from alembic import op

revision = "e5f2b3c4d6a7"
down_revision = "d4e1a2b3c5f6"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.create_index(
            "ix_idea_workshop_device_created", ["workshop_id", "device", "created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("idea", schema=None) as batch_op:
        batch_op.drop_index("ix_idea_workshop_device_created")
