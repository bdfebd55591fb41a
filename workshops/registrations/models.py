"""Registrations for public workshops and check-ins at the door."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db
from workshops.programme.models import Workshop

STATUSES = ("confirmed", "waiting", "cancelled")
MAX_NAME = 120
MAX_BUSINESS = 160
MAX_EMAIL = 254
MAX_DIETARY = 300


class Registration(db.Model):
    """A person's place at a public workshop, or on its waiting list."""

    __tablename__ = "registration"
    __table_args__ = (
        UniqueConstraint("workshop_id", "email_key", name="workshop_email"),
        CheckConstraint("status in ('confirmed', 'waiting', 'cancelled')", name="status"),
        Index("ix_registration_workshop_queue", "workshop_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    # The secret in the confirmation's links (view, cancel); replaced when anonymised.
    token: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="confirmed")
    name: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    business_name: Mapped[str] = mapped_column(String(MAX_BUSINESS), default="")
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), default="")
    # The address folded for the one-registration-per-address rule; None once anonymised.
    email_key: Mapped[str | None] = mapped_column(String(MAX_EMAIL))
    dietary: Mapped[str] = mapped_column(String(MAX_DIETARY), default="")
    contact_consent: Mapped[bool] = mapped_column(default=False)
    # The registering device's keyed hash (as Participant.device), so a person who registered
    # on the phone they later join with counts once.
    device: Mapped[str | None] = mapped_column(String(64))
    # A keyed hash of the address the registration came from, for the per-client limit; kept
    # only while it counts (service.LIMIT_WINDOW), then cleared.
    client: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person took their place in the queue: the waiting list is served in this order.
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    anonymised_at: Mapped[datetime | None]

    workshop: Mapped[Workshop] = relationship()
    check_in: Mapped[CheckIn | None] = relationship(
        back_populates="registration", cascade="all, delete-orphan", passive_deletes=True
    )


class CheckIn(db.Model):
    """Someone at the door: a registered person, or a walk-in (no registration)."""

    __tablename__ = "check_in"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE"), unique=True
    )
    # Walk-ins only; a registered person's name stays on the registration.
    name: Mapped[str] = mapped_column(String(MAX_NAME), default="")
    business_name: Mapped[str] = mapped_column(String(MAX_BUSINESS), default="")
    # The participant device of this person when known (copied from the registration).
    device: Mapped[str | None] = mapped_column(String(64))
    checked_in_at: Mapped[datetime] = mapped_column(default=utcnow)

    registration: Mapped[Registration | None] = relationship(back_populates="check_in")


class QueuedMail(db.Model):
    """A message waiting to be sent by SMTP; the row goes once the server took it.

    Requests only add rows; a sender thread in each worker claims one (claimed_at set by an
    UPDATE that only one sender can win) and sends it outside any request (mail.send_queued).
    """

    __tablename__ = "mail_queue"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_slug: Mapped[str] = mapped_column(String(40), default="", index=True)
    to_address: Mapped[str] = mapped_column(String(320), default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # the whole message, as sent
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")


class OutboxMail(db.Model):
    """A message kept instead of sent (no SMTP_URL, or the server refused it MAX_ATTEMPTS times).

    In the database, so every app server lists the same outbox; leaders read it on the outbox
    page, and a privacy erase deletes the messages to the erased address.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_project_written", "project_slug", "written_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_slug: Mapped[str] = mapped_column(String(40), default="")
    kind: Mapped[str] = mapped_column(String(20), default="")
    to_address: Mapped[str] = mapped_column(String(320), default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    raw: Mapped[bytes] = mapped_column(LargeBinary)  # the whole message, as it would be sent
    unsent_reason: Mapped[str] = mapped_column(String(200), default="")
    written_at: Mapped[datetime] = mapped_column(default=utcnow)
