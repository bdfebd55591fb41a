"""The live state a phone or the wall polls, and its ETag (INTERFACES.md, "Live state")."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select

from app.db import iso_z
from app.extensions import db
from method import programme
from workshops.live import clock as live
from workshops.live import steps as collects
from workshops.live.models import Participant
from workshops.programme.models import Workshop


def etag(workshop_id: int, version: int, track: str | None) -> str:
    """A short validator over everything a device sees (the state version and its track)."""
    raw = f"{workshop_id}:{version}:{track or ''}".encode()
    return hashlib.blake2s(raw, digest_size=8).hexdigest()


# Built once: the idle poll is the most frequent request, and compiling a statement per poll
# cost more than running it.
_ETAG_QUERY = (
    select(
        Workshop.__table__.c.id,
        Workshop.__table__.c.state_version,
        Workshop.__table__.c.status,
        Participant.__table__.c.id.label("participant"),
        Participant.__table__.c.track,
    )
    .select_from(
        Workshop.__table__.outerjoin(
            Participant.__table__,
            (Participant.__table__.c.workshop_id == Workshop.__table__.c.id)
            & (Participant.__table__.c.device == bindparam("device")),
        )
    )
    .where(Workshop.__table__.c.join_code == bindparam("code"))
)


class Poll(NamedTuple):
    """What an idle poll needs to know, from one small query."""

    tag: str
    track: str | None
    workshop_id: int
    open: bool  # the workshop is not closed
    joined: bool  # this device has its participant row


def current_etag(code: str, device_key: str | None) -> Poll | None:
    """The ETag, the device's track and whether it has joined, or None if the code is unknown."""
    row = (
        db.session.connection()
        .execute(_ETAG_QUERY, {"code": code, "device": device_key or ""})
        .first()
    )
    if row is None:
        return None
    return Poll(
        etag(row.id, row.state_version, row.track),
        row.track,
        row.id,
        row.status != "closed",
        row.participant is not None,
    )


def _tracks(step, track: str | None) -> list[dict]:
    tracks = [
        {"key": t.get("key", ""), "title": t.get("title", ""), "prompt": t.get("prompt", "")}
        for t in step.tracks or []
    ]
    if track:
        mine = [t for t in tracks if t["key"] == track]
        return mine or tracks
    return tracks


def snapshot(workshop: Workshop, now: datetime, *, track: str | None = None) -> dict:
    """The state as a participant sees it: status, current step, and the agenda they may see."""
    tick = live.clock(workshop, now)
    step = tick.step
    step_json = None
    if step is not None and workshop.status != "closed":
        step_json = {
            "id": step.id,
            "position": step.position,
            "title": step.title,
            "prompt": step.prompt,
            "minutes": tick.minutes,
            "collects": list(step.collects or []),
            "started_at": iso_z(tick.started_at),
            "ends_at": iso_z(tick.ends_at),
            "tracks": _tracks(step, track),
        }
        if tick.paused:
            step_json["remaining_seconds"] = tick.remaining_seconds
        # What the step's kinds open on the phones (a vote, the evaluation form...).
        step_json["collect"] = collects.phone(workshop, step)
    agenda = programme.visible_steps(workshop.steps, workshop.visibility, tick.index)
    return {
        "code": workshop.join_code,
        "title": workshop.title,
        "status": workshop.status,
        "visibility": workshop.visibility,
        "server_time": iso_z(now),
        "step": step_json,
        "agenda": [
            {"position": s.position, "title": s.title, "minutes": live.minutes_of(s)}
            for s in agenda
            if not s.dropped
        ],
    }


def wall_snapshot(workshop: Workshop, now: datetime) -> dict:
    """The leader's view for the wall and console: the participant state plus the whole plan."""
    state = snapshot(workshop, now)
    tick = live.clock(workshop, now)
    plan = live.rest_of_day(workshop, now)
    state["remaining_seconds"] = tick.remaining_seconds
    state["paused"] = tick.paused
    state["version"] = workshop.state_version
    state["rest"] = (
        [
            {
                "position": s.position,
                "title": s.title,
                "minutes": s.minutes,
                "planned_minutes": s.planned_minutes,
                "dropped": s.dropped,
                "starts_at": iso_z(s.starts_at),
            }
            for s in plan.steps
        ]
        if plan
        else []
    )
    state["replan_pending"] = live.replan_pending(workshop, plan)
    state["late_minutes"] = plan.late_minutes if plan else 0
    state["ends_at"] = iso_z(plan.ends_at) if plan else None
    return state


def as_json(data: dict) -> bytes:
    """Compact JSON bytes (the idle poll must stay small)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def seconds_until(value: datetime | None, now: datetime) -> int | None:
    """Whole seconds from now to `value`."""
    return None if value is None else int((value - now) / timedelta(seconds=1))
