"""Ideas: captured exactly as typed, never edited or deleted; hidden from the wall at most.

The submit path is the hottest in the app (a room of phones at once), so it is one SQL
statement and no ORM objects: it finds the workshop, checks the device's rate and inserts with the
idempotency key so a retry finds the first row. On PostgreSQL that statement runs on its own on a
pooled connection in autocommit mode, so an idea costs one round trip to the database (no BEGIN,
no COMMIT) and no session work; only a refused insert (a retry, a closed workshop, the rate
limit) asks more to explain itself.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import DateTime, Integer, and_, column, false, func, select, text, update
from sqlalchemy.exc import DBAPIError

from app.db import utcnow
from app.extensions import db
from workshops.ideas.models import Idea, IdeaEvent, Theme
from workshops.programme.models import Step, Workshop

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


# Never drawn on their own: format characters (a zero-width space, a joiner, a byte-order mark:
# what some keyboards and copy-paste leave), controls, and marks with no letter to sit on
# (combining accents, variation selectors).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Mn", "Me"})
# Letters and symbols drawn as nothing: the Hangul fillers, the blank Braille pattern and the
# Khmer inherent vowels (the usual "invisible name" tricks).
_BLANK_CHARACTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5")


def blank(text: str) -> bool:
    """Whether a text shows nothing: only spaces, line breaks and characters drawn as nothing."""
    return all(
        ch.isspace() or ch in _BLANK_CHARACTERS or unicodedata.category(ch) in _INVISIBLE_CATEGORIES
        for ch in text
    )


def check_text(text: object) -> str:
    """The text as typed, if it is a string with something visible in it and not too long."""
    if not isinstance(text, str) or blank(text):
        raise IdeaError("invalid_text")
    if len(text) > MAX_LENGTH:
        raise IdeaError("invalid_text")
    return text


def _key(device: str | None, key: str | None) -> str | None:
    """Idempotency keys are unique per device and workshop: store them prefixed by device."""
    if not key:
        return None
    return f"{(device or '-')[:16]}:{key}"


# An idea a phone wrote in a step that has started, still waiting on a poor Wi-Fi when the leader
# closed the workshop, is taken this long after the close (the checkout is written last).
LATE_AFTER_CLOSE = timedelta(minutes=15)

# One statement finds the workshop and the device's participant row, checks the rate limit and
# inserts; built once as text, since the dialects' INSERT constructs are compiled anew each time.
# The idea goes to the step the phone showed when it was written (:written_in), when that is a
# step of this workshop that has started; else to the current step.
_SUBMIT = text(
    """
    INSERT INTO idea (workshop_id, step_id, participant_id, idempotency_key, text, author_name,
                      business_name, track, typed_by_leader, device, created_at)
    SELECT w.id, COALESCE(shown.id, w.current_step_id), p.id, :key, :text, :name, :business,
           COALESCE(:track, p.track), :leader, :device, :now
    FROM workshop AS w
    LEFT JOIN participant AS p ON p.workshop_id = w.id AND p.device = :device
    LEFT JOIN step AS shown ON shown.id = CAST(:written_in AS INTEGER)
        AND shown.workshop_id = w.id AND shown.started_at IS NOT NULL
    WHERE w.join_code = :code
      AND (w.status <> 'closed' OR (shown.id IS NOT NULL AND w.ended_at >= :late_since))
      AND (SELECT count(*) FROM idea AS r
           WHERE r.workshop_id = w.id AND r.device = :device AND r.created_at > :since) < :limit
    ON CONFLICT (workshop_id, idempotency_key) DO NOTHING
    RETURNING id, created_at
    """
).columns(column("id", Integer), column("created_at", DateTime))  # by position: no name matching


def _on_its_own() -> bool:
    """True on PostgreSQL when the session has no transaction yet (else the caller's work must
    commit with the idea); SQLite, in process, has no round trips to save."""
    session = db.session()
    return not session.in_transaction() and session.get_bind().dialect.name == "postgresql"


@cache
def _driver_sql() -> str:
    from sqlalchemy.dialects import postgresql  # here: only PostgreSQL asks for this SQL

    return str(_SUBMIT.compile(dialect=postgresql.psycopg.dialect()))


def _insert_committing_itself(values: dict) -> tuple | None:
    """The insert on a pooled PostgreSQL connection in autocommit mode: one statement is atomic
    on its own, so the idea costs one round trip (no BEGIN, no COMMIT) and no ORM session work.

    Errors come out as SQLAlchemy's (a lost or refused connection is an OperationalError, which
    the app answers with 503 and Retry-After). A lost connection means the server went away (a
    restart): it and every other pooled connection are replaced, as SQLAlchemy does."""
    import psycopg  # PostgreSQL only: not loaded on SQLite

    pooled = db.engine.raw_connection()
    connection = pooled.driver_connection
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(_driver_sql(), values)
            return cursor.fetchone()
    except psycopg.Error as error:
        lost = db.engine.dialect.is_disconnect(error, connection, None)
        if lost:
            pooled.invalidate(error)
            db.engine.dispose()
        raise DBAPIError.instance(
            _driver_sql(), values, error, psycopg.Error, connection_invalidated=lost
        ) from error
    finally:
        if not (connection.closed or connection.broken):
            connection.autocommit = False  # as the pool hands it out
        pooled.close()


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
    written_in: int | None = None,
    now: datetime | None = None,
) -> Stored:
    """Store an idea for the workshop with this join code; commit.

    It goes to the step it was written in (`written_in`: the step the phone showed, as long as
    it is a started step of this workshop), else to the current one. A workshop closed less than
    LATE_AFTER_CLOSE ago still takes an idea written in one of its steps: a phone that queued
    its checkout on a poor Wi-Fi delivers it after the close.
    """
    text = check_text(text)
    now = now or utcnow()
    stored_key = _key(device, key)
    limited = bool(device) and not typed_by_leader
    values = {
        "code": code,
        "key": stored_key,
        "text": text,
        "name": (name or "").strip()[:120],
        "business": (business or "").strip()[:160],
        "track": track or None,
        "leader": typed_by_leader,
        "device": device,
        "now": now,
        "since": now - RATE_WINDOW,
        "written_in": written_in,
        "late_since": now - LATE_AFTER_CLOSE,
        "limit": RATE_COUNT if limited else 2**31 - 1,
    }
    if _on_its_own():
        row = _insert_committing_itself(values)  # committed: a 201 promises the idea is stored
        if row is not None:
            return Stored(*row)
    else:
        row = db.session.execute(_SUBMIT, values).first()
        if row is not None:
            db.session.commit()  # before answering: a 201 promises the idea is stored
            return Stored(row.id, row.created_at)
    try:
        return _explain_refusal(code, stored_key, text, written_in, now)
    finally:
        db.session.rollback()


def _explain_refusal(
    code: str, stored_key: str | None, text: str, written_in: int | None, now: datetime
) -> Stored:
    """Nothing was inserted: a retry of a stored idea (answer as the first time) or a refusal.

    One statement reads the workshop, the idea stored under this key and the step the idea was
    written in, if any. A late idea the close still lets in was refused by the rate limit: the
    phone waits and sends it again."""
    same_key = (
        and_(Idea.workshop_id == Workshop.id, Idea.idempotency_key == stored_key)
        if stored_key
        else false()
    )
    shown = and_(
        Step.id == written_in, Step.workshop_id == Workshop.id, Step.started_at.is_not(None)
    )
    found = db.session.execute(
        select(
            Workshop.status,
            Workshop.ended_at,
            Idea.id,
            Idea.created_at,
            Idea.text,
            Step.id.label("shown_step"),
        )
        .select_from(Workshop)
        .outerjoin(Idea, same_key)
        .outerjoin(Step, shown if written_in is not None else false())
        .where(Workshop.join_code == code)
    ).first()
    if found is None:
        raise IdeaError("not_found")
    if found.id is not None:
        # A retry of an idea already stored gets its answer, even after the close.
        if found.text != text:
            raise IdeaError("idempotency_conflict")
        return Stored(found.id, found.created_at)
    late = found.shown_step is not None and (found.ended_at or now) >= now - LATE_AFTER_CLOSE
    if found.status == "closed" and not late:
        raise IdeaError("workshop_closed")
    raise IdeaError("rate_limited", retry_after=int(RATE_WINDOW.total_seconds()))


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
