"""Receipts as one set per form, responses and answers without row order, a device key of its own.

Before this revision the k-th row of evaluation_receipt (a device's keyed hash) paired with the
k-th row of evaluation_response by rowid or physical order. Upgrading:

- moves the receipts of each form into one row of evaluation_receipt_set (the sorted hashes);
- gives every response a new random id and writes responses and answers back in a random order
  (on SQLite into tables WITHOUT ROWID), then compacts the database (VACUUM), so that no trace of
  the old order stays in the file;
- adds device_key, the key of every device hash, seeded so that the hashes stored until now stay
  valid: they were keyed with the first 64 bytes of SECRET_KEY. A database without any stored
  device hash gets a random key instead;
- adds mail_queue, the messages waiting for the mail server (workshops/registrations/mail.py).

Backups made before this revision keep the old, linkable order.

Revision ID: f1a6c2d8e9b3
Revises: d7e3f1a2b4c5
Create Date: 2026-12-07 03:40:00
"""

import secrets
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "f1a6c2d8e9b3"
down_revision = "d7e3f1a2b4c5"
branch_labels = None
depends_on = None

RANDOM = secrets.SystemRandom()
# Tables and columns that hold keyed device hashes (device_key's seed must keep them valid).
HASHED = (
    ("participant", "device"),
    ("vote_budget", "device"),
    ("vote", "device"),
    ("interest", "device"),
    ("idea", "device"),
    ("registration", "device"),
    ("check_in", "device"),
    ("business", "device"),
    ("evaluation_receipt", "device_hash"),
)


