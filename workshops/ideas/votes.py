"""Dot voting and "I want to work on this": one device never exceeds its dots."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from workshops.ideas.models import Idea, Interest, Vote, VoteBudget, VoteRound
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.programme.versions import bump

# The businesses room sits above this one: it registers how an interest's typed business name
# is matched to a registered business (`name_businesses_with`, called at start-up).
BUSINESS_LOOKUP = "kraftverk.business_named"

MIN_DOTS = 3
MAX_DOTS = 20


class VoteError(ValueError):
    """A vote or interest that cannot be taken; `code` is the API error code."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def open_round(workshop: Workshop) -> VoteRound | None:
    """The workshop's open vote, if any."""
    return db.session.scalar(
        select(VoteRound)
        .where(VoteRound.workshop_id == workshop.id, VoteRound.status == "open")
        .order_by(VoteRound.id.desc())
    )


def latest_round(workshop: Workshop) -> VoteRound | None:
    """The workshop's most recent vote, open or closed."""
    return db.session.scalar(
        select(VoteRound).where(VoteRound.workshop_id == workshop.id).order_by(VoteRound.id.desc())
    )


def dots_for(idea_count: int) -> int:
    """Dots per device by METHOD.md: one per 4-5 ideas to choose from, at least 3."""
    return max(MIN_DOTS, min(MAX_DOTS, round(idea_count * 2 / 9)))


def votable_count(workshop: Workshop) -> int:
    """How many ideas a vote opened now would offer (those shown on the wall)."""
    return db.session.scalar(
        select(func.count())
        .select_from(Idea)
        .where(Idea.workshop_id == workshop.id, Idea.hidden_at.is_(None))
    )


def start_round(workshop: Workshop, dots: int | None, now: datetime) -> VoteRound:
    """Open a vote with `dots` per device (closing any open one); results start hidden.

    Without `dots`, each device gets one per 4-5 of the ideas on offer, at least 3.
    """
    if dots is None:
        dots = dots_for(votable_count(workshop))
    if not 1 <= dots <= MAX_DOTS:
        raise VoteError("invalid_dots")
    current = open_round(workshop)
    if current:
        close_round(current, now)
    vote_round = VoteRound(
        workshop_id=workshop.id, step_id=workshop.current_step_id, dots=dots, opened_at=now
    )
    db.session.add(vote_round)
    bump(workshop, state=True, ideas=True)
    return vote_round


def open_for_step(workshop: Workshop, step, now: datetime) -> VoteRound:
    """The step's vote, opened: its open round, else its last round reopened, else a new one.

    Going back to a voting step, or reopening a closed workshop, continues the same vote.
    """
    current = open_round(workshop)
    if current is not None and current.step_id == step.id:
        return current
    earlier = db.session.scalar(
        select(VoteRound)
        .where(VoteRound.workshop_id == workshop.id, VoteRound.step_id == step.id)
        .order_by(VoteRound.id.desc())
    )
    if earlier is None:
        return start_round(workshop, None, now)
    if current is not None:
        close_round(current, now)
    earlier.status = "open"
    earlier.closed_at = None
    _touch(workshop.id, state=True)
    return earlier


def close_open(workshop: Workshop, now: datetime, *, step_id: int | None = None) -> None:
    """Close the open vote (only if it belongs to `step_id`, when given)."""
    current = open_round(workshop)
    if current is not None and (step_id is None or current.step_id == step_id):
        close_round(current, now)


def close_round(vote_round: VoteRound, now: datetime) -> None:
    """Stop taking votes in this round."""
    vote_round.status = "closed"
    vote_round.closed_at = now
    _touch(vote_round.workshop_id, state=True)


def reveal(vote_round: VoteRound, revealed: bool = True) -> None:
    """Show (or hide again) the results on the wall and the phones."""
    vote_round.revealed = revealed
    _touch(vote_round.workshop_id, state=True)


def _touch(workshop_id: int, *, state: bool = False) -> None:
    values = {"ideas_version": Workshop.ideas_version + 1}
    if state:
        values["state_version"] = Workshop.state_version + 1
    db.session.execute(update(Workshop).where(Workshop.id == workshop_id).values(**values))


