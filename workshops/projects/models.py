"""Projects and who may lead or view them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from workshops.businesses.models import Business
    from workshops.programme.models import Workshop

ROLES = ("leader", "viewer")
TARGET_KINDS = ("attendees", "businesses", "ideas", "connections", "ecosystems")
# METHOD.md section 1: the four uses of the method; existing_ecosystem skips the first workshop.
USES = ("startup_idea", "single_business_product", "new_ecosystem", "existing_ecosystem")
DEFAULT_USE = "new_ecosystem"


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
    use: Mapped[str] = mapped_column(String(32), default=DEFAULT_USE, server_default=DEFAULT_USE)
    # What the process cost and who paid, as the leader writes it (the report's resources).
    costs: Mapped[str] = mapped_column(Text, default="", server_default="")
    funding: Mapped[str] = mapped_column(Text, default="", server_default="")
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
        back_populates="project",
        cascade="all, delete-orphan",
        order_by="[Workshop.position, Workshop.starts_at, Workshop.id]",
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
