"""Ideas: captured exactly as typed, never edited or deleted; hidden from the wall at most.

The submit path is the hottest in the app (a room of phones at once), so it uses a few short
Core statements and no ORM objects: find the workshop, check the device's rate, insert with the
idempotency key so a retry finds the first row, commit, answer.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.db import utcnow
from app.extensions import db
from workshops.models import Idea, IdeaEvent, Participant, Theme, Workshop

MAX_LENGTH = 2000
RATE_COUNT = 10
RATE_WINDOW = timedelta(seconds=10)


class IdeaError(ValueError):
    """An idea that cannot be taken; `code` is the API error code."""

    def __init__(self, code: str, retry_after: int | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.retry_after = retry_after


@dataclass(frozen=True)
class Stored:
    """What the phone needs back: the id and when it was stored."""

    id: int
    created_at: datetime


def check_text(text: object) -> str:
    """The text as typed, if it is a string with something in it and not too long."""
    if not isinstance(text, str) or not text.strip():
        raise IdeaError("invalid_text")
    if len(text) > MAX_LENGTH:
        raise IdeaError("invalid_text")
    return text


def _key(device: str | None, key: str | None) -> str | None:
    """Idempotency keys are unique per device and workshop: store them prefixed by device."""
    if not key:
        return None
    return f"{(device or '-')[:16]}:{key}"


def _insert(values: dict):
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    stmt = module.insert(Idea).values(**values)
    if values.get("idempotency_key") is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["workshop_id", "idempotency_key"])
    return stmt.returning(Idea.id, Idea.created_at)


def _existing(workshop_id: int, key: str, text: str) -> Stored:
    row = db.session.execute(
        select(Idea.id, Idea.created_at, Idea.text).where(
            Idea.workshop_id == workshop_id, Idea.idempotency_key == key
        )
    ).one()
    if row.text != text:
        raise IdeaError("idempotency_conflict")
    return Stored(row.id, row.created_at)


def submit(
    code: str,
    text: object,
    *,
    device: str | None,
    key: str | None = None,
    name: str = "",
    business: str = "",
    track: str | None = None,
    typed_by_leader: bool = False,
    now: datetime | None = None,
) -> Stored:
    """Store an idea for the workshop with this join code, in its current step; commit."""
    text = check_text(text)
    now = now or utcnow()
    workshop = db.session.execute(
        select(Workshop.id, Workshop.status, Workshop.current_step_id).where(
            Workshop.join_code == code
        )
    ).first()
    if workshop is None:
        raise IdeaError("not_found")
    if workshop.status == "closed":
        raise IdeaError("workshop_closed")
    stored_key = _key(device, key)
    if device and not typed_by_leader:
        recent = db.session.scalar(
            select(func.count())
            .select_from(Idea)
            .where(
                Idea.workshop_id == workshop.id,
                Idea.device == device,
                Idea.created_at > now - RATE_WINDOW,
            )
        )
        if recent >= RATE_COUNT:
            if stored_key:
                try:
                    return _existing(workshop.id, stored_key, text)
                except Exception:  # noqa: BLE001 - not stored yet: the limit applies
                    db.session.rollback()
            raise IdeaError("rate_limited", retry_after=int(RATE_WINDOW.total_seconds()))
    participant = (
        select(Participant.id)
        .where(Participant.workshop_id == workshop.id, Participant.device == device)
        .scalar_subquery()
    )
    participant_track = (
        select(Participant.track)
        .where(Participant.workshop_id == workshop.id, Participant.device == device)
        .scalar_subquery()
    )
    values = {
        "workshop_id": workshop.id,
        "step_id": workshop.current_step_id,
        "participant_id": participant if device else None,
        "idempotency_key": stored_key,
        "text": text,
        "author_name": (name or "").strip()[:120],
        "business_name": (business or "").strip()[:160],
        "track": track if track else (participant_track if device else None),
        "typed_by_leader": typed_by_leader,
        "device": device,
        "created_at": now,
    }
    row = db.session.execute(_insert(values)).first()
    if row is None:  # the same key came before: answer as the first time, or refuse other text
        stored = _existing(workshop.id, stored_key, text)
        db.session.rollback()
        return stored
    db.session.commit()  # before answering: a 201 promises the idea is stored
    return Stored(row.id, row.created_at)


def visible(workshop: Workshop) -> list[Idea]:
    """The ideas shown on the wall, newest first."""
    return list(
        db.session.scalars(
            select(Idea)
            .where(Idea.workshop_id == workshop.id, Idea.hidden_at.is_(None))
            .order_by(Idea.created_at.desc(), Idea.id.desc())
        )
    )


def all_ideas(workshop: Workshop) -> list[Idea]:
    """Every idea of the workshop, hidden ones too, oldest first (console, exports)."""
    return list(
        db.session.scalars(
            select(Idea).where(Idea.workshop_id == workshop.id).order_by(Idea.created_at, Idea.id)
        )
    )


def list_etag(workshop: Workshop) -> str:
    """A validator for the idea list: changes with any new, hidden, themed or voted idea."""
    count, last = db.session.execute(
        select(func.count(Idea.id), func.max(Idea.id)).where(Idea.workshop_id == workshop.id)
    ).one()
    raw = f"{workshop.id}:{count}:{last}:{workshop.ideas_version}:{workshop.state_version}"
    return hashlib.blake2s(raw.encode(), digest_size=8).hexdigest()


def _touch(workshop_id: int) -> None:
    db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id)
        .values(ideas_version=Workshop.ideas_version + 1)
    )


def set_hidden(idea: Idea, hidden: bool, user_id: int | None, now: datetime) -> None:
    """Hide an idea from the wall or show it again; the audit trail keeps who and when."""
    if hidden == (idea.hidden_at is not None):
        return
    idea.hidden_at = now if hidden else None
    idea.hidden_by_id = user_id if hidden else None
    db.session.add(
        IdeaEvent(idea_id=idea.id, user_id=user_id, action="hide" if hidden else "show", at=now)
    )
    _touch(idea.workshop_id)


def create_theme(workshop: Workshop, name: str) -> Theme:
    """A new theme at the end of the workshop's list."""
    count = db.session.scalar(
        select(func.count()).select_from(Theme).where(Theme.workshop_id == workshop.id)
    )
    theme = Theme(workshop_id=workshop.id, name=name.strip()[:120], position=count or 0)
    db.session.add(theme)
    _touch(workshop.id)
    return theme


