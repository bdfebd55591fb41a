"""The live state a phone or the wall polls, and its ETag (INTERFACES.md, "Live state")."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import bindparam, select

from app.db import iso_z
from app.extensions import db
from method import catalogue, programme
from workshops.live import clock as live
from workshops.live import steps as collects
from workshops.live.models import Participant
from workshops.programme.models import Workshop


def etag(workshop_id: int, version: int, track: str | None) -> str:
    """A short validator over everything a device sees (the state version and its track).

    The method's texts count by the programme's digest (a deploy that words them anew changes
    every validator), not by the language they are shown in (method_texts): choosing it reads the
    session, which an unchanged poll must not, and a phone that switches language loads its page
    again and polls afresh. So the validator is weak, and answers vary by cookie and
    Accept-Language for any cache on the way.
    """
    raw = f"{workshop_id}:{version}:{track or ''}:{catalogue.programme_digest()}".encode()
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


def method_texts(workshop: Workshop, lang: str | None) -> dict[int, tuple[str, str]]:
    """(title, prompt) in lang of each step whose texts are still the method's own, by step id.

    A step made from the method's template holds its title and prompt in the project's
    language. Where the leader left them as the method words them, a phone in another language
    reads the method's words in its own (a Finnish-speaking owner in a Swedish-language project);
    a text the leader wrote or changed is shown as written. Steps not from a template, or a
    template without the language, are not listed.
    """
    if not lang or not workshop.template_key:
        return {}  # the wall and the console: no project to read
    source = workshop.project.language
    if lang == source:
        return {}
    try:
        template = catalogue.workshop_template(workshop.template_key)
    except KeyError:
        return {}
    by_key = {s.key: s for s in template.steps}
    shown: dict[int, tuple[str, str]] = {}
    for step in workshop.steps:
        method = by_key.get(step.key or "")
        if method is None:
            continue
        title = step.title
        if title == method.title.get(source) and getattr(method.title, lang, ""):
            title = method.title.get(lang)
        prompt = step.prompt or ""
        if (
            method.prompt
            and prompt == method.prompt.get(source)
            and getattr(method.prompt, lang, "")
        ):
            prompt = method.prompt.get(lang)
        if (title, prompt) != (step.title, step.prompt or ""):
            shown[step.id] = (title, prompt)
    return shown


def snapshot(
    workshop: Workshop, now: datetime, *, track: str | None = None, lang: str | None = None
) -> dict:
    """The state as a participant sees it: status, current step, and the agenda they may see
    (the method's own texts in lang, see method_texts)."""
    tick = live.clock(workshop, now)
    step = tick.step
    step_json = None
    texts = method_texts(workshop, lang)
    if step is not None and workshop.status != "closed":
        title, prompt = texts.get(step.id, (step.title, step.prompt))
        step_json = {
            "id": step.id,
            "position": step.position,
            "title": title,
            "prompt": prompt,
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
            {
                "position": s.position,
                "title": texts.get(s.id, (s.title, ""))[0],
                "minutes": live.minutes_of(s),
            }
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
