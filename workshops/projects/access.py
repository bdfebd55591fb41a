"""Who may lead or view a project: checked on every view that shows project data."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from workshops.projects.models import Membership, Project


def role_in(project: Project, user=None) -> str | None:
    """The user's role in the project ('leader', 'viewer') or None."""
    user = user or current_user
    if not user or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Membership.role).where(
            Membership.project_id == project.id, Membership.user_id == user.id
        )
    )


def project_for(slug: str, *, lead: bool = False) -> Project:
    """The project the current user may see (or lead): 404 when not theirs, 403 for viewers."""
    project = db.session.scalar(select(Project).where(Project.slug == slug))
    role = role_in(project) if project else None
    if project is None or role is None:
        abort(404)  # the same answer whether the project exists or not: no leaks
    if lead and role != "leader":
        abort(403)
    g.project_language = project.language
    g.project_timezone = project.timezone
    g.project_role = role
    return project


def projects_of(user) -> list[tuple[Project, str]]:
    """The projects a user is a member of, with the role, by name."""
    rows = db.session.execute(
        select(Project, Membership.role)
        .join(Membership, Membership.project_id == Project.id)
        .where(Membership.user_id == user.id)
        .order_by(Project.name)
    )
    return [(project, role) for project, role in rows]
