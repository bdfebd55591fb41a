"""The ideas list the wall and the phones poll, and the cursor that lets them fetch only changes.

A cursor records what a client has seen: the highest idea id and how many ideas there were, the
last audit event (hide, show, theme) and how many there were, and a digest of the theme names and
of the revealed vote totals. Ideas are never edited, so from a cursor the changes are the ideas
added since and the ideas an audit event touched since. When the counts do not add up (a row
committed late, below the cursor's id), the digest differs (a theme renamed or merged, votes
revealed or cast on a revealed round) or the cursor cannot be read, the answer is the whole list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import noload

from app.db import iso_z
from app.extensions import db
from workshops.ideas import votes
from workshops.ideas.models import Idea, IdeaEvent, Theme
from workshops.programme.models import Workshop

CURSOR_VERSION = "1"


@dataclass(frozen=True)
class Marks:
    """Where a workshop's ideas stand; its text is the cursor a client sends back."""

    last_id: int
    total: int
    last_event: int
    events: int
    digest: str

    @property
    def text(self) -> str:
        return "-".join(
            (
                CURSOR_VERSION,
                str(self.last_id),
                str(self.total),
                str(self.last_event),
                str(self.events),
                self.digest,
            )
        )


def parse_cursor(raw: str | None) -> Marks | None:
    """The marks a cursor holds, or None when it is missing or not one of ours."""
    if not raw or len(raw) > 120:
        return None
    parts = raw.split("-")
    if len(parts) != 6 or parts[0] != CURSOR_VERSION:
        return None
    try:
        numbers = [int(p) for p in parts[1:5]]
    except ValueError:
        return None
    if min(numbers) < 0:
        return None
    return Marks(*numbers, digest=parts[5])


def views(workshop: Workshop) -> tuple[dict[int, str], dict[int, int] | None]:
    """(theme names by id, dots per idea once the latest vote is revealed, else None).

    The dots are shown in the step that held the vote (or in any step, for a vote opened by
    hand outside one); the steps after it show the ideas again without them.
    """
    themes = {
        row.id: row.name
        for row in db.session.execute(
            select(Theme.id, Theme.name).where(Theme.workshop_id == workshop.id)
        )
    }
    latest = votes.latest_round(workshop)
    shown = (
        latest is not None
        and latest.revealed
        and latest.step_id in (None, workshop.current_step_id)
    )
    totals = votes.totals(workshop, latest) if shown else None
    return themes, totals


def _digest(themes: dict[int, str], totals: dict[int, int] | None) -> str:
    raw = repr((sorted(themes.items()), None if totals is None else sorted(totals.items())))
    return hashlib.blake2s(raw.encode(), digest_size=6).hexdigest()


def marks(workshop: Workshop, seen: tuple | None = None) -> Marks:
    """The workshop's marks now (four small queries, five with revealed votes)."""
    themes, totals = seen if seen is not None else views(workshop)
    total, last_id = db.session.execute(
        select(func.count(Idea.id), func.max(Idea.id)).where(Idea.workshop_id == workshop.id)
    ).one()
    events, last_event = db.session.execute(
        select(func.count(IdeaEvent.id), func.max(IdeaEvent.id))
        .join(Idea, Idea.id == IdeaEvent.idea_id)
        .where(Idea.workshop_id == workshop.id)
    ).one()
    return Marks(last_id or 0, total, last_event or 0, events, _digest(themes, totals))


def etag(workshop: Workshop) -> str:
    """A validator that changes whenever the list could, in one query (no theme or vote reads).

    Besides the counts the marks hold, it takes the workshop's idea and state versions, which
    every theme, vote and visibility change bumps: it may change when the list does not (the
    answer is then a small change set), never the other way round.
    """
    mine = Idea.workshop_id == workshop.id
    events = select(IdeaEvent.id).join(Idea, Idea.id == IdeaEvent.idea_id).where(mine).subquery()
    row = db.session.execute(
        select(
            select(func.count(Idea.id)).where(mine).scalar_subquery(),
            select(func.max(Idea.id)).where(mine).scalar_subquery(),
            select(func.count(events.c.id)).scalar_subquery(),
            select(func.max(events.c.id)).scalar_subquery(),
        )
    ).one()
    raw = f"{workshop.id}:{tuple(row)}:{workshop.ideas_version}:{workshop.state_version}"
    return hashlib.blake2s(raw.encode(), digest_size=8).hexdigest()


def item(idea: Idea, themes: dict[int, str], totals: dict[int, int] | None) -> dict:
    """One idea as the wall and the phones see it (text exactly as typed; empty fields left out)."""
    if idea.hidden_at is not None:
        return {"id": idea.id, "hidden": True}
    result = {"id": idea.id, "text": idea.text, "created_at": iso_z(idea.created_at)}
    if idea.step_id is not None:
        result["step"] = idea.step_id
    if idea.theme_id is not None and idea.theme_id in themes:
        result["theme"] = themes[idea.theme_id]
    if idea.track:
        result["track"] = idea.track
    if totals is not None:
        result["votes"] = totals.get(idea.id, 0)
    return result


def _newest_first(query):
    ordered = query.order_by(Idea.created_at.desc(), Idea.id.desc()).options(noload(Idea.theme))
    return list(db.session.scalars(ordered))


def listing(
    workshop: Workshop, since: str | None, seen: tuple | None = None, now: Marks | None = None
) -> dict:
    """{"cursor", "full", "ideas"}: every visible idea, or only what changed since the cursor.

    `seen` (from views()) and `now` (from marks()) may be passed when the caller has them.
    """
    seen = seen if seen is not None else views(workshop)
    now = now or marks(workshop, seen)
    old = parse_cursor(since)
    changed = _changed_since(workshop, old, now) if old is not None else None
    if changed is None:
        ideas = _newest_first(
            select(Idea).where(Idea.workshop_id == workshop.id, Idea.hidden_at.is_(None))
        )
    else:
        new_ids, touched = changed
        ideas = (
            _newest_first(
                select(Idea).where(
                    Idea.workshop_id == workshop.id,
                    or_(Idea.id > new_ids, Idea.id.in_(touched)),
                )
            )
            if new_ids < now.last_id or touched
            else []
        )
    body = {
        "cursor": now.text,
        "full": changed is None,
        "ideas": [item(i, *seen) for i in ideas],
    }
    return body


def _changed_since(workshop: Workshop, old: Marks, now: Marks) -> tuple[int, list[int]] | None:
    """(ideas above this id are new, ids an event touched), or None when only a full list is safe."""
    if old.digest != now.digest or old.last_id > now.last_id or old.last_event > now.last_event:
        return None
    added = db.session.scalar(
        select(func.count(Idea.id)).where(
            Idea.workshop_id == workshop.id, Idea.id > old.last_id, Idea.id <= now.last_id
        )
    )
    if now.total - old.total != added:
        return None  # an idea below the cursor's id was committed late
    rows = db.session.execute(
        select(IdeaEvent.id, IdeaEvent.idea_id)
        .join(Idea, Idea.id == IdeaEvent.idea_id)
        .where(
            Idea.workshop_id == workshop.id,
            IdeaEvent.id > old.last_event,
            IdeaEvent.id <= now.last_event,
        )
    ).all()
    if now.events - old.events != len(rows):
        return None
    return old.last_id, sorted({idea_id for _, idea_id in rows})
