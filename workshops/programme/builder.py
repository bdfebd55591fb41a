"""Building a project's programme: workshops from the method's templates, copies, step edits."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select

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
    """A new workshop from a template or empty: at the end of the programme, or at its place by
    date when it has one."""
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
    if starts_at is not None:
        place_by_date(workshop)
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


def in_order(project: Project) -> list[Workshop]:
    """The project's workshops in programme order, as the programme page lists them (the same
    ORDER BY, so equal positions left by older data tie-break alike on each engine)."""
    return list(
        db.session.scalars(
            select(Workshop)
            .where(Workshop.project_id == project.id)
            .order_by(Workshop.position, Workshop.starts_at, Workshop.id)
        )
    )


def _set_order(workshops: list[Workshop]) -> None:
    for n, workshop in enumerate(workshops):
        workshop.position = n


def move_workshop(workshop: Workshop, offset: int) -> None:
    """Move a workshop up (-1) or down (+1) in the programme."""
    ordered = in_order(workshop.project)
    index = ordered.index(workshop)
    target = index + offset
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
    _set_order(ordered)


def place_by_date(workshop: Workshop) -> bool:
    """Move a dated workshop to its place in time among the other dated ones, as short a way as
    it can (undated workshops and an order the leader chose stay as they are where the date
    allows). Returns whether it moved."""
    if workshop.starts_at is None:
        return False
    ordered = in_order(workshop.project)
    index = ordered.index(workshop)
    others = ordered[:index] + ordered[index + 1 :]
    dated = [(n, w.starts_at) for n, w in enumerate(others) if w.starts_at is not None]
    earliest = max((n + 1 for n, at in dated if at <= workshop.starts_at), default=0)
    latest = min((n for n, at in dated if at > workshop.starts_at), default=len(others))
    target = latest if earliest > latest else min(max(index, earliest), latest)
    others.insert(target, workshop)
    _set_order(others)
    return target != index


# What a removal would lose, by the table that points at the workshop. Steps are the workshop's
# own plan and go with it. An evaluation form outlives the workshop (its link is set to null) and
# every workshop gets a draft one when it is made; an opened form counts, as it may hold answers
# and its link may be out.
OPENED_FORMS = "evaluation_form"


def collected_in(workshop: Workshop) -> list[str]:
    """What has been collected in or for the workshop: "run" if it was run live, then the name of
    each table with rows that point at it (ideas, participants, registrations...), in one query.
    Empty when removing it loses nothing."""
    checks = []
    for table in db.metadata.sorted_tables:
        if table.name == Step.__tablename__:
            continue
        for key in table.foreign_keys:
            if key.column.table.name != Workshop.__tablename__:
                continue
            condition = key.parent == workshop.id
            if table.name == OPENED_FORMS:
                condition = condition & (table.c.status != "draft")
            checks.append((table.name, exists().where(condition)))
    found = db.session.execute(select(*(check for _name, check in checks))).one() if checks else ()
    kinds = [name for (name, _check), hit in zip(checks, found, strict=True) if hit]
    if workshop.status != "planned" or workshop.started_at is not None:
        kinds.insert(0, "run")
    return list(dict.fromkeys(kinds))


class WorkshopInUse(ValueError):
    """Something was collected in the workshop, so it cannot be removed."""

    def __init__(self, kinds: list[str]) -> None:
        super().__init__(", ".join(kinds))
        self.kinds = kinds


def remove_workshop(workshop: Workshop) -> None:
    """Remove a workshop in which nothing was collected (a mistake, an unwanted copy) and close
    the gap in the positions; raises WorkshopInUse otherwise."""
    kinds = collected_in(workshop)
    if kinds:
        raise WorkshopInUse(kinds)
    rest = [w for w in in_order(workshop.project) if w is not workshop]
    db.session.delete(workshop)
    _set_order(rest)


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
