"""Building a project's programme: workshops from the method's templates, copies, step edits."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from method import catalogue
from workshops import codes, events
from workshops.programme import versions
from workshops.programme.models import Step, Workshop
from workshops.projects.models import Project

DEFAULT_START = time(9, 0)  # local time of a workshop planned from a first date


def unique_code() -> str:
    """A join code no workshop has ever had (codes are unique for all time)."""
    while True:
        code = codes.new_code()
        if db.session.scalar(select(Workshop.id).where(Workshop.join_code == code)) is None:
            return code


def local_to_utc(value: datetime, timezone: str) -> datetime:
    """A naive local time in `timezone` as naive UTC (how times are stored)."""
    aware = value.replace(tzinfo=ZoneInfo(timezone)) if value.tzinfo is None else value
    return aware.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def steps_from_template(key: str, language: str) -> list[Step]:
    """New Step rows for a workshop template (W1..W5), texts in `language`."""
    template = catalogue.workshop_template(key)
    return [
        Step(
            position=n,
            key=step.key,
            title=step.title.get(language),
            purpose=step.purpose.get(language),
            minutes=step.minutes or 5,
            prompt=step.prompt.get(language) if step.prompt else "",
            notes=step.notes.get(language),
            techniques=list(step.techniques),
            collects=list(step.collects),
            fixed=step.fixed,
            tracks=[],
        )
        for n, step in enumerate(template.steps)
    ]


def add_workshop(
    project: Project,
    title: str | None = None,
    *,
    template: str | None = None,
    starts_at: datetime | None = None,
    place: str = "",
) -> Workshop:
    """A new workshop at the end of the programme, from a template or empty."""
    position = len(project.workshops)
    steps: list[Step] = []
    minutes = None
    if template:
        phase = catalogue.workshop_template(template)
        steps = steps_from_template(template, project.language)
        title = title or phase.title.get(project.language)
        minutes = phase.minutes
    workshop = Workshop(
        project=project,
        position=position,
        template_key=template,
        title=(title or "").strip(),
        starts_at=starts_at,
        place=place,
        join_code=unique_code(),
        duration_minutes=minutes,
        steps=steps,
    )
    db.session.add(workshop)
    db.session.flush()
    events.workshop_created(workshop)
    return workshop


def add_default_programme(project: Project, first_day: datetime | None = None) -> list[Workshop]:
    """Add the workshops of the default programme, dated by the method's week offsets.

    A project that develops an existing ecosystem starts at W2: its businesses know each other.
    """
    added = []
    phases = list(catalogue.programme().workshops)
    if getattr(project, "use", None) == "existing_ecosystem":
        phases = [phase for phase in phases if phase.key != "W1"] or phases
    first_week = phases[0].week if phases else 0
    for phase in phases:
        starts = None
        if first_day is not None:
            week = phase.week - first_week
            local = datetime.combine(first_day.date() + timedelta(weeks=week), DEFAULT_START)
            starts = local_to_utc(local, project.timezone)
        added.append(add_workshop(project, template=phase.key, starts_at=starts))
    return added


def copy_workshop(source: Workshop, project: Project, *, title: str | None = None) -> Workshop:
    """A planned copy of `source` (from this or another project): details and steps, no ideas."""
    steps = [
        Step(
            position=n,
            key=s.key,
            title=s.title,
            purpose=s.purpose,
            minutes=s.minutes,
            prompt=s.prompt,
            notes=s.notes,
            techniques=list(s.techniques or []),
            collects=list(s.collects or []),
            fixed=s.fixed,
            tracks=[dict(t) for t in s.tracks or []],
        )
        for n, s in enumerate(source.steps)
    ]
    workshop = Workshop(
        project=project,
        position=len(project.workshops),
        template_key=source.template_key,
        title=title or source.title,
        starts_at=None,
        place=source.place if source.project_id == project.id else "",
        online_url=source.online_url if source.project_id == project.id else "",
        visibility=source.visibility,
        is_public=source.is_public,
        join_code=unique_code(),
        duration_minutes=source.duration_minutes,
        steps=steps,
    )
    db.session.add(workshop)
    db.session.flush()
    events.workshop_created(workshop)
    return workshop


def renumber(workshop: Workshop) -> None:
    """Make step positions 0..n-1 in their current order."""
    for n, step in enumerate(sorted(workshop.steps, key=lambda s: (s.position, s.id or 0))):
        step.position = n


def move_step(workshop: Workshop, step: Step, offset: int) -> None:
    """Move a step up (-1) or down (+1) in the programme."""
    ordered = sorted(workshop.steps, key=lambda s: s.position)
    index = ordered.index(step)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for n, item in enumerate(ordered):
            item.position = n
    changed(workshop)


class StepInUse(ValueError):
    """The step is being run, so it cannot be removed."""


def remove_step(workshop: Workshop, step: Step) -> None:
    """Remove a step and close the gap in the positions; never the step being run."""
    if workshop.current_step_id == step.id:
        raise StepInUse(step.id)
    workshop.steps.remove(step)
    db.session.delete(step)
    renumber(workshop)
    changed(workshop)


def changed(workshop: Workshop) -> None:
    """Note that participants may see something new (the live state's ETag changes)."""
    versions.bump(workshop)


def planned_minutes(workshop: Workshop) -> int:
    """The workshop's planned length: its set duration, else the sum of its steps."""
    return workshop.duration_minutes or sum(s.minutes for s in workshop.steps)
