"""The programme engine: plan, re-plan and reveal a workshop's steps.

Pure functions over plain values. Nothing here reads the clock: callers pass ``now`` and start
times in, all of them aware or all naive. Steps are anything with ``title``, ``minutes`` and
``fixed`` (see ``StepLike``), so the web layer can pass its rows converted to ``PlanStep``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Literal, Protocol, TypeVar

from method.catalogue import PhaseTemplate

MIN_STEP_MINUTES = 5  # re-planning never shrinks a flexible step below this...
MIN_STEP_SHARE = Fraction(1, 2)  # ...nor below this share of its planned minutes
VISIBILITIES = ("open", "stepwise", "hidden")
Visibility = Literal["open", "stepwise", "hidden"]


class StepLike(Protocol):
    """What the engine needs to know about a step."""

    @property
    def title(self) -> str: ...

    @property
    def minutes(self) -> int: ...

    @property
    def fixed(self) -> bool: ...


S = TypeVar("S", bound=StepLike)


@dataclass(frozen=True)
class PlanStep:
    """A step as plain values, e.g. converted from a database row or a template."""

    title: str
    minutes: int
    fixed: bool = False
    key: str | None = None  # the template step it came from, if any


@dataclass(frozen=True)
class PlannedStep:
    """A step placed on the clock."""

    position: int  # index in the list given to schedule()
    title: str
    minutes: int
    fixed: bool
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class ReplannedStep:
    """A step still to come, with its new length; a dropped step has no time."""

    position: int  # index in the list given to replan()
    title: str
    fixed: bool
    planned_minutes: int
    minutes: int  # 0 when dropped
    dropped: bool
    starts_at: datetime | None
    ends_at: datetime | None


@dataclass(frozen=True)
class Replan:
    """The rest of a workshop after re-planning, and how late it ends if it cannot fit."""

    current_ends_at: datetime  # the current step's planned end, or now if it has overrun
    steps: tuple[ReplannedStep, ...]  # every step after the current one, in order
    ends_at: datetime
    late_minutes: int  # 0 when the workshop ends on time

    @property
    def changed(self) -> bool:
        """Tell whether any step to come was shortened or dropped."""
        return any(s.dropped or s.minutes != s.planned_minutes for s in self.steps)

    @property
    def dropped(self) -> tuple[int, ...]:
        """Return the positions of the dropped steps."""
        return tuple(s.position for s in self.steps if s.dropped)

    def minutes_by_position(self) -> dict[int, int]:
        """Return the new minutes of every step to come, 0 for a dropped one."""
        return {s.position: s.minutes for s in self.steps}


def total_minutes(steps: Iterable[StepLike]) -> int:
    """Return the planned length of the steps together."""
    return sum(step.minutes for step in steps)


def plan_steps(template: PhaseTemplate, lang: str) -> list[PlanStep]:
    """Turn a workshop template into plain steps, titled in ``lang``."""
    return [
        PlanStep(title=s.title.get(lang), minutes=s.minutes or 0, fixed=s.fixed, key=s.key)
        for s in template.steps
    ]


def schedule(steps: Sequence[StepLike], start: datetime) -> list[PlannedStep]:
    """Place the steps one after another from ``start``."""
    planned = []
    at = start
    for position, step in enumerate(steps):
        ends = at + timedelta(minutes=step.minutes)
        planned.append(
            PlannedStep(position, step.title, step.minutes, step.fixed, starts_at=at, ends_at=ends)
        )
        at = ends
    return planned


def replan(
    steps: Sequence[StepLike],
    current_index: int,
    current_started_at: datetime,
    now: datetime,
    workshop_end: datetime,
) -> Replan:
    """Fit the steps after the current one into the time left before ``workshop_end``.

    The current step ends as planned, or now if it has overrun. If the rest does not fit, the
    flexible steps to come shrink in proportion to their minutes, each to no less than half its
    minutes and never below 5; if that is not enough, the last flexible steps are dropped. Fixed
    steps keep their minutes. What still does not fit is reported as ``late_minutes``.
    """
    if not 0 <= current_index < len(steps):
        raise IndexError(f"current_index {current_index} is outside the {len(steps)} steps")
    planned_end = current_started_at + timedelta(minutes=steps[current_index].minutes)
    current_end = max(planned_end, now)
    rest = list(range(current_index + 1, len(steps)))
    minutes: dict[int, int | None] = {i: steps[i].minutes for i in rest}
    over = _ceil_minutes(
        current_end + timedelta(minutes=total_minutes(steps[current_index + 1 :])) - workshop_end
    )
    if over > 0:
        minutes = _fit(steps, rest, over)
    at = current_end
    replanned = []
    for i in rest:
        dropped = minutes[i] is None
        ends = None if dropped else at + timedelta(minutes=minutes[i])
        replanned.append(
            ReplannedStep(
                position=i,
                title=steps[i].title,
                fixed=steps[i].fixed,
                planned_minutes=steps[i].minutes,
                minutes=minutes[i] or 0,
                dropped=dropped,
                starts_at=None if dropped else at,
                ends_at=ends,
            )
        )
        at = ends or at
    return Replan(
        current_ends_at=current_end,
        steps=tuple(replanned),
        ends_at=at,
        late_minutes=max(0, _ceil_minutes(at - workshop_end)),
    )


def visible_steps(
    steps: Sequence[S], visibility: Visibility | str, current_index: int | None
) -> list[S]:
    """Return the agenda participants may see: all, those reached so far, or none.

    ``current_index`` is None before the workshop starts. In every mode the current step itself
    is shown to participants separately.
    """
    if visibility == "open":
        return list(steps)
    if visibility == "stepwise":
        return [] if current_index is None else list(steps[: current_index + 1])
    if visibility == "hidden":
        return []
    raise ValueError(f"visibility must be one of {', '.join(VISIBILITIES)}, not {visibility!r}")


def _ceil_minutes(delta: timedelta) -> int:
    """Round a duration up to whole minutes (negative when there is time to spare)."""
    return math.ceil(Fraction(delta // timedelta(microseconds=1), 60_000_000))


def _floor_minutes(minutes: int) -> int:
    """Return the shortest a flexible step of ``minutes`` may become (never longer than itself)."""
    return min(minutes, max(MIN_STEP_MINUTES, math.ceil(minutes * MIN_STEP_SHARE)))


def _fit(steps: Sequence[StepLike], rest: list[int], over: int) -> dict[int, int | None]:
    """Cut ``over`` minutes from the flexible steps in ``rest``: shrink, then drop from the end.

    Returns the new minutes per position, None for a dropped step. When even dropping every
    flexible step is not enough, they are all dropped and the caller reports the lateness.
    """
    flexible = [i for i in rest if not steps[i].fixed]
    result: dict[int, int | None] = {i: steps[i].minutes for i in rest}
    for dropping in range(len(flexible) + 1):
        kept, dropped = flexible[: len(flexible) - dropping], flexible[len(flexible) - dropping :]
        cut = over - sum(steps[i].minutes for i in dropped)
        shrunk = _shrink([steps[i].minutes for i in kept], cut)
        if shrunk is not None or not kept:
            result.update(dict.fromkeys(dropped))
            result.update(zip(kept, shrunk or [], strict=True))
            return result
    raise AssertionError("unreachable: dropping every flexible step always ends the search")


def _shrink(minutes: list[int], cut: int) -> list[int] | None:
    """Cut ``cut`` minutes in proportion to each length, none below its floor; None if impossible.

    Every step is scaled by one common factor, except that a step reaching its floor stays
    there and the others take the rest of the cut. Whole minutes are shared out by largest
    remainder, so the total is exact.
    """
    if cut <= 0:
        return list(minutes)
    floors = [_floor_minutes(m) for m in minutes]
    if sum(minutes) - sum(floors) < cut:
        return None
    target = sum(minutes) - cut
    at_floor: set[int] = set()
    while True:
        free = [i for i in range(len(minutes)) if i not in at_floor]
        budget = target - sum(floors[i] for i in at_floor)
        length = sum(minutes[i] for i in free)
        scale = Fraction(budget, length) if length else Fraction(0)
        reached = {i for i in free if minutes[i] * scale < floors[i]}
        if not reached:
            break
        at_floor |= reached
    exact = [
        Fraction(floors[i]) if i in at_floor else minutes[i] * scale for i in range(len(minutes))
    ]
    result = [math.floor(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: (result[i] - exact[i], i))
    for i in by_remainder[: target - sum(result)]:
        result[i] += 1
    return result
