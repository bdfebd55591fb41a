"""Creating and changing projects and their members; shared by the web forms and the CLI."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from workshops.projects.models import DEFAULT_USE, TARGET_KINDS, USES, Membership, Project

SLUG = re.compile(r"^[a-z0-9-]{2,40}$")
LANGUAGES = ("nb", "sv", "da", "fi", "en")


class ProjectError(ValueError):
    """Input that cannot make a valid project; the message is for the user."""


@dataclass
class ProjectData:
    """What a project is made of, as the form or the command line gives it."""

    slug: str
    name: str
    municipality: str = ""
    description: str = ""
    language: str = "nb"
    timezone: str = "Europe/Oslo"
    targets: dict[str, int] = field(default_factory=dict)
    use: str = DEFAULT_USE  # one of USES (METHOD.md section 1)
    costs: str = ""  # what the process cost, as the leader writes it
    funding: str = ""  # who paid for it


def check(data: ProjectData, *, existing: Project | None = None) -> list[tuple[str, str]]:
    """Problems with `data` as (field, message) pairs; empty when it is valid."""
    problems = []
    if not SLUG.match(data.slug or ""):
        problems.append(("slug", "slug_format"))
    elif db.session.scalar(
        select(Project.id).where(
            Project.slug == data.slug, Project.id != (existing.id if existing else -1)
        )
    ):
        problems.append(("slug", "slug_taken"))
    if not data.name.strip():
        problems.append(("name", "name_missing"))
    elif len(data.name) > 160:
        problems.append(("name", "too_long"))
    if len(data.municipality) > 120:
        problems.append(("municipality", "too_long"))
    if data.language not in LANGUAGES:
        problems.append(("language", "language_unknown"))
    if data.use not in USES:
        problems.append(("use", "use_unknown"))
    for name in ("costs", "funding"):
        if len(getattr(data, name)) > 2000:
            problems.append((name, "too_long"))
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.append(("timezone", "timezone_unknown"))
    for kind, value in data.targets.items():
        if kind not in TARGET_KINDS or not 0 <= value <= 100_000:
            problems.append((f"target_{kind}", "target_range"))
    return problems


def apply(project: Project, data: ProjectData) -> int:
    """Copy `data` onto `project` (call check() first); a new time zone keeps the planned
    workshops' local times. Returns how many workshops that re-anchored."""
    kept = 0
    if project.timezone and project.timezone != data.timezone:
        kept = keep_local_times(project, data.timezone)
    project.slug = data.slug
    project.name = data.name.strip()
    project.municipality = data.municipality.strip()
    project.description = data.description.strip()
    project.language = data.language
    project.timezone = data.timezone
    project.use = data.use
    project.costs = data.costs.strip()
    project.funding = data.funding.strip()
    for kind in TARGET_KINDS:
        if kind in data.targets:
            setattr(project, f"target_{kind}", data.targets[kind])
    return kept


def keep_local_times(project: Project, zone: str) -> int:
    """Re-anchor each planned workshop's start (stored in UTC) so that it keeps its local clock
    time in `zone`: a corrected time zone must not move the day's programme. Workshops already
    run keep the moment they happened. Returns how many were re-anchored."""
    before, after = ZoneInfo(project.timezone), ZoneInfo(zone)
    kept = 0
    for workshop in project.workshops:
        if workshop.status != "planned" or workshop.starts_at is None:
            continue
        local = workshop.starts_at.replace(tzinfo=UTC).astimezone(before).replace(tzinfo=None)
        workshop.starts_at = local.replace(tzinfo=after).astimezone(UTC).replace(tzinfo=None)
        kept += 1
    return kept


def create(data: ProjectData, leaders: list = ()) -> Project:
    """A new project with `leaders` as its leaders; raises ProjectError on bad input."""
    problems = check(data)
    if problems:
        raise ProjectError(problems[0][1])
    project = Project()
    apply(project, data)
    db.session.add(project)
    for user in leaders:
        project.memberships.append(Membership(user_id=user.id, role="leader"))
    db.session.flush()
    return project


def set_role(project: Project, user, role: str | None) -> None:
    """Give `user` a role in `project`, or remove them with role None."""
    membership = db.session.get(Membership, (user.id, project.id))
    if role is None:
        if membership:
            db.session.delete(membership)
        return
    if role not in ("leader", "viewer"):
        raise ProjectError("role_unknown")
    if membership:
        membership.role = role
    else:
        db.session.add(Membership(user_id=user.id, project_id=project.id, role=role))


def leader_count(project: Project) -> int:
    """How many leaders a project has (the last one cannot be removed)."""
    return len([m for m in project.memberships if m.role == "leader"])


def problem_message(code: str) -> str:
    """The user's-language text for a problem code from check()."""
    messages = {
        "slug_format": _("Use 2 to 40 characters: lower-case letters a-z, digits and hyphens."),
        "slug_taken": _("Another project already uses this short name."),
        "name_missing": _("Give the project a name."),
        "too_long": _("This is too long."),
        "language_unknown": _("Choose one of the offered languages."),
        "timezone_unknown": _("Unknown time zone. Use a name such as Europe/Oslo."),
        "target_range": _("A target must be a whole number from 0 to 100000."),
        "role_unknown": _("The role must be leader or viewer."),
        "use_unknown": _("Choose one of the offered uses of the method."),
    }
    return messages.get(code, code)