def _response_table(with_rowid: bool) -> None:
    op.create_table(
        "evaluation_response",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["evaluation_form.id"],
            name=op.f("fk_evaluation_response_form_id_evaluation_form"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evaluation_response")),
        sqlite_with_rowid=with_rowid,
    )
    op.create_index(
        op.f("ix_evaluation_response_form_id"), "evaluation_response", ["form_id"], unique=False
    )


def _answer_table(with_rowid: bool) -> None:
    op.create_table(
        "evaluation_answer",
        sa.Column("response_id", sa.String(length=32), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["option_id"],
            ["evaluation_option.id"],
            name=op.f("fk_evaluation_answer_option_id_evaluation_option"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["evaluation_question.id"],
            name=op.f("fk_evaluation_answer_question_id_evaluation_question"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["response_id"],
            ["evaluation_response.id"],
            name=op.f("fk_evaluation_answer_response_id_evaluation_response"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "response_id", "question_id", "item", name=op.f("pk_evaluation_answer")
        ),
        sqlite_with_rowid=with_rowid,
    )
    op.create_index(
        op.f("ix_evaluation_answer_option_id"), "evaluation_answer", ["option_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluation_answer_question_id"),
        "evaluation_answer",
        ["question_id"],
        unique=False,
    )


def _rewrite_responses(bind, *, with_rowid: bool) -> None:
    """Write responses (new random ids) and their answers back in a random order."""
    responses = bind.execute(
        sa.text("SELECT id, form_id, submitted_on FROM evaluation_response")
    ).all()
    answers = defaultdict(list)
    for row in bind.execute(
        sa.text("SELECT response_id, question_id, item, option_id, text FROM evaluation_answer")
    ):
        answers[row.response_id].append(row)
    if bind.dialect.name == "sqlite":
        op.drop_table("evaluation_answer")
        op.drop_table("evaluation_response")
        _response_table(with_rowid)
        _answer_table(with_rowid)
    else:
        op.execute("DELETE FROM evaluation_answer")
        op.execute("DELETE FROM evaluation_response")
    RANDOM.shuffle(responses)
    for response in responses:
        new_id = secrets.token_hex(16)
        bind.execute(
            sa.text(
                "INSERT INTO evaluation_response (id, form_id, submitted_on)"
                " VALUES (:id, :form_id, :submitted_on)"
            ),
            {"id": new_id, "form_id": response.form_id, "submitted_on": response.submitted_on},
        )
        for answer in answers[response.id]:
            bind.execute(
                sa.text(
                    "INSERT INTO evaluation_answer"
                    " (response_id, question_id, item, option_id, text)"
                    " VALUES (:response_id, :question_id, :item, :option_id, :text)"
                ),
                {**answer._mapping, "response_id": new_id},
            )


def _compact(bind) -> None:
    """Rewrite the file (SQLite) or the tables (PostgreSQL) so no old row is left in them."""
    with op.get_context().autocommit_block():
        if bind.dialect.name == "sqlite":
            op.execute("VACUUM")
        else:
            op.execute("VACUUM FULL evaluation_response, evaluation_answer, evaluation_receipt_set")


def _has_device_hashes(bind) -> bool:
    inspector = sa.inspect(bind)
    tables = set(inspector.get_table_names())
    for table, column in HASHED:
        if (
            table in tables
            and bind.execute(
                sa.text(f"SELECT 1 FROM {table} WHERE {column} IS NOT NULL LIMIT 1")  # noqa: S608
            ).first()
        ):
            return True
    return False


def _seed_key(bind) -> str:
    """The key hashed() used before (SECRET_KEY's first 64 bytes), or a random one."""
    secret = None
    if _has_device_hashes(bind):
        try:
            from flask import current_app

            secret = current_app.config.get("SECRET_KEY")
        except RuntimeError:  # no app: nothing to keep valid that we could know of
            secret = None
    if secret:
        return secret.encode()[:64].hex()
    return secrets.token_hex(64)


def upgrade():
    bind = op.get_bind()
    key = _seed_key(bind)
    op.create_table(
        "device_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_key")),
    )
    bind.execute(sa.text("INSERT INTO device_key (id, key) VALUES (1, :key)"), {"key": key})

    op.create_table(
        "evaluation_receipt_set",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("hashes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["evaluation_form.id"],
            name=op.f("fk_evaluation_receipt_set_form_id_evaluation_form"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_evaluation_receipt_set")),
    )
    receipts = defaultdict(list)
    for form_id, device_hash in bind.execute(
        sa.text("SELECT form_id, device_hash FROM evaluation_receipt")
    ):
        receipts[form_id].append(device_hash)
    for form_id, hashes in receipts.items():
        bind.execute(
            sa.text("INSERT INTO evaluation_receipt_set (form_id, hashes) VALUES (:f, :h)"),
            {"f": form_id, "h": " ".join(sorted(hashes))},
        )
    op.drop_table("evaluation_receipt")
    _rewrite_responses(bind, with_rowid=False)
    op.create_table(
        "mail_queue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_slug", sa.String(length=40), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_queue")),
    )
    op.create_index(
        op.f("ix_mail_queue_project_slug"), "mail_queue", ["project_slug"], unique=False
    )
    _compact(bind)


def downgrade():
    bind = op.get_bind()
    op.drop_index(op.f("ix_mail_queue_project_slug"), table_name="mail_queue")
    op.drop_table("mail_queue")
    op.create_table(
        "evaluation_receipt",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["evaluation_form.id"],
            name=op.f("fk_evaluation_receipt_form_id_evaluation_form"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", "device_hash", name=op.f("pk_evaluation_receipt")),
    )
    sets = bind.execute(sa.text("SELECT form_id, hashes FROM evaluation_receipt_set")).all()
    for form_id, hashes in sets:
        for device_hash in hashes.split():
            bind.execute(
                sa.text("INSERT INTO evaluation_receipt (form_id, device_hash) VALUES (:f, :h)"),
                {"f": form_id, "h": device_hash},
            )
    op.drop_table("evaluation_receipt_set")
    if bind.dialect.name == "sqlite":
        _rewrite_responses(bind, with_rowid=True)
    op.drop_table("device_key")
