"""What the businesses room counts toward the project's targets (registered at start-up)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.projects.models import Project

# A connection counts toward the target once the businesses have actually been introduced.
COUNTED_CONNECTIONS = ("introduced", "met", "collaborating")


def for_project(project: Project) -> dict[str, int]:
    """The project's businesses, introduced connections and ecosystems."""

    def count(stmt) -> int:
        return db.session.scalar(stmt) or 0

    return {
        "businesses": count(
            select(func.count()).select_from(Business).where(Business.project_id == project.id)
        ),
        "connections": count(
            select(func.count())
            .select_from(Connection)
            .where(Connection.project_id == project.id, Connection.status.in_(COUNTED_CONNECTIONS))
        ),
        "ecosystems": count(
            select(func.count()).select_from(Ecosystem).where(Ecosystem.project_id == project.id)
        ),
    }
