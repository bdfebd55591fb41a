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
from workshops.live import steps as collects
from workshops.programme.models import Step, Workshop
from workshops.programme.queries import current_step, step_index
from workshops.programme.versions import bump


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


def minutes_of(step: Step) -> int:
    """The minutes a step runs: as re-planned if a re-plan was applied, else as planned."""
    if step.applied_minutes is not None and not step.dropped:
        return step.applied_minutes
    return step.minutes


def clock(workshop: Workshop, now: datetime) -> Clock:
    """The current step's timing; a paused workshop's clock stands still."""
    step = current_step(workshop)
    if step is None or workshop.step_started_at is None:
        return Clock(None, None, None, 0, None, None, workshop.status == "paused")
    minutes = minutes_of(step) + (workshop.step_extra_minutes or 0)
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
    if leaving is not None:
        collects.step_ended(workshop, leaving, now)
    collects.step_started(workshop, target, now)


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
    # Steps dropped by an applied re-plan are passed over.
    while 0 <= target_index < len(workshop.steps) and workshop.steps[target_index].dropped:
        target_index += 1 if offset > 0 else -1
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
    db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id)
        .values(step_extra_minutes=Workshop.step_extra_minutes + minutes)
        .execution_options(synchronize_session=False)
    )
    db.session.expire(workshop, ["step_extra_minutes"])
    bump(workshop)


def pause(workshop: Workshop, now: datetime) -> None:
    """Stop the clock (the current step keeps its remaining time)."""
    if workshop.status != "live":
        raise LiveError("not_running")
    workshop.status = "paused"
    workshop.paused_at = now
    bump(workshop)


def resume(workshop: Workshop, now: datetime) -> None:
    """Start the clock again where it stood."""
    if workshop.status != "paused":
        raise LiveError("not_paused")
    if workshop.paused_at and workshop.step_started_at:
        workshop.step_started_at += now - workshop.paused_at
    workshop.paused_at = None
    workshop.status = "live"
    bump(workshop)


def close(workshop: Workshop, now: datetime) -> None:
    """End the workshop; what was collected stays, nothing more is accepted."""
    if workshop.status == "closed":
        raise LiveError("closed")
    step = current_step(workshop)
    _close_step(step, now)
    if step is not None:
        collects.step_ended(workshop, step, now)
    collects.workshop_closed(workshop, now)
    workshop.status = "closed"
    workshop.ended_at = now
    # The step's clock stands still from the close, so a reopen resumes where it stood.
    workshop.paused_at = workshop.paused_at or now
    bump(workshop)


def reopen(workshop: Workshop, now: datetime | None = None) -> None:
    """Undo a close by mistake: the workshop is paused at the step where it stood.

    The clock stays stopped at the moment of the close until the leader resumes; what the step
    collects opens again.
    """
    if workshop.status != "closed":
        raise LiveError("not_closed")
    step = current_step(workshop)
    if step is not None:
        workshop.status = "paused"
        workshop.paused_at = workshop.paused_at or workshop.ended_at or now
        step.ended_at = None
        step.actual_minutes = None
        collects.step_started(workshop, step, now or workshop.paused_at)
    else:
        workshop.status = "planned"
        workshop.paused_at = None
    workshop.ended_at = None
    bump(workshop)


def workshop_end(workshop: Workshop) -> datetime | None:
    """When the workshop should end: its planned start plus its length, or from its real start."""
    length = workshop.duration_minutes or sum(s.minutes for s in workshop.steps)
    begin = workshop.starts_at or workshop.started_at
    if workshop.started_at and workshop.starts_at and workshop.started_at > workshop.starts_at:
        # Started late: the room is booked until the planned end, so plan toward that.
        begin = workshop.starts_at
    return begin + timedelta(minutes=length) if begin else None


def rest_of_day(workshop: Workshop, now: datetime) -> programme.Replan | None:
    """The plan for the steps to come, re-computed from where the workshop stands now; None
    once it is closed (it keeps its step only for a reopen)."""
    if workshop.status == "closed":
        return None
    index = step_index(workshop)
    end = workshop_end(workshop)
    if index is None or end is None or workshop.step_started_at is None:
        return None
    # Every re-plan starts from the planned minutes; only the current step runs as it runs.
    steps = [
        programme.PlanStep(
            title=s.title,
            minutes=(minutes_of(s) + (workshop.step_extra_minutes or 0))
            if n == index
            else s.minutes,
            fixed=s.fixed,
            key=s.key,
        )
        for n, s in enumerate(workshop.steps)
    ]
    reference = workshop.paused_at or now
    return programme.replan(steps, index, workshop.step_started_at, reference, end)


def replan_pending(workshop: Workshop, plan: programme.Replan | None) -> bool:
    """Tell whether `plan` differs from the minutes and drops now applied to the steps to come."""
    if plan is None:
        return False
    for item in plan.steps:
        step = workshop.steps[item.position]
        if item.dropped != bool(step.dropped):
            return True
        if not item.dropped and item.minutes != minutes_of(step):
            return True
    return False


def apply_replan(workshop: Workshop, now: datetime) -> programme.Replan:
    """Apply the re-planned rest of the day: new minutes and dropped steps, beside the planned."""
    if workshop.status == "closed":
        raise LiveError("closed")
    plan = rest_of_day(workshop, now)
    if plan is None:
        raise LiveError("not_running")
    for item in plan.steps:
        step = workshop.steps[item.position]
        step.dropped = item.dropped
        changed = not item.dropped and item.minutes != step.minutes
        step.applied_minutes = item.minutes if changed else None
    bump(workshop)
    return plan
