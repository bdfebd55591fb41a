"""Businesses, their word mappings, connections and named ecosystems."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from workshops.ideas.models import Idea
    from workshops.projects.models import Project

CONNECTION_STATUSES = ("suggested", "introduced", "met", "collaborating", "declined")
CONNECTION_ORIGINS = ("suggested", "workshop", "manual")


SIZE_BANDS = ("1", "2-4", "5-9", "10-49", "50+")  # people working in the business
STAGES = ("idea", "new", "established")


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
    # May the method report name the business? Without it the report says "a ... business".
    report_consent: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Optional profile facts for the report: employees as a band (SIZE_BANDS), stage (STAGES).
    size_band: Mapped[str] = mapped_column(String(8), default="", server_default="")
    stage: Mapped[str] = mapped_column(String(16), default="", server_default="")
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


PAIRING_MARKS = ("good", "not_relevant")


class PairingMark(db.Model):
    """A leader's mark on a suggested pair: "good" or "not relevant" (unmarking deletes it).

    Marks feed back into the project's ranking: not-relevant pairs are not suggested again,
    similar pairs move down, and pairs like the good ones move up.
    """

    __tablename__ = "pairing_mark"
    __table_args__ = (UniqueConstraint("project_id", "a_id", "b_id", name="marked_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    a_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    b_id: Mapped[int] = mapped_column(ForeignKey("business.id", ondelete="CASCADE"))
    mark: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


ecosystem_member = db.Table(
    "ecosystem_member",
    db.Column("ecosystem_id", ForeignKey("ecosystem.id", ondelete="CASCADE"), primary_key=True),
    db.Column("business_id", ForeignKey("business.id", ondelete="CASCADE"), primary_key=True),
)

# The ideas an ecosystem's joint product grew from, as the leader links them (report section 7).
ecosystem_idea = db.Table(
    "ecosystem_idea",
    db.Column("ecosystem_id", ForeignKey("ecosystem.id", ondelete="CASCADE"), primary_key=True),
    db.Column("idea_id", ForeignKey("idea.id", ondelete="CASCADE"), primary_key=True),
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
    ideas: Mapped[list[Idea]] = relationship(secondary=ecosystem_idea, order_by="Idea.id")


class MeetingRound(db.Model):
    """One speed-meeting round of a workshop step: who meets whom, table by table.

    `groups` lists business ids per table (table 1 first): pairs, and one trio when odd.
    """

    __tablename__ = "meeting_round"
    __table_args__ = (UniqueConstraint("workshop_id", "step_id", "number", name="step_round"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    step_id: Mapped[int | None] = mapped_column(ForeignKey("step.id", ondelete="SET NULL"))
    number: Mapped[int] = mapped_column(default=1)
    minutes: Mapped[int] = mapped_column(default=8)
    groups: Mapped[list] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)


PRODUCT_FIELDS = ("what", "for_whom", "when", "capacity", "price", "seller", "organiser")


class ProductSheet(db.Model):
    """A group's product sheet from a workshop (METHOD.md W4.5), filled on one phone.

    `fields` holds the texts by PRODUCT_FIELDS key; `device` is the keyed hash of the phone that
    writes it (another phone of the group may take the pen over).
    """

    __tablename__ = "product_sheet"
    __table_args__ = (UniqueConstraint("workshop_id", "group_key", name="workshop_group"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    group_key: Mapped[str] = mapped_column(String(200))
    group_name: Mapped[str] = mapped_column(String(160), default="")
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    device: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StagedUpload(db.Model):
    """An uploaded business file between its preview and the confirmed import.

    Kept in the database, not in one host's folder, so a preview shown by one app server can be
    confirmed on another. Deleted once imported; rows older than a day are deleted when the next
    file of the project arrives.
    """

    __tablename__ = "staged_upload"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
