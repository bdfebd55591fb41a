"""Keep made PDFs (report, method, agenda, guide) in the database.

Revision ID: c4c8e1a0f214
Revises: b8d2e4f6a1c3
Create Date: 2026-12-07 03:40:00
"""

import sqlalchemy as sa
from alembic import op

revision = "c4c8e1a0f214"
down_revision = "b8d2e4f6a1c3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "pdf_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name="fk_pdf_cache_project_id_project",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", name="pk_pdf_cache"),
    )
    with op.batch_alter_table("pdf_cache", schema=None) as batch_op:
        batch_op.create_index(
            "ix_pdf_cache_project_kind_lang", ["project_id", "kind", "lang"], unique=False
        )


def downgrade():
    with op.batch_alter_table("pdf_cache", schema=None) as batch_op:
        batch_op.drop_index("ix_pdf_cache_project_kind_lang")
    op.drop_table("pdf_cache")
