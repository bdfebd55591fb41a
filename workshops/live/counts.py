"""What a workshop has collected so far, for the leader's console.

The live room counts its participants; the rooms above it (ideas, votes, interests, evaluation
answers) add theirs through the step registry (`workshops.live.steps`), filled at start-up, so
this room never imports them.
"""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from workshops.live import steps
from workshops.live.models import Participant
from workshops.programme.models import Workshop


def participant_count(workshop: Workshop) -> int:
    """How many devices joined the workshop."""
    return db.session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop.id)
    )


def counts(workshop: Workshop) -> dict[str, int]:
    """The participants, then every registered step kind's counts."""
    return {"participants": participant_count(workshop), **steps.counts(workshop)}
