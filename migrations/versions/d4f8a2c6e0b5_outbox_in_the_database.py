"""The mail outbox in the database, so every app server lists the same messages.

Until this revision a message kept instead of sent was an .eml file in the outbox/ folder of the
instance that wrote it. Upgrading copies the .eml files of this instance's outbox/ folder into
the table, with the time in their names; the files stay where they are for the operator to remove
(an app server with another instance folder: run the upgrade there too, or import nothing).

Revision ID: d4f8a2c6e0b5
Revises: c9e1f3a5b7d2
Create Date: 2026-12-07 06:10:00
"""

from datetime import datetime
from email import policy
from email.parser import BytesParser
from pathlib import Path

import sqlalchemy as sa
from alembic import op
from flask import current_app

revision = "d4f8a2c6e0b5"
down_revision = "c9e1f3a5b7d2"
branch_labels = None
depends_on = None


def _outbox_files() -> list[Path]:
    try:
        folder = Path(current_app.instance_path) / "outbox"
    except RuntimeError:  # no app: nothing to import
        return []
    return sorted(folder.glob("*.eml")) if folder.is_dir() else []


def _row(path: Path) -> dict | None:
    try:
        raw = path.read_bytes()
        written_at = datetime.strptime(path.name.split("_", 1)[0], "%Y%m%dT%H%M%S%fZ")
    except (OSError, ValueError):
        return None
    message = BytesParser(policy=policy.default).parsebytes(raw)
    return {
        "project_slug": str(message.get("X-Kraftverk-Project", ""))[:40],
        "kind": str(message.get("X-Kraftverk-Kind", ""))[:20],
        "to_address": str(message.get("To", ""))[:320],
        "subject": str(message.get("Subject", "")),
        "raw": raw,
        "unsent_reason": str(message.get("X-Kraftverk-Unsent", ""))[:200],
        "written_at": written_at,
    }


def upgrade():
    table = op.create_table(
        "mail_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_slug", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("unsent_reason", sa.String(length=200), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_outbox")),
    )
    op.create_index("ix_mail_outbox_project_written", "mail_outbox", ["project_slug", "written_at"])
    rows = [row for row in map(_row, _outbox_files()) if row is not None]
    if rows:
        op.bulk_insert(table, rows)


def downgrade():
    op.drop_index("ix_mail_outbox_project_written", table_name="mail_outbox")
    op.drop_table("mail_outbox")
