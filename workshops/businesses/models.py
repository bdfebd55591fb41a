"""Businesses, their word mappings, connections and named ecosystems."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from workshops.projects.models import Project

CONNECTION_STATUSES = ("suggested", "introduced", "met", "collaborating", "declined")
CONNECTION_ORIGINS = ("suggested", "workshop", "manual")


class Business(db.Model):
    """A business taking part in a project, with what it offers and needs."""

    __tablename__ = "business"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    sector: Mapped[str] = mapped_column(String(80), default="")
    offers: Mapped[list] = mapped_column(JSON, default=list)
    needs: Mapped[list] = mapped_column(JSON, default=list)
    offers_free: Mapped[list] = mapped_column(JSON, default=list)
    needs_free: Mapped[list] = mapped_column(JSON, default=list)
    assumed: Mapped[bool] = mapped_column(default=False)
    municipality: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    website: Mapped[str] = mapped_column(String(500), default="")
    contact_consent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The sector as read: a NACE code in normal form (55.10) and the taxonomy's group key.
    nace_code: Mapped[str | None] = mapped_column(String(10))
    sector_group: Mapped[str | None] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A keyed hash of the phone that created it in a workshop: only that phone may change it.
    device: Mapped[str | None] = mapped_column(String(64))

    project: Mapped[Project] = relationship(back_populates="businesses")


class TagMapping(db.Model):
    """A project's own reading of a word in offers or needs: the leader mapped it to a tag."""

    __tablename__ = "tag_mapping"
    __table_args__ = (UniqueConstraint("project_id", "word", name="project_word"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    word: Mapped[str] = mapped_column(String(160))  # normalised: trimmed, case-folded
    tag: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Connection(db.Model):
    """Two businesses brought together, and what came of it."""

    __tablename__ = "connection"
    __table_args__ = (UniqueConstraint("project_id", "a_id", "b_id", name="pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    a_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="suggested")
    origin: Mapped[str] = mapped_column(String(12), default="suggested")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    a: Mapped[Business] = relationship(foreign_keys=[a_id])
    b: Mapped[Business] = relationship(foreign_keys=[b_id])


ecosystem_member = db.Table(
    "ecosystem_member",
    db.Column("ecosystem_id", ForeignKey("ecosystem.id", ondelete="CASCADE"), primary_key=True),
    db.Column("business_id", ForeignKey("business.id", ondelete="CASCADE"), primary_key=True),
)


class Ecosystem(db.Model):
    """A named group of businesses with a joint product idea."""

    __tablename__ = "ecosystem"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(160))
    product: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    members: Mapped[list[Business]] = relationship(
        secondary=ecosystem_member, order_by="Business.name"
    )
