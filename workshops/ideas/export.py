"""The ideas of a workshop as spreadsheet rows (workshops/spreadsheets.py writes the files)."""

from __future__ import annotations

from flask_babel import gettext as _

from app.db import iso_z
from workshops.ideas import capture as ideas
from workshops.ideas import votes
from workshops.programme.models import Workshop


def idea_rows(workshop: Workshop) -> list[list]:
    """A header and one row per idea: step, track, theme, votes, interests, hidden."""
    steps = {s.id: s.title for s in workshop.steps}
    themes = {t.id: t.name for t in ideas.themes(workshop)}
    totals = votes.totals(workshop)
    interests = votes.interests_by_idea(workshop)
    rows = [
        [
            _("Id"),
            _("Idea"),
            _("Step"),
            _("Group"),
            _("Theme"),
            _("Votes"),
            _("Interested businesses"),
            _("Hidden from the wall"),
            _("Typed by the leader"),
            _("Name"),
            _("Business"),
            _("Time (UTC)"),
        ]
    ]
    for idea in ideas.all_ideas(workshop):
        rows.append(
            [
                idea.id,
                idea.text,
                steps.get(idea.step_id, ""),
                idea.track or "",
                themes.get(idea.theme_id, ""),
                totals.get(idea.id, 0),
                "; ".join(interests.get(idea.id, [])),
                _("yes") if idea.hidden_at else _("no"),
                _("yes") if idea.typed_by_leader else _("no"),
                idea.author_name,
                idea.business_name,
                iso_z(idea.created_at),
            ]
        )
    return rows
