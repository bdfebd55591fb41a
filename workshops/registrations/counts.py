"""What the registrations room counts toward the project's targets (registered at start-up)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project
from workshops.registrations.models import CheckIn, Registration


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


def for_project(project: Project) -> dict[str, int]:
    """The people who came to the project's workshops."""
    workshop_ids = select(Workshop.id).where(Workshop.project_id == project.id).scalar_subquery()
    return {"attendees": attendees(workshop_ids)}
