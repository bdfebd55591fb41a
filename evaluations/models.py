"""Evaluation forms, their questions and options, anonymous responses, and device receipts.

Anonymity is in the schema. The receipts of a form are one set (ReceiptSet: the sorted keyed
hashes of the devices that answered, one row per form, rewritten in place), so a receipt has no
id, no time, no row and no position that could line up with a response. The responses of a form
are one set too (ResponseSet: one row per form, each response a random id, the date and its
answers, kept in a uniformly random order and rewritten in place by the transaction that adds the
receipt), so no row id, physical order (rowid, ctid) or transaction id (xmin) belongs to one
response: an answer writes the same two rows whatever its form holds.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ARRAY, JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

KINDS = ("A", "B", "custom")
STATUSES = ("draft", "open", "closed")
QUESTION_TYPES = ("single", "yesno", "scale", "multiple", "text")


class EvaluationForm(db.Model):
    """A form attached to a project and, optionally, to one of its workshops."""

    __tablename__ = "evaluation_form"
    __table_args__ = (
        CheckConstraint("kind in ('A', 'B', 'custom')", name="kind"),
        CheckConstraint("status in ('draft', 'open', 'closed')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    workshop_id: Mapped[int | None] = mapped_column(
        ForeignKey("workshop.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(8), default="custom")
    status: Mapped[str] = mapped_column(String(8), default="draft")
    token: Mapped[str] = mapped_column(String(32), unique=True)
    language: Mapped[str] = mapped_column(String(5), default="nb")
    title: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    intro: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    questions: Mapped[list[Question]] = relationship(
        back_populates="form",
        cascade="all, delete-orphan",
        order_by="Question.position",
        passive_deletes=True,
    )


class Question(db.Model):
    """One question; scale questions have five options keyed "1".."5"."""

    __tablename__ = "evaluation_question"
    __table_args__ = (
        CheckConstraint(
            "type in ('single', 'yesno', 'scale', 'multiple', 'text')", name="question_type"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_form.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str | None] = mapped_column(String(40))  # the template's key, e.g. "useful"
    type: Mapped[str] = mapped_column(String(10))
    text: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    required: Mapped[bool] = mapped_column(default=False)
    max_choices: Mapped[int | None]

    form: Mapped[EvaluationForm] = relationship(back_populates="questions")
    options: Mapped[list[Option]] = relationship(
        back_populates="question",
        cascade="all, delete-orphan",
        order_by="Option.position",
        passive_deletes=True,
    )


class Option(db.Model):
    """One answer option of a question."""

    __tablename__ = "evaluation_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_question.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(40))
    text: Mapped[dict] = mapped_column(JSON, default=dict)  # language -> text
    exclusive: Mapped[bool] = mapped_column(default=False)  # chosen alone ("None")

    question: Mapped[Question] = relationship(back_populates="options")


class ResponseSet(db.Model):
    """All anonymous responses to a form, in one row per form, in a uniformly random order.

    `responses` holds one item per response: [random id, date, [[question id, option id] or
    [question id, null, text], ...]], as a JSON array on SQLite and as an array of the items' JSON
    texts on PostgreSQL (text[], compressed with lz4 where the server has it: rewriting such an
    array costs a fraction of rewriting a jsonb value of the same size). evaluations/store.py
    reads and writes it; nothing else should. Each new response takes a uniformly random place in the
    array and the row is updated in place, so neither the order of the items nor the row's own
    id, place or transaction says which response came when.
    """

    __tablename__ = "evaluation_response_set"

    form_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_form.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(default=0)  # the number of items
    # SQLAlchemy's generic ARRAY: PostgreSQL's dialect uses its own ARRAY for it, and a process
    # on SQLite does not load that dialect (about 0.02 s) to read this model.
    responses: Mapped[list] = mapped_column(
        JSON().with_variant(ARRAY(Text), "postgresql"), default=list
    )


class ReceiptSet(db.Model):
    """The devices that have answered a form: their keyed hashes, sorted, in one row per form.

    A set, not a row per device: nothing in it (rowid, physical order, position) says who answered
    first or last, so no receipt can be paired with a response by order. Each hash is preceded by
    one space (so a hash is found, and a new one put in its sorted place, by character offset).
    """

    __tablename__ = "evaluation_receipt_set"

    form_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation_form.id", ondelete="CASCADE"), primary_key=True
    )
    hashes: Mapped[str] = mapped_column(Text, default="")  # sorted, each after a space

    def members(self) -> list[str]:
        """The sorted hashes."""
        return self.hashes.split() if self.hashes else []

    @staticmethod
    def joined(members: list[str]) -> str:
        """The stored text of these sorted hashes."""
        return "".join(" " + member for member in members)