def _insert_ignore(model, **values):
    # The engine's own dialect only: a process on SQLite never loads PostgreSQL's.
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(model).values(**values).on_conflict_do_nothing()


MAX_ID = 2**31 - 1  # the largest id a 32-bit integer column holds (PostgreSQL's integer)


def _idea(idea_id: object) -> Idea | None:
    """The idea with this id from a JSON body: a plain integer in range, else None."""
    if not isinstance(idea_id, int) or isinstance(idea_id, bool) or not 0 < idea_id <= MAX_ID:
        return None
    return db.session.get(Idea, idea_id)


def _answer(vote_round: VoteRound, idea_id: int, device: str) -> dict:
    used = db.session.scalar(
        select(VoteBudget.used).where(
            VoteBudget.round_id == vote_round.id, VoteBudget.device == device
        )
    )
    return {"idea": idea_id, "dots_left": vote_round.dots - (used or 0), "dots": vote_round.dots}


def _keyed(vote_round: VoteRound, device: str, key: str | None) -> Vote | None:
    if not key:
        return None
    return db.session.scalar(
        select(Vote).where(
            Vote.round_id == vote_round.id, Vote.device == device, Vote.idempotency_key == key
        )
    )


def cast(
    workshop: Workshop,
    idea_id: object,
    dots: object,
    device: str,
    now: datetime,
    *,
    key: str | None = None,
) -> dict:
    """Spend (or with a negative number take back) dots on an idea; commit.

    With an idempotency `key`, a retry of a vote already counted gets the same answer and
    spends nothing.
    """
    vote_round = open_round(workshop)
    if vote_round is None:
        raise VoteError("vote_closed")
    done = _keyed(vote_round, device, key)
    if done is not None:
        return _answer(vote_round, done.idea_id, device)
    if (
        not isinstance(dots, int)
        or isinstance(dots, bool)
        or dots == 0
        or abs(dots) > vote_round.dots
    ):
        raise VoteError("invalid_dots")
    idea = _idea(idea_id)
    if idea is None or idea.workshop_id != workshop.id or idea.hidden_at is not None:
        raise VoteError("invalid_idea")
    if dots < 0:
        mine = db.session.scalar(
            select(func.coalesce(func.sum(Vote.dots), 0)).where(
                Vote.round_id == vote_round.id, Vote.idea_id == idea.id, Vote.device == device
            )
        )
        if mine < -dots:
            raise VoteError("invalid_dots")
    db.session.execute(_insert_ignore(VoteBudget, round_id=vote_round.id, device=device, used=0))
    used = db.session.scalar(
        update(VoteBudget)
        .where(
            VoteBudget.round_id == vote_round.id,
            VoteBudget.device == device,
            VoteBudget.used + dots <= vote_round.dots,
            VoteBudget.used + dots >= 0,
        )
        .values(used=VoteBudget.used + dots)
        .returning(VoteBudget.used)
    )
    if used is None:
        db.session.rollback()
        raise VoteError("no_dots_left")
    track = db.session.scalar(
        select(Participant.track).where(
            Participant.workshop_id == workshop.id, Participant.device == device
        )
    )
    db.session.add(
        Vote(
            round_id=vote_round.id,
            idea_id=idea.id,
            device=device,
            dots=dots,
            track=track,
            created_at=now,
            idempotency_key=key or None,
        )
    )
    answer = {"idea": idea.id, "dots_left": vote_round.dots - used, "dots": vote_round.dots}
    _touch(workshop.id)  # last: the workshop's row stays locked only until the commit
    try:
        db.session.commit()
    except IntegrityError:
        # The same key was counted meanwhile by a parallel retry: answer as that one did.
        db.session.rollback()
        vote_round = db.session.get(VoteRound, vote_round.id)
        done = _keyed(vote_round, device, key)
        if done is None:
            raise
        return _answer(vote_round, done.idea_id, device)
    return answer


