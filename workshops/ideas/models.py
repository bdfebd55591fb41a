"""Ideas, themes, the audit of hiding, dot votes and interests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db


class Idea(db.Model):
    """An idea exactly as typed: never edited or deleted, only hidden from the wall."""

    __tablename__ = "idea"
    __table_args__ = (
        UniqueConstraint("workshop_id", "idempotency_key", name="workshop_key"),
        Index("ix_idea_workshop_created", "workshop_id", "created_at"),
        # The per-device rate limit counts a device's recent ideas on the hottest path.
        Index("ix_idea_workshop_device_created", "workshop_id", "device", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id", ondelete="SET NULL"))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL")
    )
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    author_name: Mapped[str] = mapped_column(String(120), default="")
    business_name: Mapped[str] = mapped_column(String(160), default="")
    track: Mapped[str | None] = mapped_column(String(40))
    typed_by_leader: Mapped[bool] = mapped_column(default=False)
    # A keyed hash of the device that sent it (rate limits, votes); never the cookie itself.
    device: Mapped[str | None] = mapped_column(String(64))
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("theme.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    hidden_at: Mapped[datetime | None]
    hidden_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    theme: Mapped[Theme | None] = relationship(lazy="selectin")


class Theme(db.Model):
    """A named group of a workshop's ideas, made by the leader while clustering."""

    __tablename__ = "theme"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdeaEvent(db.Model):
    """The audit trail of what a leader did to an idea (hide, show, theme)."""

    __tablename__ = "idea_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)


class VoteRound(db.Model):
    """A dot vote: each device gets `dots` to spend on the workshop's ideas."""

    __tablename__ = "vote_round"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id", ondelete="SET NULL"))
    dots: Mapped[int] = mapped_column(default=3)
    status: Mapped[str] = mapped_column(String(10), default="open")  # open, closed
    revealed: Mapped[bool] = mapped_column(default=False)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]


class VoteBudget(db.Model):
    """How many dots one device has spent in a round; the guard against overspending."""

    __tablename__ = "vote_budget"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_round.id", ondelete="CASCADE"), primary_key=True
    )
    device: Mapped[str] = mapped_column(String(64), primary_key=True)
    used: Mapped[int] = mapped_column(default=0)


class Vote(db.Model):
    """Dots a device put on an idea in a round."""

    __tablename__ = "vote"
    __table_args__ = (
        UniqueConstraint("round_id", "device", "idempotency_key", name="round_device_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_round.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    dots: Mapped[int] = mapped_column(default=1)
    track: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The phone's Idempotency-Key: a retried vote is counted once.
    idempotency_key: Mapped[str | None] = mapped_column(String(128))


class Interest(db.Model):
    """'I want to work on this': a business's interest in an idea (feeds the pairing graph)."""

    __tablename__ = "interest"
    __table_args__ = (UniqueConstraint("idea_id", "device", name="idea_device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    business_name: Mapped[str] = mapped_column(String(160))
    business_id: Mapped[int | None] = mapped_column(ForeignKey("business.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
