"""Dot voting and "I want to work on this": one device never exceeds its dots."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from workshops.businesses.models import Business
from workshops.ideas.models import Idea, Interest, Vote, VoteBudget, VoteRound
from workshops.live.models import Participant
from workshops.programme.models import Workshop


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


def start_round(workshop: Workshop, dots: int, now: datetime) -> VoteRound:
    """Open a vote with `dots` per device (closing any open one); results start hidden."""
    if not 1 <= dots <= 20:
        raise VoteError("invalid_dots")
    current = open_round(workshop)
    if current:
        close_round(current, now)
    vote_round = VoteRound(
        workshop_id=workshop.id, step_id=workshop.current_step_id, dots=dots, opened_at=now
    )
    db.session.add(vote_round)
    workshop.state_version += 1
    workshop.ideas_version += 1
    return vote_round


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
    module = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return module.insert(model).values(**values).on_conflict_do_nothing()


MAX_ID = 2**31 - 1  # the largest id a 32-bit integer column holds (PostgreSQL's integer)


def _idea(idea_id: object) -> Idea | None:
    """The idea with this id from a JSON body: a plain integer in range, else None."""
    if not isinstance(idea_id, int) or isinstance(idea_id, bool) or not 0 < idea_id <= MAX_ID:
        return None
    return db.session.get(Idea, idea_id)


def cast(workshop: Workshop, idea_id: object, dots: object, device: str, now: datetime) -> dict:
    """Spend (or with a negative number take back) dots on an idea; commit."""
    vote_round = open_round(workshop)
    if vote_round is None:
        raise VoteError("vote_closed")
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
    spent = db.session.execute(
        update(VoteBudget)
        .where(
            VoteBudget.round_id == vote_round.id,
            VoteBudget.device == device,
            VoteBudget.used + dots <= vote_round.dots,
            VoteBudget.used + dots >= 0,
        )
        .values(used=VoteBudget.used + dots)
    )
    if spent.rowcount != 1:
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
        )
    )
    _touch(workshop.id)
    used = db.session.scalar(
        select(VoteBudget.used).where(
            VoteBudget.round_id == vote_round.id, VoteBudget.device == device
        )
    )
    db.session.commit()
    return {"idea": idea.id, "dots_left": vote_round.dots - used, "dots": vote_round.dots}


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
    """Record that this device's business wants to work on an idea (once per device); commit."""
    if workshop.status == "closed":
        raise VoteError("workshop_closed")
    idea = _idea(idea_id)
    if idea is None or idea.workshop_id != workshop.id:
        raise VoteError("invalid_idea")
    if not isinstance(business, str) or not business.strip() or len(business.strip()) > 160:
        raise VoteError("invalid_business")
    name = business.strip()
    known = db.session.scalar(
        select(Business.id).where(
            Business.project_id == workshop.project_id, func.lower(Business.name) == name.lower()
        )
    )
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
