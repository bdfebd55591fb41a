"""Workshops and their steps: the programme of a project."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import utcnow
from app.extensions import db

if TYPE_CHECKING:
    from workshops.projects.models import Project

WORKSHOP_STATUSES = ("planned", "live", "paused", "closed")
VISIBILITIES = ("open", "stepwise", "hidden")


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
    # In the public calendar and open for registration: only once the leader says so, so that a
    # programme still being drafted is not published by being made.
    is_public: Mapped[bool] = mapped_column(default=False)
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
    # An applied re-plan: the minutes the step now runs (None: as planned) and whether it is
    # dropped; `minutes` stays the plan, so every re-plan starts from it.
    applied_minutes: Mapped[int | None]
    dropped: Mapped[bool] = mapped_column(default=False)

    workshop: Mapped[Workshop] = relationship(back_populates="steps")
