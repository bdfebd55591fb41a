"""The project's use of the method, costs and funding; a business's size, stage and consent
to be named in the report.

Revision ID: d7e3f1a2b4c5
Revises: c4c8e1a0f214
Create Date: 2026-12-07 04:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d7e3f1a2b4c5"
down_revision = "c4c8e1a0f214"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("use", sa.String(length=32), server_default="new_ecosystem", nullable=False)
        )
        batch_op.add_column(sa.Column("costs", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(sa.Column("funding", sa.Text(), server_default="", nullable=False))
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("report_consent", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("size_band", sa.String(length=8), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("stage", sa.String(length=16), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("business", schema=None) as batch_op:
        batch_op.drop_column("stage")
        batch_op.drop_column("size_band")
        batch_op.drop_column("report_consent")
    with op.batch_alter_table("project", schema=None) as batch_op:
        batch_op.drop_column("funding")
        batch_op.drop_column("costs")
        batch_op.drop_column("use")
