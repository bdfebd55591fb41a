"""Receipts each after a space; on PostgreSQL, a form's responses as an array of JSON texts.

Upgrading puts a space before the first hash of every receipt set, so that each stored hash
follows a space (evaluations/store.py finds and places hashes by that); new receipts are 20 hex
digits, and a stored 40-digit one still matches by its beginning. On PostgreSQL it also turns
evaluation_response_set.responses from one jsonb array into an array of the items' JSON texts
(text[]), in the same order, compressed with lz4 where the server has it: an answer rewrites the
form's whole set, and such an array is rewritten several times faster than a jsonb value.

Downgrading takes the leading space off the receipt sets and, on PostgreSQL, makes the responses
one jsonb array again, in the same order. Receipts stored after this revision keep 20 digits,
which the older code does not match: a phone that answered after the upgrade could answer once
more.

Revision ID: b3f9c2e7d1a4
Revises: e8b4d2f6a9c1
Create Date: 2026-12-07 08:40:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b3f9c2e7d1a4"
down_revision = "e8b4d2f6a9c1"
branch_labels = None
depends_on = None

TABLE = "evaluation_response_set"


def _replace_responses(column_type, fill: str) -> None:
    """Put a new `responses` column of column_type in place of the old, filled by `fill`."""
    op.add_column(TABLE, sa.Column("responses_new", column_type, nullable=True))
    op.execute(f"UPDATE {TABLE} SET responses_new = {fill}")  # noqa: S608 - constant SQL
    op.drop_column(TABLE, "responses")
    op.alter_column(TABLE, "responses_new", new_column_name="responses", nullable=False)


def upgrade():
    op.execute(
        "UPDATE evaluation_receipt_set SET hashes = ' ' || hashes"
        " WHERE hashes <> '' AND substr(hashes, 1, 1) <> ' '"
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    _replace_responses(
        postgresql.ARRAY(sa.Text()),
        "ARRAY(SELECT CAST(item AS text) FROM jsonb_array_elements(responses)"
        " WITH ORDINALITY AS e(item, n) ORDER BY n)",
    )
    lz4 = bind.execute(
        sa.text(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings"
            " WHERE name = 'default_toast_compression'"
        )
    ).scalar()
    if lz4:
        op.execute(f"ALTER TABLE {TABLE} ALTER COLUMN responses SET COMPRESSION lz4")


def downgrade():
    op.execute("UPDATE evaluation_receipt_set SET hashes = ltrim(hashes, ' ')")
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace_responses(
        postgresql.JSONB(),
        "(SELECT coalesce(jsonb_agg(CAST(item AS jsonb) ORDER BY n), CAST('[]' AS jsonb))"
        " FROM unnest(responses) WITH ORDINALITY AS u(item, n))",
    )
