"""The step drives the room: what a step collects decides what starts, ends and shows.

Each kind a step may collect (METHOD.md: ideas, votes, interests, profiles, pairings,
connections, products, evaluation) can have a handler. The room that owns the kind registers it
at start-up with `register`, so this room never imports the rooms above it. The clock calls
`step_started`, `step_ended` and `workshop_closed`; the console asks for `counts` and `panels`
and sends the leader's presses to `act`; the phones' state carries `phone`, the wall's `wall`.
Every callback takes the workshop and plain values; none commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from flask import current_app

REGISTRY = "kraftverk.step_kinds"


class StepError(ValueError):
    """A press on the console that does not fit; `code` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Control:
    """A button on the console: POSTs `action` to the kind's handler."""

    action: str
    label: str
    primary: bool = False
    number: tuple[str, int, int, int] | None = None  # (label, value, min, max) to send along


@dataclass(frozen=True)
class Panel:
    """What the console shows for one kind in the current step: lines and buttons."""

    kind: str
    title: str
    lines: tuple[str, ...] = ()
    controls: tuple[Control, ...] = ()
    link: tuple[str, str] | None = None  # (label, url)
    manual: bool = False  # not what the step collects: the leader may open it by hand


@dataclass
class Kind:
    """The handler of one collect kind; every callback is optional."""

    key: str
    on_start: Callable | None = None  # (workshop, step, now)
    on_end: Callable | None = None  # (workshop, step, now)
    on_close: Callable | None = None  # (workshop, now): the workshop closes
    counts: Callable | None = None  # (workshop) -> dict[str, int], whatever the step
    panel: Callable | None = None  # (workshop, step, manual: bool) -> Panel | None
    act: Callable | None = None  # (workshop, action, form: Mapping, now); raises StepError
    phone: Callable | None = None  # (workshop, step) -> dict | None, the same for every phone
    wall: Callable | None = None  # (workshop, step) -> dict | None
    after_close: Callable | None = None  # (workshop) -> dict | None: what phones still reach
    # Shown on the console in any step (the leader opens it by hand); its on_start and on_end
    # hear of every step, so what was opened by hand in a step ends with that step.
    manual: bool = False
    extra: dict = field(default_factory=dict)


def register(app, kind: Kind) -> None:
    """Make `kind` the handler of its key (one handler per key)."""
    app.extensions.setdefault(REGISTRY, {})[kind.key] = kind


def _registry() -> dict[str, Kind]:
    return current_app.extensions.get(REGISTRY, {})


def kinds_of(step) -> list[str]:
    """The kinds a step collects, without labels (`ideas:checkout` is `ideas`)."""
    seen: list[str] = []
    for item in (step.collects or []) if step is not None else []:
        key = str(item).split(":")[0]
        if key not in seen:
            seen.append(key)
    return seen


def _shown(step) -> list[Kind]:
    """The step's handlers, then those a leader may open by hand in any step."""
    own = kinds_of(step)
    registry = _registry()
    return [registry[k] for k in own if k in registry] + [
        kind for key, kind in registry.items() if kind.manual and key not in own
    ]


def step_started(workshop, step, now: datetime) -> None:
    """Open what `step` collects.

    The kinds a leader opens by hand hear of it too: each decides for itself (a reopened
    workshop brings back the vote its close ended, even one opened by hand).
    """
    for kind in _shown(step):
        if kind.on_start:
            kind.on_start(workshop, step, now)


def step_ended(workshop, step, now: datetime) -> None:
    """Close what `step` opened (what stays open by the method stays open).

    What the leader opened by hand during the step belongs to it and closes with it too (a dot
    vote opened in a step that does not collect votes): the step drives the room.
    """
    for kind in _shown(step):
        if kind.on_end:
            kind.on_end(workshop, step, now)


def workshop_closed(workshop, now: datetime) -> None:
    """The workshop closes: every kind closes what it still has open."""
    for kind in _registry().values():
        if kind.on_close:
            kind.on_close(workshop, now)


def counts(workshop) -> dict[str, int]:
    """Live counts from every kind, for the console."""
    result: dict[str, int] = {}
    for kind in _registry().values():
        if kind.counts:
            result.update(kind.counts(workshop))
    return result


def panels(workshop, step) -> list[Panel]:
    """The console's panels: the step's kinds first, then those a leader may open by hand."""
    if step is None:
        return []
    own = kinds_of(step)
    result = []
    for kind in _shown(step):
        if kind.panel:
            manual = kind.key not in own
            panel = kind.panel(workshop, step, manual)
            if panel is not None:
                result.append(replace(panel, manual=manual))
    return result


def act(workshop, key: str, action: str, form: Mapping, now: datetime) -> None:
    """A press on one of a kind's console buttons."""
    kind = _registry().get(key)
    if kind is None or kind.act is None:
        raise StepError("unknown_action")
    kind.act(workshop, action, form, now)


def phone(workshop, step) -> dict:
    """What the phones need for the step's kinds (the same for every phone)."""
    result = {}
    for kind in _shown(step):
        if kind.phone:
            data = kind.phone(workshop, step)
            if data is not None:
                result[kind.key] = data
    return result


def after_close(workshop) -> dict:
    """What a phone may still reach once the workshop has closed (an evaluation form stays
    open some days more), by kind."""
    result = {}
    for kind in _registry().values():
        if kind.after_close:
            data = kind.after_close(workshop)
            if data is not None:
                result[kind.key] = data
    return result


def wall(workshop, step) -> dict:
    """What the wall shows for the step's kinds."""
    result = {}
    for kind in _shown(step):
        if kind.wall:
            data = kind.wall(workshop, step)
            if data is not None:
                result[kind.key] = data
    return result
