"""A form's anonymous responses as one row per form, in a uniformly random order.

Before this revision each response was a row of evaluation_response and each answer a row of
evaluation_answer; on PostgreSQL every answer rewrote up to 120 earlier responses of its form so
that their physical order and transaction ids said nothing. Upgrading:

- writes the responses of each form, with their answers and under new random ids, as the items
  of one JSON array in one row of evaluation_response_set, shuffled (evaluations/store.py reads
  and writes them);
- drops evaluation_answer and evaluation_response;
- compacts the database (VACUUM; on PostgreSQL VACUUM FULL of the response and receipt sets), so
  that no trace of the old rows stays in the file.

Backups made before this revision hold the old tables (docs/privacy.md).

Revision ID: e8b4d2f6a9c1
Revises: a8c4e6f2b1d3
Create Date: 2026-12-07 06:00:00
"""

import secrets
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "e8b4d2f6a9c1"
down_revision = "a8c4e6f2b1d3"
branch_labels = None
depends_on = None

RANDOM = secrets.SystemRandom()
ITEMS = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
response_set = sa.table(
    "evaluation_response_set",
    sa.column("form_id", sa.Integer()),
    sa.column("count", sa.Integer()),
    sa.column("responses", ITEMS),
)


def _item(response_id: str, day, answers: list) -> list:
    """One response as evaluations/store.py encodes it."""
    encoded = [[q, o] if text is None else [q, None, text] for q, o, text in answers]
    return [response_id, str(day)[:10], encoded]


def upgrade():
    bind = op.get_bind()
    op.create_table(
        "evaluation_response_set",
        sa.Column("form_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("responses", ITEMS, nullable=False),
        sa.ForeignKeyConstraint(
            ["form_id"],
            ["evaluation_form.id"],
            name=op.f("fk_evaluation_response_set_form_id_evaluation_form"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("form_id", name=op.f("pk_evaluation_response_set")),
    )
    answers = defaultdict(list)
    for row in bind.execute(
        sa.text(
            "SELECT response_id, question_id, option_id, text FROM evaluation_answer"
            " ORDER BY response_id, question_id, item"
        )
    ):
        answers[row.response_id].append((row.question_id, row.option_id, row.text))
    items = defaultdict(list)
    for response in bind.execute(
        sa.text("SELECT id, form_id, submitted_on FROM evaluation_response")
    ):
        items[response.form_id].append(
            _item(secrets.token_hex(16), response.submitted_on, answers[response.id])
        )
    for form_id, form_items in items.items():
        RANDOM.shuffle(form_items)
        bind.execute(
            response_set.insert().values(
                form_id=form_id, count=len(form_items), responses=form_items
            )
        )
    op.drop_table("evaluation_answer")
    op.drop_table("evaluation_response")
    _compact(bind)


def _compact(bind) -> None:
    """Rewrite the file (SQLite) or the tables (PostgreSQL) so no old row is left in them."""
    with op.get_context().autocommit_block():
        if bind.dialect.name == "sqlite":
            op.execute("VACUUM")
        else:
            op.execute("VACUUM FULL evaluation_response_set, evaluation_receipt_set")


def downgrade():
    bind = op.get_bind()
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
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_evaluation_response_form_id"), "evaluation_response", ["form_id"], unique=False
    )
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
        sqlite_with_rowid=False,
    )
    op.create_index(
        op.f("ix_evaluation_answer_option_id"), "evaluation_answer", ["option_id"], unique=False
    )
    op.create_index(
        op.f("ix_evaluation_answer_question_id"), "evaluation_answer", ["question_id"], unique=False
    )
    responses = []
    for form_id, stored in bind.execute(
        sa.select(response_set.c.form_id, response_set.c.responses)
    ):
        responses.extend((form_id, item) for item in stored or ())
    RANDOM.shuffle(responses)
    for form_id, (response_id, day, answers) in responses:
        bind.execute(
            sa.text(
                "INSERT INTO evaluation_response (id, form_id, submitted_on)"
                " VALUES (:id, :form_id, :day)"
            ),
            {"id": response_id, "form_id": form_id, "day": date.fromisoformat(day)},
        )
        items = defaultdict(int)
        for answer in answers:
            question_id, option_id = answer[0], answer[1]
            bind.execute(
                sa.text(
                    "INSERT INTO evaluation_answer"
                    " (response_id, question_id, item, option_id, text)"
                    " VALUES (:r, :q, :i, :o, :t)"
                ),
                {
                    "r": response_id,
                    "q": question_id,
                    "i": items[question_id],
                    "o": option_id,
                    "t": answer[2] if len(answer) > 2 else None,
                },
            )
            items[question_id] += 1
    op.drop_table("evaluation_response_set")
