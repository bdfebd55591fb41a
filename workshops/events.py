"""Hooks that upper packages and rooms fill at start-up, so lower ones never import them."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app

WORKSHOP_CREATED = "kraftverk.on_workshop_created"


def on_workshop_created(app, callback: Callable) -> None:
    """Call `callback(workshop)` whenever a workshop is created (e.g. to add its evaluation)."""
    app.extensions.setdefault(WORKSHOP_CREATED, []).append(callback)


def workshop_created(workshop) -> None:
    """Tell every registered callback that `workshop` was just created (and flushed)."""
    for callback in current_app.extensions.get(WORKSHOP_CREATED, []):
        callback(workshop)


STARTING_PROGRAMME = "kraftverk.starting_programme"


def on_starting_programme(app, callback: Callable) -> None:
    """Let the programme room add a new project's starting programme: `callback(project, day)`."""
    app.extensions.setdefault(STARTING_PROGRAMME, []).append(callback)


def add_starting_programme(project, first_day) -> None:
    """Give a new project the method's programme, its first workshop on `first_day` (or undated)."""
    callbacks = current_app.extensions.get(STARTING_PROGRAMME, [])
    if not callbacks:
        raise LookupError("no room adds a starting programme")
    for callback in callbacks:
        callback(project, first_day)