def mine(workshop: Workshop, device: str | None) -> dict[int, int]:
    """The dots this device has on each idea in the open vote."""
    vote_round = open_round(workshop)
    if vote_round is None or not device:
        return {}
    rows = db.session.execute(
        select(Vote.idea_id, func.sum(Vote.dots))
        .where(Vote.round_id == vote_round.id, Vote.device == device)
        .group_by(Vote.idea_id)
    )
    return {idea_id: int(total) for idea_id, total in rows if total}


def voters(vote_round: VoteRound) -> int:
    """How many devices have spent dots in this round."""
    return db.session.scalar(
        select(func.count())
        .select_from(VoteBudget)
        .where(VoteBudget.round_id == vote_round.id, VoteBudget.used > 0)
    )


def dots_left(workshop: Workshop, device: str | None) -> int | None:
    """How many dots this device has left in the open vote (None when no vote is open)."""
    vote_round = open_round(workshop)
    if vote_round is None:
        return None
    used = db.session.scalar(
        select(VoteBudget.used).where(
            VoteBudget.round_id == vote_round.id, VoteBudget.device == device
        )
    )
    return vote_round.dots - (used or 0)


def totals(workshop: Workshop, vote_round: VoteRound | None = None) -> dict[int, int]:
    """Dots per idea, in one round or across all the workshop's rounds."""
    stmt = select(Vote.idea_id, func.sum(Vote.dots)).join(VoteRound, VoteRound.id == Vote.round_id)
    stmt = stmt.where(VoteRound.workshop_id == workshop.id).group_by(Vote.idea_id)
    if vote_round is not None:
        stmt = stmt.where(Vote.round_id == vote_round.id)
    return {idea_id: int(total) for idea_id, total in db.session.execute(stmt)}


def mark_interest(
    workshop: Workshop, idea_id: object, business: object, device: str, now: datetime
) -> Interest:
    """Record that this device's business wants to work on an idea (once per device); commit.

    A retry of an interest already stored is answered with it, even after the workshop closed.
    """
    idea = _idea(idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        raise VoteError("invalid_idea")
    if workshop.status == "closed":
        stored = db.session.scalar(
            select(Interest).where(Interest.idea_id == idea.id, Interest.device == device)
        )
        if (
            stored is not None
            and isinstance(business, str)
            and stored.business_name == business.strip()
        ):
            return stored
        raise VoteError("workshop_closed")
    if not isinstance(business, str) or not business.strip() or len(business.strip()) > 160:
        raise VoteError("invalid_business")
    name = business.strip()
    known = registered_business(workshop.project_id, name)
    interest = db.session.scalar(
        select(Interest).where(Interest.idea_id == idea.id, Interest.device == device)
    )
    if interest is None:
        interest = Interest(idea_id=idea.id, device=device, created_at=now)
        db.session.add(interest)
    interest.business_name = name
    interest.business_id = known
    _touch(workshop.id)
    db.session.commit()
    return interest


def name_businesses_with(app: Flask, lookup: Callable[[int, str], int | None]) -> None:
    """Let the businesses room say which business a typed name is: `lookup(project_id, name)`."""
    app.extensions.setdefault(BUSINESS_LOOKUP, []).append(lookup)


def registered_business(project_id: int, name: str) -> int | None:
    """The id of the project's business with this name (as the registered lookups read it)."""
    lookups = current_app.extensions.get(BUSINESS_LOOKUP, [])
    if not lookups:
        raise LookupError("no room names the businesses of an interest")
    for lookup in lookups:
        found = lookup(project_id, name)
        if found is not None:
            return found
    return None


def interests_by_idea(workshop: Workshop) -> dict[int, list[str]]:
    """Business names interested in each idea of the workshop."""
    rows = db.session.execute(
        select(Interest.idea_id, Interest.business_name)
        .join(Idea, Idea.id == Interest.idea_id)
        .where(Idea.workshop_id == workshop.id)
        .order_by(Interest.business_name)
    )
    result: dict[int, list[str]] = {}
    for idea_id, name in rows:
        result.setdefault(idea_id, []).append(name)
    return result
