"""How the wall shows the ideas: its layout and the one idea in the spotlight.

Each change counts up the workshop's ideas version, so the wall and the phones fetch anew.
"""

from __future__ import annotations

from workshops.ideas.models import Idea
from workshops.programme.models import Workshop
from workshops.programme.versions import bump

WALL_LAYOUTS = ("newest", "theme", "track")


class WallError(ValueError):
    """A change the wall cannot make; `code` names the reason."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def toggle_spotlight(workshop: Workshop, idea: Idea) -> int | None:
    """Put the idea in the spotlight, or take it out if it is there; return the spotlit id."""
    if idea.workshop_id != workshop.id:
        raise WallError("other_workshop")
    workshop.spotlight_idea_id = None if workshop.spotlight_idea_id == idea.id else idea.id
    bump(workshop, state=False, ideas=True)
    return workshop.spotlight_idea_id


def set_layout(workshop: Workshop, layout: str) -> None:
    """Show the ideas newest first, grouped by theme or grouped by group (track)."""
    if layout not in WALL_LAYOUTS:
        raise WallError("unknown_layout")
    workshop.wall_layout = layout
    bump(workshop, state=False, ideas=True)
