"""Participants: the devices that joined a workshop."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.db import utcnow
from app.extensions import db


class Participant(db.Model):
    """A device that joined a workshop by its code; name and business are optional."""

    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("workshop_id", "device", name="workshop_device"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    device: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120), default="")
    business_name: Mapped[str] = mapped_column(String(160), default="")
    track: Mapped[str | None] = mapped_column(String(40))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
