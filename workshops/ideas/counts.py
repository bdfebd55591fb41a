"""What the ideas room counts toward the project's targets (registered at start-up)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from workshops.ideas.models import Idea
from workshops.programme.models import Workshop
from workshops.projects.models import Project


def for_project(project: Project) -> dict[str, int]:
    """The ideas collected in all the project's workshops."""
    workshop_ids = select(Workshop.id).where(Workshop.project_id == project.id)
    ideas = db.session.scalar(
        select(func.count()).select_from(Idea).where(Idea.workshop_id.in_(workshop_ids))
    )
    return {"ideas": ideas or 0}
