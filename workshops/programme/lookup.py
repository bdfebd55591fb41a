"""Find workshops: one of a project the user may see (else 404), one by its join code, or the
whole programme with its steps."""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from workshops import codes
from workshops.programme.models import Workshop
from workshops.projects import access
from workshops.projects.models import Project


def workshop_of(project: Project, workshop_id: int | None) -> Workshop:
    """The project's workshop with this id; 404 when there is none (or it is another project's)."""
    workshop = db.session.get(Workshop, workshop_id) if workshop_id else None
    if workshop is None or workshop.project_id != project.id:
        abort(404)
    return workshop


def project_workshop(slug: str, workshop_id: int, *, lead: bool) -> tuple[Project, Workshop]:
    """The project (which the user must lead, or with lead=False at least view) and its
    workshop; 404 (or 403 from access.project_for) otherwise."""
    project = access.project_for(slug, lead=lead)
    return project, workshop_of(project, workshop_id)


def by_code(raw_code: str) -> Workshop | None:
    """The workshop with this join code in any spelling (closed or not); None when none has it."""
    code = codes.normalise(raw_code)
    if not code:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.join_code == code))


def programme(project: Project) -> list[Workshop]:
    """The project's workshops in programme order, with their steps (two queries in all)."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.project_id == project.id)
            .options(selectinload(Workshop.steps))
            .order_by(Workshop.position, Workshop.starts_at, Workshop.id)
        )
    )
