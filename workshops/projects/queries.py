"""The reads that pages need, each a small number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from app.extensions import db
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import TARGET_KINDS, Project
from workshops.registrations.models import CheckIn, Registration

# A connection counts toward the target once the businesses have actually been introduced.
COUNTED_CONNECTIONS = ("introduced", "met", "collaborating")


@dataclass(frozen=True)
class Progress:
    """One target and how far the project has come."""

    kind: str
    target: int
    actual: int

    @property
    def percent(self) -> int:
        """Share of the target reached, 0-100 (a target of 0 counts as reached)."""
        if self.target <= 0:
            return 100 if self.actual else 0
        return min(100, round(100 * self.actual / self.target))


def attendees(workshop_ids) -> int:
    """How many different people came to the workshops: checked in at the door or joined by code.

    Counted so that nobody counts twice where the data can tell:
    - a checked-in registration counts as its e-mail address, so a person checked in at several
      workshops counts once (once anonymised, each such registration counts on its own);
    - a walk-in counts once per check-in (nothing links walk-ins to each other or to devices);
    - a device that joined by code counts once across the workshops, unless it is the device a
      checked-in person registered from: that person is counted already.
    Someone who registered on one device and joined with another still counts twice.
    """
    at_door = CheckIn.workshop_id.in_(workshop_ids)
    registered = (
        select(func.count(func.distinct(Registration.email_key)))
        .join(CheckIn, CheckIn.registration_id == Registration.id)
        .where(at_door, Registration.email_key.is_not(None))
    )
    anonymised = (
        select(func.count())
        .select_from(CheckIn)
        .join(Registration, CheckIn.registration_id == Registration.id)
        .where(at_door, Registration.email_key.is_(None))
    )
    walk_ins = (
        select(func.count()).select_from(CheckIn).where(at_door, CheckIn.registration_id.is_(None))
    )
    known_devices = select(CheckIn.device).where(at_door, CheckIn.device.is_not(None))
    joined = select(func.count(func.distinct(Participant.device))).where(
        Participant.workshop_id.in_(workshop_ids), Participant.device.not_in(known_devices)
    )
    counts = db.session.execute(
        select(*(q.scalar_subquery() for q in (registered, anonymised, walk_ins, joined)))
    ).one()
    return sum(n or 0 for n in counts)


def actuals(project: Project) -> dict[str, int]:
    """What has happened so far, counted from the data, per target kind."""
    workshop_ids = select(Workshop.id).where(Workshop.project_id == project.id).scalar_subquery()

    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    return {
        "attendees": attendees(workshop_ids),
        "businesses": count(
            select(func.count()).select_from(Business).where(Business.project_id == project.id)
        ),
        "ideas": count(
            select(func.count()).select_from(Idea).where(Idea.workshop_id.in_(workshop_ids))
        ),
        "connections": count(
            select(func.count())
            .select_from(Connection)
            .where(Connection.project_id == project.id, Connection.status.in_(COUNTED_CONNECTIONS))
        ),
        "ecosystems": count(
            select(func.count()).select_from(Ecosystem).where(Ecosystem.project_id == project.id)
        ),
    }


def progress(project: Project) -> list[Progress]:
    """Each target beside its actual number, in the method's order."""
    done = actuals(project)
    targets = project.targets()
    return [Progress(kind, targets[kind], done[kind]) for kind in TARGET_KINDS]


def workshops_of(project: Project) -> list[Workshop]:
    """The project's workshops in programme order."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.project_id == project.id)
            .order_by(Workshop.position, Workshop.starts_at, Workshop.id)
        )
    )
