"""The domain tables of a process: projects and their members, workshops, ideas, businesses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

ROLES = ("leader", "viewer")
TARGET_KINDS = ("attendees", "businesses", "ideas", "connections", "ecosystems")
WORKSHOP_STATUSES = ("planned", "live", "paused", "closed")
VISIBILITIES = ("open", "stepwise", "hidden")
CONNECTION_STATUSES = ("suggested", "introduced", "met", "collaborating", "declined")
CONNECTION_ORIGINS = ("suggested", "workshop", "manual")


class Project(db.Model):
    """One ecosystem process for a municipality or region."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(160))
    municipality: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(5), default="nb")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Oslo")
    target_attendees: Mapped[int] = mapped_column(default=0)
    target_businesses: Mapped[int] = mapped_column(default=0)
    target_ideas: Mapped[int] = mapped_column(default=0)
    target_connections: Mapped[int] = mapped_column(default=0)
    target_ecosystems: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="project", cascade="all, delete-orphan"
    )
    workshops: Mapped[list[Workshop]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Workshop.position"
    )
    businesses: Mapped[list[Business]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Business.name"
    )

    def targets(self) -> dict[str, int]:
        """The project's targets by kind."""
        return {kind: getattr(self, f"target_{kind}") for kind in TARGET_KINDS}


class Membership(db.Model):
    """A user's role in one project: leader (everything) or viewer (reads, downloads)."""

    __tablename__ = "membership"
    __table_args__ = (CheckConstraint("role in ('leader', 'viewer')", name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    project: Mapped[Project] = relationship(back_populates="memberships")


class Workshop(db.Model):
    """One workshop of a project's programme, planned or run live."""

    __tablename__ = "workshop"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    template_key: Mapped[str | None] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(160))
    starts_at: Mapped[datetime | None]
    place: Mapped[str] = mapped_column(String(200), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="planned")
    visibility: Mapped[str] = mapped_column(String(10), default="stepwise")
    join_code: Mapped[str] = mapped_column(String(6), unique=True)
    is_public: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    duration_minutes: Mapped[int | None]
    # Live state. The current step is kept by id without a foreign key (steps point here).
    current_step_id: Mapped[int | None]
    step_started_at: Mapped[datetime | None]
    step_extra_minutes: Mapped[int] = mapped_column(default=0)
    paused_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Bumped on every change a participant could see; part of the live state's ETag.
    state_version: Mapped[int] = mapped_column(default=0)
    # The wall's idea view: layout ("newest", "theme", "track") and an idea in the spotlight.
    wall_layout: Mapped[str] = mapped_column(String(10), default="newest")
    spotlight_idea_id: Mapped[int | None]
    # Bumped when ideas are hidden, shown, themed or voted on: part of the idea list's ETag.
    ideas_version: Mapped[int] = mapped_column(default=0)
    # Registration: None means no limit; past it people go to the waiting list.
    capacity: Mapped[int | None]
    # A free label for the public calendar's filter (e.g. food, outdoor life).
    theme: Mapped[str] = mapped_column(String(80), default="")

    project: Mapped[Project] = relationship(back_populates="workshops")
    steps: Mapped[list[Step]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", order_by="Step.position"
    )


class Step(db.Model):
    """One step of a workshop's programme."""

    __tablename__ = "step"

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(
        ForeignKey("workshop.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str | None] = mapped_column(String(12))
    title: Mapped[str] = mapped_column(String(120))
    purpose: Mapped[str] = mapped_column(Text, default="")
    minutes: Mapped[int] = mapped_column(default=10)
    prompt: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    techniques: Mapped[list] = mapped_column(JSON, default=list)
    collects: Mapped[list] = mapped_column(JSON, default=list)
    fixed: Mapped[bool] = mapped_column(default=False)
    # Parallel groups: [{"key", "title", "prompt"}], empty when the whole room works together.
    tracks: Mapped[list] = mapped_column(JSON, default=list)
    # As run: when the step started and ended, and how long it actually took.
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    actual_minutes: Mapped[int | None]

    workshop: Mapped[Workshop] = relationship(back_populates="steps")


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

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(
        ForeignKey("vote_round.id", ondelete="CASCADE"), index=True
    )
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    dots: Mapped[int] = mapped_column(default=1)
    track: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


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
