"""Participants: a device that joined a workshop, with an optional name, business and track."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from workshops import devices
from workshops.live.models import Participant
from workshops.programme.models import Workshop

MAX_NAME = 120
MAX_BUSINESS = 160


def device_key(token: str) -> str:
    """What is stored for a device: a keyed hash, never the cookie itself."""
    return devices.hashed(token, "participant")


def find(workshop: Workshop, token: str) -> Participant | None:
    """This device's participant row in the workshop, if it joined."""
    return db.session.scalar(
        select(Participant).where(
            Participant.workshop_id == workshop.id, Participant.device == device_key(token)
        )
    )


def ensure(workshop: Workshop, token: str) -> Participant:
    """This device's participant row, created on its first visit (safe under parallel visits)."""
    existing = find(workshop, token)
    if existing is not None:
        return existing
    participant = Participant(workshop_id=workshop.id, device=device_key(token))
    try:
        with db.session.begin_nested():
            db.session.add(participant)
    except IntegrityError:
        return find(workshop, token)
    return participant


def update(participant: Participant, workshop: Workshop, data: dict) -> list[str]:
    """Apply name, business and track from `data`; return the names of invalid fields."""
    invalid = []
    name = data.get("name")
    business = data.get("business")
    track = data.get("track")
    if name is not None:
        if not isinstance(name, str) or len(name.strip()) > MAX_NAME:
            invalid.append("name")
        else:
            participant.name = name.strip()
    if business is not None:
        if not isinstance(business, str) or len(business.strip()) > MAX_BUSINESS:
            invalid.append("business")
        else:
            participant.business_name = business.strip()
    if track is not None:
        keys = {t.get("key") for s in workshop.steps for t in (s.tracks or [])}
        if track == "" or (isinstance(track, str) and track in keys):
            participant.track = track or None
        else:
            invalid.append("track")
    return invalid
