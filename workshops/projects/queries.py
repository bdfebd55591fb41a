"""The project's targets beside what has happened so far.

This room sits below the others, so it cannot count their rows itself: each room that holds
something a target counts registers a counter at start-up (`count_toward_targets`, called from
`workshops.init_app`). A target kind no room counts is an error, never a silent zero.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Flask, current_app

from workshops.projects.models import TARGET_KINDS, Project

COUNTERS = "kraftverk.project_actuals"


@dataclass(frozen=True)
class Progress:
    """One target and how far the project has come."""

    kind: str
    target: int
    actual: int

    @property
    def percent(self) -> int:
        """Share of the target reached, 0-100 (a target of 0 counts as reached)."""
        if self.target <= 0:
            return 100 if self.actual else 0
        return min(100, round(100 * self.actual / self.target))


def count_toward_targets(app: Flask, counter: Callable[[Project], Mapping[str, int]]) -> None:
    """Let a room count its part of the actuals: `counter(project)` -> {kind: number}."""
    app.extensions.setdefault(COUNTERS, []).append(counter)


def actuals(project: Project) -> dict[str, int]:
    """What has happened so far, counted from the data, per target kind."""
    done: dict[str, int] = {}
    for counter in current_app.extensions.get(COUNTERS, []):
        done.update(counter(project))
    missing = [kind for kind in TARGET_KINDS if kind not in done]
    if missing:
        raise LookupError(f"no room counts the target kinds {missing}")
    return done


def progress(project: Project) -> list[Progress]:
    """Each target beside its actual number, in the method's order."""
    done = actuals(project)
    targets = project.targets()
    return [Progress(kind, targets[kind], done[kind]) for kind in TARGET_KINDS]
