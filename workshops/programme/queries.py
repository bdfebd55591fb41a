"""Reads of the programme that other pages and rooms need: the workshops, the current step."""

from __future__ import annotations

from app.extensions import db
from workshops.programme.models import Step, Workshop
from workshops.projects.models import Project


def workshops_of(project: Project) -> list[Workshop]:
    """The project's workshops in programme order."""
    return list(
        db.session.scalars(
            db.select(Workshop)
            .where(Workshop.project_id == project.id)
            .order_by(Workshop.position, Workshop.starts_at, Workshop.id)
        )
    )


def current_step(workshop: Workshop) -> Step | None:
    """The step being run now, if any."""
    if workshop.current_step_id is None:
        return None
    return next((s for s in workshop.steps if s.id == workshop.current_step_id), None)


def step_index(workshop: Workshop) -> int | None:
    """The current step's index in the programme, or None before the start."""
    step = current_step(workshop)
    return workshop.steps.index(step) if step else None
