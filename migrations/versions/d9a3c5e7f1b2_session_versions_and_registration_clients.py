"""A session version per user, so sessions can be ended; the client of a registration, so
registrations from one address can be limited.

`user.session_version` is part of the id in every session and remember cookie; raising it (a new
password, "log out on every device") makes the user's earlier cookies stop working. Existing
users start at 0, which is also what a cookie from before this revision counts as, so nobody is
logged out by the upgrade. `registration.client` holds a keyed hash of the address a
registration came from while the rate limit counts it (15 minutes), then nothing.

Revision ID: d9a3c5e7f1b2
Revises: c7d2e9a4f6b1
Create Date: 2026-12-07 21:30:00
"""

import sqlalchemy as sa
from alembic import op

revision = "d9a3c5e7f1b2"
down_revision = "c7d2e9a4f6b1"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_registration_client", ["client"], unique=False)


def downgrade():
    with op.batch_alter_table("registration", schema=None) as batch_op:
        batch_op.drop_index("ix_registration_client")
        batch_op.drop_column("client")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
