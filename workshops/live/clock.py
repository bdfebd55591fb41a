"""Running a workshop live: start, move between steps, extend, pause, close.

Every function takes `now` (naive UTC) instead of reading the clock. Moves between steps are a
compare-and-set on the step being left, so two leaders pressing "next" at once advance one step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update

from app.extensions import db
from method import programme
from workshops.programme.models import Step, Workshop


class LiveError(ValueError):
    """A move that does not fit the workshop's state; the code names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Clock:
    """Where the current step stands on the clock."""

    step: Step | None
    index: int | None
    started_at: datetime | None
    minutes: int  # the step's minutes plus any extension
    ends_at: datetime | None
    remaining_seconds: int | None  # negative when over time
    paused: bool


def current_step(workshop: Workshop) -> Step | None:
    """The step being run now, if any."""
    if workshop.current_step_id is None:
        return None
    return next((s for s in workshop.steps if s.id == workshop.current_step_id), None)


def step_index(workshop: Workshop) -> int | None:
    """The current step's index in the programme, or None before the start."""
    step = current_step(workshop)
    return workshop.steps.index(step) if step else None


def clock(workshop: Workshop, now: datetime) -> Clock:
    """The current step's timing; a paused workshop's clock stands still."""
    step = current_step(workshop)
    if step is None or workshop.step_started_at is None:
        return Clock(None, None, None, 0, None, None, workshop.status == "paused")
    minutes = step.minutes + (workshop.step_extra_minutes or 0)
    ends_at = workshop.step_started_at + timedelta(minutes=minutes)
    reference = workshop.paused_at if workshop.paused_at else now
    remaining = math.floor((ends_at - reference).total_seconds())
    return Clock(
        step,
        workshop.steps.index(step),
        workshop.step_started_at,
        minutes,
        ends_at,
        remaining,
        workshop.paused_at is not None,
    )


def _close_step(step: Step | None, now: datetime) -> None:
    if step is not None and step.started_at is not None:
        step.ended_at = now
        step.actual_minutes = max(0, round((now - step.started_at).total_seconds() / 60))


def _move(workshop: Workshop, leaving_id: int | None, target: Step, now: datetime) -> None:
    """Make `target` current if the current step is still `leaving_id`; else LiveError."""
    result = db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id)
        .where(
            Workshop.current_step_id.is_(None)
            if leaving_id is None
            else Workshop.current_step_id == leaving_id
        )
        .values(
            current_step_id=target.id,
            step_started_at=now,
            step_extra_minutes=0,
            paused_at=None,
            status="live",
            state_version=Workshop.state_version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise LiveError("moved_meanwhile")
    leaving = next((s for s in workshop.steps if s.id == leaving_id), None)
    _close_step(leaving, now)
    target.started_at = now
    target.ended_at = None
    target.actual_minutes = None
    db.session.refresh(
        workshop,
        [
            "current_step_id",
            "step_started_at",
            "step_extra_minutes",
            "paused_at",
            "status",
            "state_version",
        ],
    )


def start(workshop: Workshop, now: datetime) -> None:
    """Start the workshop at its first step."""
    if workshop.status == "closed":
        raise LiveError("closed")
    if workshop.current_step_id is not None:
        raise LiveError("already_started")
    if not workshop.steps:
        raise LiveError("no_steps")
    _move(workshop, None, workshop.steps[0], now)
    workshop.started_at = workshop.started_at or now


def advance(workshop: Workshop, leaving_id: int | None, now: datetime, *, offset: int = 1) -> Step:
    """Go to the next (offset 1) or previous (-1) step, if `leaving_id` is still current."""
    if workshop.status == "closed":
        raise LiveError("closed")
    index = step_index(workshop)
    if index is None or workshop.current_step_id != leaving_id:
        raise LiveError("moved_meanwhile")
    target_index = index + offset
    if not 0 <= target_index < len(workshop.steps):
        raise LiveError("no_such_step")
    target = workshop.steps[target_index]
    _move(workshop, leaving_id, target, now)
    return target


def extend(workshop: Workshop, minutes: int, now: datetime) -> None:
    """Give the current step `minutes` more (1-60)."""
    if workshop.current_step_id is None or workshop.status == "closed":
        raise LiveError("not_running")
    if not 1 <= minutes <= 60:
        raise LiveError("bad_minutes")
    workshop.step_extra_minutes = (workshop.step_extra_minutes or 0) + minutes
    workshop.state_version += 1


def pause(workshop: Workshop, now: datetime) -> None:
    """Stop the clock (the current step keeps its remaining time)."""
    if workshop.status != "live":
        raise LiveError("not_running")
    workshop.status = "paused"
    workshop.paused_at = now
    workshop.state_version += 1


def resume(workshop: Workshop, now: datetime) -> None:
    """Start the clock again where it stood."""
    if workshop.status != "paused":
        raise LiveError("not_paused")
    if workshop.paused_at and workshop.step_started_at:
        workshop.step_started_at += now - workshop.paused_at
    workshop.paused_at = None
    workshop.status = "live"
    workshop.state_version += 1


def close(workshop: Workshop, now: datetime) -> None:
    """End the workshop; what was collected stays, nothing more is accepted."""
    if workshop.status == "closed":
        raise LiveError("closed")
    _close_step(current_step(workshop), now)
    workshop.status = "closed"
    workshop.ended_at = now
    workshop.paused_at = None
    workshop.state_version += 1


def reopen(workshop: Workshop) -> None:
    """Undo a close by mistake: the workshop is paused at the step where it stood."""
    if workshop.status != "closed":
        raise LiveError("not_closed")
    workshop.status = "paused" if workshop.current_step_id else "planned"
    workshop.ended_at = None
    workshop.state_version += 1


def workshop_end(workshop: Workshop) -> datetime | None:
    """When the workshop should end: its planned start plus its length, or from its real start."""
    length = workshop.duration_minutes or sum(s.minutes for s in workshop.steps)
    begin = workshop.starts_at or workshop.started_at
    if workshop.started_at and workshop.starts_at and workshop.started_at > workshop.starts_at:
        # Started late: the room is booked until the planned end, so plan toward that.
        begin = workshop.starts_at
    return begin + timedelta(minutes=length) if begin else None


def rest_of_day(workshop: Workshop, now: datetime) -> programme.Replan | None:
    """The plan for the steps to come, re-computed from where the workshop stands now."""
    index = step_index(workshop)
    end = workshop_end(workshop)
    if index is None or end is None or workshop.step_started_at is None:
        return None
    steps = [
        programme.PlanStep(
            title=s.title,
            minutes=s.minutes + (workshop.step_extra_minutes if n == index else 0),
            fixed=s.fixed,
            key=s.key,
        )
        for n, s in enumerate(workshop.steps)
    ]
    reference = workshop.paused_at or now
    return programme.replan(steps, index, workshop.step_started_at, reference, end)
