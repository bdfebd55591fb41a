"""Staged business uploads in the database, so any app server can confirm a preview.

Revision ID: b8d2e4f6a1c3
Revises: a7c3e9d1f2b4
Create Date: 2026-12-07 04:25:00

Files staged in one host's instance folder before this revision are not moved: a staged file
lives a day at most, and the leader uploads it again.
"""

import sqlalchemy as sa
from alembic import op

revision = "b8d2e4f6a1c3"
down_revision = "a7c3e9d1f2b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staged_upload",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_staged_upload_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_staged_upload")),
    )
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_staged_upload_project_id"), ["project_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("staged_upload", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staged_upload_project_id"))
    op.drop_table("staged_upload")
