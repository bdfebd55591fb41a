"""Hooks that upper packages fill at start-up, so lower ones never import them."""

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