def rename_theme(theme: Theme, name: str) -> None:
    """Give a theme a new name."""
    theme.name = name.strip()[:120]
    _touch(theme.workshop_id)


def merge_themes(source: Theme, target: Theme) -> None:
    """Move every idea of `source` into `target` and remove `source`."""
    db.session.execute(update(Idea).where(Idea.theme_id == source.id).values(theme_id=target.id))
    db.session.delete(source)
    _touch(target.workshop_id)


def set_theme(idea: Idea, theme: Theme | None, user_id: int | None, now: datetime) -> None:
    """Put an idea in a theme, or in none."""
    idea.theme_id = theme.id if theme else None
    db.session.add(
        IdeaEvent(
            idea_id=idea.id,
            user_id=user_id,
            action="theme",
            detail=theme.name if theme else "",
            at=now,
        )
    )
    _touch(idea.workshop_id)


def themes(workshop: Workshop) -> list[Theme]:
    """The workshop's themes in order."""
    return list(
        db.session.scalars(
            select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)
        )
    )


def count_for(workshop: Workshop) -> dict[str, int]:
    """Counts for the console: ideas in all, and in the current step."""
    total, in_step = db.session.execute(
        select(
            func.count(Idea.id),
            func.count(Idea.id).filter(and_(Idea.step_id == workshop.current_step_id)),
        ).where(Idea.workshop_id == workshop.id)
    ).one()
    return {"ideas": total, "ideas_in_step": in_step}
