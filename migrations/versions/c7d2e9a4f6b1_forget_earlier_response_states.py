"""Compact the database once, so no earlier state of a form's responses stays in its free space.

Every answer rewrites its form's one row of responses (evaluations/store.py). SQLite now zeroes
the pages an update frees (`secure_delete`, app/db.py) and empties its write-ahead log after
answers, but pages freed before this revision on a SQLite built without that default may still
hold earlier states of the row, each a part of the next: their order is the order of answering.
VACUUM rewrites the file without free pages. On PostgreSQL, VACUUM FULL rewrites the response
and receipt sets' tables without their dead row versions. Nothing changes in the data, so
downgrading does nothing.

Revision ID: c7d2e9a4f6b1
Revises: b3f9c2e7d1a4
Create Date: 2026-12-07 19:50:00
"""

from alembic import op

revision = "c7d2e9a4f6b1"
down_revision = "b3f9c2e7d1a4"
branch_labels = None
depends_on = None


def upgrade():
    bind = op.get_bind()
    with op.get_context().autocommit_block():
        if bind.dialect.name == "sqlite":
            op.execute("VACUUM")
        else:
            op.execute("VACUUM FULL evaluation_response_set, evaluation_receipt_set")


def downgrade():
    pass  # the data is the same; a compacted file stays compacted
