"""The demo project (slug 'demo'): a fictional municipality running the whole process."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, select

from app.auth.models import User, user_by_email
from app.extensions import db
from workshops.projects import service as project_service
from workshops.projects.models import Membership, Project

SLUG = "demo"
LEADER_EMAIL = "leader@demo.example"
VIEWER_EMAIL = "kommune@demo.example"
DEMO_EMAILS = (LEADER_EMAIL, VIEWER_EMAIL)

PROJECT = project_service.ProjectData(
    slug=SLUG,
    name="Lokale økosystem i Slusedal",
    municipality="Slusedal kommune",
    language="nb",
    timezone="Europe/Oslo",
    description=(
        "Slusedal er en landkommune med en kanal med sluser, en gammel verksby og gårder på åsen. "
        "Folketallet synker, og de små kultur- og opplevelsesbedriftene selger hver for seg. "
        "Prosjektet samler dem i fem verksteder for å lage opplevelser de kan selge sammen."
    ),
    targets={"attendees": 40, "businesses": 14, "ideas": 60, "connections": 12, "ecosystems": 3},
)


def _password_file() -> Path:
    return Path(current_app.instance_path) / "demo-login.txt"


def demo_password() -> str:
    """DEMO_PASSWORD, else a password generated once into the instance folder."""
    configured = current_app.config.get("DEMO_PASSWORD")
    if configured:
        return configured
    path = _password_file()
    if path.exists():
        return path.read_text(encoding="utf-8").split()[-1]
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"{LEADER_EMAIL} {password}\n")
    return password


def _user(email: str, name: str, password: str, *, can_create: bool) -> User:
    user = user_by_email(email)
    if user is None:
        user = User(email=email, name=name, can_create_projects=can_create)
        db.session.add(user)
    user.set_password(password)
    return user


def remove() -> None:
    """Delete the demo project and the demo users (nothing else)."""
    project = db.session.scalar(select(Project).where(Project.slug == SLUG))
    if project is not None:
        db.session.delete(project)
    users = list(db.session.scalars(select(User).where(User.email.in_(DEMO_EMAILS))))
    for user in users:
        db.session.execute(delete(Membership).where(Membership.user_id == user.id))
        db.session.delete(user)
    db.session.flush()


def load() -> Project:
    """Create the demo project with its users; each package adds its part."""
    password = demo_password()
    leader = _user(LEADER_EMAIL, "Demo Prosessleder", password, can_create=True)
    viewer = _user(VIEWER_EMAIL, "Slusedal kommune", password, can_create=False)
    db.session.flush()
    project = project_service.create(PROJECT, leaders=[leader])
    project_service.set_role(project, viewer, "viewer")
    for part in current_app.extensions.get("kraftverk.demo", []):
        part(project)
    return project


def ensure(*, reset: bool = False, only_if_empty: bool = False) -> tuple[str | None, str, bool]:
    """Load the demo as asked; return (leader e-mail or None, password, whether loaded)."""
    exists = db.session.scalar(select(Project.id).where(Project.slug == SLUG)) is not None
    any_project = db.session.scalar(select(func.count()).select_from(Project)) > 0
    loaded = False
    if reset:
        remove()
        load()
        loaded = True
    elif not exists and not (only_if_empty and any_project):
        load()
        loaded = True
    db.session.commit()
    has_leader = user_by_email(LEADER_EMAIL) is not None
    return (LEADER_EMAIL if has_leader else None), demo_password(), loaded
