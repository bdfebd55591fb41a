"""Gather one project's story from every domain into plain values for the report.

Each part is read with a few grouped queries, whatever the size of the project. Parts that other
packages have not built yet (themes, votes, interests, steps as run, evaluations) are read when
their columns or models exist and are otherwise left empty, so the report says "no data yet".
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import force_locale, gettext
from sqlalchemy import func, select
from sqlalchemy.orm import aliased, selectinload

from app.auth.models import User
from app.db import as_utc
from app.extensions import db
from evaluations import results
from evaluations.charts import kind_for
from evaluations.models import EvaluationForm, Question
from method import taxonomy
from workshops.businesses import pairing_service
from workshops.businesses.models import (
    CONNECTION_STATUSES,
    SIZE_BANDS,
    STAGES,
    Business,
    Connection,
    Ecosystem,
)
from workshops.ideas.models import Idea, Interest, Vote
from workshops.programme import queries as programme_queries
from workshops.programme.models import Step, Workshop
from workshops.projects import queries
from workshops.projects.models import DEFAULT_USE, Membership, Project
from workshops.registrations.counts import attendees

# Connections that mean two businesses actually met, strongest last (weights for the figure).
MET_WEIGHTS = {"introduced": 1.0, "met": 2.0, "collaborating": 3.0}
LESSON_KIND = "lesson"
COMMITMENT_KIND = "commitment"
CLOSING_TEMPLATE = "W5"


@dataclass(frozen=True)
class ProjectPart:
    """What the cover and the background say about the project."""

    slug: str
    name: str
    municipality: str
    description: str
    language: str
    timezone: str
    use: str = DEFAULT_USE  # METHOD.md section 1
    costs: str = ""  # as the leader wrote them
    funding: str = ""


@dataclass(frozen=True)
class StepPart:
    """One step as planned, and its minutes as run when the live workshop recorded them."""

    position: int
    key: str | None
    title: str
    minutes: int
    collects: tuple[str, ...]
    minutes_run: int | None = None


@dataclass(frozen=True)
class WorkshopPart:
    """One workshop: when and where, its steps, who came and how many ideas it gave."""

    id: int
    position: int
    template_key: str | None
    title: str
    join_code: str
    status: str
    visibility: str
    starts_at: datetime | None  # in the project's time zone
    place: str
    steps: tuple[StepPart, ...]
    attendance: int
    ideas: int
    run_at: datetime | None = None  # the last recorded moment it ran (project's time zone)

    @property
    def minutes_planned(self) -> int:
        """The steps' planned minutes added up."""
        return sum(step.minutes for step in self.steps)

    @property
    def minutes_run(self) -> int | None:
        """The minutes of the steps whose run was recorded, added up; None when none was."""
        run = [step.minutes_run for step in self.steps if step.minutes_run is not None]
        return sum(run) if run else None


@dataclass(frozen=True)
class IdeaPart:
    """One idea exactly as typed, with where it came from."""

    id: int
    workshop_id: int
    workshop_title: str
    step_key: str | None
    step_title: str | None
    kinds: tuple[str, ...]  # the step's ideas:KIND labels
    text: str
    created_at: datetime  # in the project's time zone
    created_at_utc: datetime
    hidden: bool
    track: str | None
    theme: str | None
    votes: int
    step_position: int | None = None  # the step's place in its workshop
    interested: int = 0  # businesses that want to work on it ("I want to work on this")
    interested_named: tuple[str, ...] = ()  # those of them that agreed to be named


@dataclass(frozen=True)
class SectorPart:
    """Businesses of one sector group."""

    key: str | None  # None: sector not given or not recognised
    businesses: tuple[str, ...]


@dataclass(frozen=True)
class ConnectionPart:
    """Two businesses brought together."""

    a: str
    b: str
    status: str
    origin: str


@dataclass(frozen=True)
class EcosystemPart:
    """A named group of businesses with a joint product idea."""

    name: str
    members: tuple[str, ...]
    product: str
    status: str


@dataclass(frozen=True)
class ProductPart:
    """An ecosystem's joint product and the ideas it grew from (as typed), as the leader linked
    them."""

    ecosystem: str
    product: str
    status: str
    ideas: tuple[str, ...]


@dataclass(frozen=True)
class Network:
    """What the network figure draws: businesses and the ties between them.

    kind is "connections" when the ties are connections that really happened, "suggested"
    when there are none yet and the ties are the pairing's suggestions.
    """

    kind: str
    nodes: tuple[tuple[str, str, str], ...]  # (id, name, sector group key)
    edges: tuple[tuple[str, str, float], ...]
    # The connections made by the end of the first workshop's day (None: suggestions only).
    start_edges: tuple[tuple[str, str, float], ...] | None = None


@dataclass(frozen=True)
class EvaluationCell:
    """One workshop's answers to one question (counts in option order)."""

    label: str
    respondents: int
    too_few: bool
    counts: tuple[int, ...] = ()


@dataclass(frozen=True)
class EvaluationRow:
    """One question compared across the forms that asked it with the same options.

    kind is "pie" (one answer: single, yes/no, scale), "bar" (multiple choice) or None (free
    text, listed verbatim in texts as (form label, answers)).
    """

    title: str
    type: str
    kind: str | None
    labels: tuple[str, ...]
    ordinal: bool
    cells: tuple[EvaluationCell, ...] = ()
    texts: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def shown(self) -> tuple[EvaluationCell, ...]:
        """The cells with enough answers to show."""
        return tuple(cell for cell in self.cells if not cell.too_few)


def evaluation_rows(forms, labels) -> list[EvaluationRow]:
    """Questions of all forms as rows: one per question asked with the same options.

    forms are evaluations.results.FormResults, labels their workshops' names. A question whose
    options differ between workshops gives one row per set of options.
    """
    rows: dict[tuple, dict] = {}
    for form, label in zip(forms, labels, strict=True):
        if not form.responses:
            continue
        for q in form.questions:
            ident = q.key or q.title
            options = tuple(q.chart.labels) if q.chart is not None else None
            key = (ident, q.type, options)
            if options is None and q.too_few:
                # Too few answers hide the options: join the first row of this question.
                key = next((k for k in rows if k[:2] == (ident, q.type)), key)
            row = rows.setdefault(key, {"q": q, "labels": options, "cells": [], "texts": []})
            if row["labels"] is None and options is not None:
                row["labels"] = options
            if q.chart is None and not q.too_few:
                if q.texts:
                    row["texts"].append((label, tuple(q.texts)))
                continue
            counts = tuple(q.chart.counts) if q.chart is not None else ()
            row["cells"].append(EvaluationCell(label, q.respondents, q.too_few, counts))
    result = []
    for (ident, qtype, _options), row in rows.items():
        q = row["q"]
        kind = results_kind(qtype)
        result.append(
            EvaluationRow(
                title=q.title if q.title else ident,
                type=qtype,
                kind=kind,
                labels=row["labels"] or (),
                ordinal=qtype == "scale",
                cells=tuple(row["cells"]),
                texts=tuple(row["texts"]),
            )
        )
    return result


def results_kind(question_type: str) -> str | None:
    """The chart kind of a question type ("pie", "bar") or None for free text."""
    return kind_for(question_type)


@dataclass(frozen=True)
class Resources:
    """Section 13: what the app knows about the time the process took."""

    workshops: int
    hours_planned: float
    hours_run: float | None  # of the workshops whose run was recorded; None: none was
    recorded: int  # held workshops whose run was recorded
    steps: int
    participant_hours: float  # attendees × hours as run where recorded, else as planned

    @property
    def participant_basis(self) -> str:
        """What the participants' hours count: "run", "planned" or "mixed" (each workshop as
        run where recorded, else as planned)."""
        if self.recorded and self.recorded == self.workshops:
            return "run"
        return "mixed" if self.recorded else "planned"


@dataclass(frozen=True)
class ReportData:
    """Everything the method report shows, in the order of its sections."""

    project: ProjectPart
    generated_at: datetime | None  # the date the report is dated: its data's last activity
    leaders: tuple[str, ...]
    viewers: tuple[str, ...]
    unnamed_leaders: int
    unnamed_viewers: int
    workshops: tuple[WorkshopPart, ...]
    sectors: tuple[SectorPart, ...]
    business_count: int
    attendees: int
    ideas: tuple[IdeaPart, ...]
    connections: tuple[ConnectionPart, ...]
    ecosystems: tuple[EcosystemPart, ...]
    network: Network | None
    progress: tuple[queries.Progress, ...]
    evaluations: tuple = ()  # evaluations.results.FormResults, when that package has data
    evaluation_labels: tuple[str, ...] = ()  # each form's workshop (or the form's title)
    named: tuple[str, ...] = ()  # businesses that agreed to be named in the report
    products: tuple[ProductPart, ...] = ()  # ideas that became products (section 7)
    sizes: tuple[tuple[str, int], ...] = ()  # (size band, businesses) where known, in band order
    stages: tuple[tuple[str, int], ...] = ()  # (stage, businesses) where known
    evaluations_available: bool = False
    steps_run_recorded: bool = False
    themes_available: bool = False

    @property
    def resources(self) -> Resources:
        """What the held workshops took: their number, hours as planned and as run, steps and
        participants' hours."""
        held = [w for w in self.workshops if w.status != "planned"]
        recorded = [w for w in held if w.minutes_run is not None]
        # A workshop run faster than planned counts as run: 0 minutes run is still a record.
        minutes = {
            w.id: w.minutes_planned if w.minutes_run is None else w.minutes_run for w in held
        }
        return Resources(
            workshops=len(held),
            hours_planned=round(sum(w.minutes_planned for w in held) / 60, 1),
            hours_run=round(sum(w.minutes_run for w in recorded) / 60, 1) if recorded else None,
            recorded=len(recorded),
            steps=sum(len(w.steps) for w in held),
            participant_hours=round(sum(w.attendance * minutes[w.id] for w in held) / 60, 1),
        )

    @property
    def min_responses(self) -> int | None:
        """How many answers a question needs before its results are shown (None: no forms)."""
        return self.evaluations[0].threshold if self.evaluations else None

    def evaluation_rows(self) -> list[EvaluationRow]:
        """The evaluations as one row per question, comparing the workshops."""
        return evaluation_rows(self.evaluations, self.evaluation_labels)

    @property
    def first_day(self) -> datetime | None:
        """The first workshop's start."""
        days = [w.starts_at for w in self.workshops if w.starts_at]
        return min(days) if days else None

    @property
    def last_day(self) -> datetime | None:
        """The last workshop's start."""
        days = [w.starts_at for w in self.workshops if w.starts_at]
        return max(days) if days else None

    @property
    def workshops_held(self) -> int:
        """Workshops that have been run (live, paused or closed)."""
        return sum(1 for w in self.workshops if w.status != "planned")

    @property
    def hidden_ideas(self) -> int:
        """Ideas the leader hid from the wall (they stay in the report)."""
        return sum(1 for idea in self.ideas if idea.hidden)

    @property
    def responses(self) -> int:
        """Evaluation responses across all forms."""
        return sum(form.responses for form in self.evaluations)

    def actual(self, kind: str) -> int:
        """What has been reached for one target kind."""
        return next((item.actual for item in self.progress if item.kind == kind), 0)

    def connections_by_status(self) -> list[tuple[str, int]]:
        """How many connections have each status, in the method's order (zeros left out)."""
        counts = Counter(c.status for c in self.connections)
        return [(status, counts[status]) for status in CONNECTION_STATUSES if counts[status]]

    def ideas_by_workshop(self) -> list[tuple[WorkshopPart | None, list[IdeaPart]]]:
        """Ideas grouped by workshop in programme order."""
        grouped: dict[int, list[IdeaPart]] = defaultdict(list)
        for idea in self.ideas:
            grouped[idea.workshop_id].append(idea)
        return [(w, grouped[w.id]) for w in self.workshops if grouped.get(w.id)]

    @staticmethod
    def ideas_by_step(ideas: list[IdeaPart]) -> list[tuple[str | None, list[IdeaPart]]]:
        """One workshop's ideas grouped by the step that collected them, in the steps' order
        (ideas without a step first), each group in the order posted."""
        grouped: dict[tuple[int, str | None], list[IdeaPart]] = defaultdict(list)
        for idea in ideas:
            position = -1 if idea.step_position is None else idea.step_position
            grouped[position, idea.step_title].append(idea)
        return [
            (title, grouped[position, title])
            for position, title in sorted(grouped, key=_step_order)
        ]

    def ideas_by_theme(self) -> list[tuple[str, int]]:
        """How many ideas each theme gathered, largest first (ideas without a theme left out)."""
        counts = Counter(idea.theme for idea in self.ideas if idea.theme)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0].casefold()))

    def top_ideas(self, n: int = 10) -> list[IdeaPart]:
        """The ideas with the most votes (only those with votes)."""
        voted = [idea for idea in self.ideas if idea.votes > 0]
        return sorted(voted, key=lambda idea: (-idea.votes, idea.id))[:n]

    def wanted_ideas(self, n: int = 10) -> list[IdeaPart]:
        """The ideas the most businesses want to work on (only those some business wants)."""
        wanted = [idea for idea in self.ideas if idea.interested > 0]
        return sorted(wanted, key=lambda idea: (-idea.interested, idea.id))[:n]

    def ideas_of_kind(self, kind: str, template_key: str | None = None) -> list[IdeaPart]:
        """Ideas posted in steps labelled ideas:KIND, optionally only in one workshop template."""
        templates = {w.id: w.template_key for w in self.workshops}
        return [
            idea
            for idea in self.ideas
            if kind in idea.kinds
            and (template_key is None or templates.get(idea.workshop_id) == template_key)
        ]

    @property
    def lessons(self) -> list[IdeaPart]:
        """What participants said should happen next (W5.5, ideas:lesson)."""
        return self.ideas_of_kind(LESSON_KIND)

    @property
    def continuation(self) -> list[IdeaPart]:
        """Commitments for keeping the ecosystem alive (W5.6: commitments in the last workshop)."""
        return self.ideas_of_kind(COMMITMENT_KIND, CLOSING_TEMPLATE)


def _step_order(key: tuple[int, str | None]) -> tuple[int, str]:
    return key[0], key[1] or ""


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Europe/Oslo")


def _local(value: datetime | None, zone: ZoneInfo) -> datetime | None:
    aware = as_utc(value)
    return aware.astimezone(zone) if aware else None


def _members(project: Project) -> tuple[list[str], list[str], int, int]:
    rows = db.session.execute(
        select(Membership.role, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.project_id == project.id)
        .order_by(User.name, User.id)
    ).all()
    names: dict[str, list[str]] = {"leader": [], "viewer": []}
    unnamed = Counter()
    for role, name in rows:
        if (name or "").strip():
            names.setdefault(role, []).append(name.strip())
        else:
            unnamed[role] += 1
    return names["leader"], names["viewer"], unnamed["leader"], unnamed["viewer"]


def _minutes_run(step: Step) -> int | None:
    """Minutes as run, if the live workshop records them on the step (not every version does)."""
    recorded = getattr(step, "minutes_run", None)
    if recorded is None:
        recorded = getattr(step, "actual_minutes", None)
    if isinstance(recorded, int):
        return recorded
    started, ended = getattr(step, "started_at", None), getattr(step, "ended_at", None)
    if isinstance(started, datetime) and isinstance(ended, datetime) and ended >= started:
        return round((ended - started).total_seconds() / 60)
    return None


def _workshops(project: Project, zone: ZoneInfo) -> tuple[list[WorkshopPart], dict[int, Step]]:
    workshops = programme_queries.workshops_of(project)
    ids = [w.id for w in workshops]
    steps: dict[int, list[Step]] = defaultdict(list)
    step_by_id: dict[int, Step] = {}
    attendance: dict[int, int] = {}
    idea_counts: dict[int, int] = {}
    if ids:
        for step in db.session.scalars(
            select(Step).where(Step.workshop_id.in_(ids)).order_by(Step.position, Step.id)
        ):
            steps[step.workshop_id].append(step)
            step_by_id[step.id] = step
        # Counted as the project's target counts them (checked in or joined by code).
        attendance = {workshop_id: attendees([workshop_id]) for workshop_id in ids}
        idea_counts = dict(
            db.session.execute(
                select(Idea.workshop_id, func.count())
                .where(Idea.workshop_id.in_(ids))
                .group_by(Idea.workshop_id)
            ).all()
        )
    parts = [
        WorkshopPart(
            id=w.id,
            position=w.position,
            template_key=w.template_key,
            title=w.title,
            join_code=w.join_code,
            status=w.status,
            visibility=w.visibility,
            starts_at=_local(w.starts_at, zone),
            place=w.place or "",
            steps=tuple(
                StepPart(
                    position=s.position,
                    key=s.key,
                    title=s.title,
                    minutes=s.minutes or 0,
                    collects=tuple(s.collects or ()),
                    minutes_run=_minutes_run(s),
                )
                for s in steps[w.id]
            ),
            attendance=attendance.get(w.id, 0),
            ideas=idea_counts.get(w.id, 0),
            run_at=_local(_last_run(w, steps[w.id]), zone),
        )
        for w in workshops
    ]
    return parts, step_by_id


def _last_run(workshop: Workshop, steps: list[Step]) -> datetime | None:
    """The last moment the live workshop recorded running (its start, a step's, or its end)."""
    moments = [workshop.started_at, workshop.ended_at]
    moments += [moment for s in steps for moment in (s.started_at, s.ended_at)]
    known = [as_utc(moment) for moment in moments if moment is not None]
    return max(known) if known else None


def _votes(idea_ids) -> dict[int, int]:
    """Votes (dots) per idea."""
    rows = db.session.execute(
        select(Vote.idea_id, func.sum(Vote.dots))
        .where(Vote.idea_id.in_(idea_ids))
        .group_by(Vote.idea_id)
    )
    return {idea_id: int(n or 0) for idea_id, n in rows}


def _interests(idea_ids) -> dict[int, list[str]]:
    """Businesses interested in each idea."""
    found: dict[int, list[str]] = defaultdict(list)
    stmt = select(Interest.idea_id, Interest.business_name)
    for idea_id, name in db.session.execute(stmt.where(Interest.idea_id.in_(idea_ids))):
        if name and name not in found[idea_id]:
            found[idea_id].append(name)
    return {key: sorted(names, key=str.casefold) for key, names in found.items()}


def _interested(
    idea_ids, businesses: list[Business], named: dict[int, str]
) -> dict[int, tuple[int, tuple[str, ...]]]:
    """Per idea, the businesses that want to work on it: how many, and the names of those that
    agreed to be named in the report (named: business id -> name).

    A business counts once per idea, whether it is known by its id or only by the name typed on
    a phone (matched to a registered business where the names agree).
    """
    by_name = {b.name.casefold(): b.id for b in businesses}
    found: dict[int, set[int | str]] = defaultdict(set)
    stmt = select(Interest.idea_id, Interest.business_id, Interest.business_name)
    for idea_id, business_id, typed in db.session.execute(
        stmt.where(Interest.idea_id.in_(idea_ids))
    ):
        name = (typed or "").strip().casefold()
        who = business_id if business_id is not None else by_name.get(name, name)
        if who != "":
            found[idea_id].add(who)
    return {
        idea_id: (len(who), tuple(sorted((named[b] for b in who if b in named), key=str.casefold)))
        for idea_id, who in found.items()
    }


def _last_vote_or_interest(idea_ids) -> list[datetime | None]:
    """When the last dot and the last interest in the project's ideas were given (UTC)."""
    return [
        db.session.scalar(select(func.max(model.created_at)).where(model.idea_id.in_(idea_ids)))
        for model in (Vote, Interest)
    ]


def theme_of(idea: Idea) -> str | None:
    """The idea's theme (cluster label) when themes are modelled: a text or a related object."""
    theme = getattr(idea, "theme", None)
    if theme is None or isinstance(theme, str):
        return theme or None
    for attribute in ("name", "title", "label"):
        value = getattr(theme, attribute, None)
        if isinstance(value, str) and value:
            return value
    return None


def _idea_ids(project: Project):
    """The ids of the project's ideas, as a subquery."""
    return (
        select(Idea.id)
        .join(Workshop, Workshop.id == Idea.workshop_id)
        .where(Workshop.project_id == project.id)
        .scalar_subquery()
    )


def idea_extras(project: Project) -> tuple[dict[int, int], dict[int, list[str]]]:
    """Votes and interested businesses (as typed) per idea, for the exports."""
    idea_ids = _idea_ids(project)
    return _votes(idea_ids), _interests(idea_ids)


def _ideas(
    project: Project,
    workshops: list[WorkshopPart],
    steps: dict[int, Step],
    zone: ZoneInfo,
    interested: dict[int, tuple[int, tuple[str, ...]]],
) -> list[IdeaPart]:
    titles = {w.id: w.title for w in workshops}
    votes = _votes(_idea_ids(project))
    parts = []
    for idea in pairing_service.project_ideas(project):
        step = steps.get(idea.step_id) if idea.step_id else None
        collects = tuple(step.collects or ()) if step else ()
        parts.append(
            IdeaPart(
                id=idea.id,
                workshop_id=idea.workshop_id,
                workshop_title=titles.get(idea.workshop_id, ""),
                step_key=step.key if step else None,
                step_title=step.title if step else None,
                kinds=tuple(c.split(":", 1)[1] for c in collects if c.startswith("ideas:")),
                text=idea.text,
                created_at=_local(idea.created_at, zone),
                created_at_utc=idea.created_at,
                hidden=idea.hidden_at is not None,
                track=idea.track,
                theme=theme_of(idea),
                votes=votes.get(idea.id, 0),
                step_position=step.position if step else None,
                interested=interested.get(idea.id, (0, ()))[0],
                interested_named=interested.get(idea.id, (0, ()))[1],
            )
        )
    return parts


def sector_group(sector: str) -> str | None:
    """The taxonomy's sector group of a sector as written (a NACE code or a word), or None."""
    if not (sector or "").strip():
        return None
    return taxonomy.sector_group_for(sector).group


def _known(businesses: list[Business], attribute: str, order) -> tuple[tuple[str, int], ...]:
    """How many businesses have each known value of attribute, in the given order."""
    counts = Counter(getattr(b, attribute, "") or "" for b in businesses)
    return tuple((key, counts[key]) for key in order if counts[key])


def report_names(businesses: list[Business], lang: str, *, short: bool = False) -> dict[int, str]:
    """The name the report shows for each business.

    Its own name when it agreed to be named in the report; otherwise "Business 3 (Guiding and
    activities)": numbered in the order the businesses were registered, by sector group. short
    leaves the sector out ("Business 3"), for the network figure, whose colours show it.
    """
    names: dict[int, str] = {}
    number = 0
    with force_locale(lang):
        for business in sorted(businesses, key=lambda b: b.id):
            if getattr(business, "report_consent", False):
                names[business.id] = business.name
                continue
            number += 1
            if short:
                names[business.id] = gettext("Business %(number)s", number=number)
                continue
            group = sector_group(business.sector)
            sector = taxonomy.group_label(group, lang) if group else gettext("sector not given")
            names[business.id] = gettext(
                "Business %(number)s (%(sector)s)", number=number, sector=sector
            )
    return names


def _sectors(businesses: list[Business], names: dict[int, str] | None = None) -> list[SectorPart]:
    grouped: dict[str | None, list[str]] = defaultdict(list)
    for business in businesses:
        shown = names.get(business.id, business.name) if names is not None else business.name
        grouped[sector_group(business.sector)].append(shown)
    order = _group_order()
    keys = sorted(grouped, key=lambda key: (key is None, order.get(key, len(order)), key or ""))
    return [SectorPart(key, tuple(sorted(grouped[key], key=str.casefold))) for key in keys]


def _group_order() -> dict[str, int]:
    return {group.key: n for n, group in enumerate(taxonomy.groups())}


def connections_of(project: Project) -> list[tuple[Connection, str, str]]:
    a, b = aliased(Business), aliased(Business)
    rows = db.session.execute(
        select(Connection, a.name, b.name)
        .join(a, a.id == Connection.a_id)
        .join(b, b.id == Connection.b_id)
        .where(Connection.project_id == project.id)
        .order_by(Connection.id)
    ).all()
    return [(c, an, bn) for c, an, bn in rows]


def ecosystems_of(project: Project) -> list[Ecosystem]:
    """The project's ecosystems with their members loaded, by name."""
    return list(
        db.session.scalars(
            select(Ecosystem)
            .where(Ecosystem.project_id == project.id)
            .options(selectinload(Ecosystem.members), selectinload(Ecosystem.ideas))
            .order_by(Ecosystem.name, Ecosystem.id)
        )
    )


def first_day_end(workshops) -> datetime | None:
    """The end (UTC midnight after) of the first held workshop's day, or None."""
    held = [w.starts_at for w in workshops if w.starts_at and w.status != "planned"]
    if not held:
        return None
    day = min(held)
    return as_utc(datetime.combine(day.date(), datetime.max.time(), day.tzinfo))


def _network(
    project: Project, businesses: list[Business], connections, cutoff=None, names=None
) -> Network | None:
    nodes = tuple(
        (str(b.id), (names or {}).get(b.id, b.name), sector_group(b.sector) or "")
        for b in businesses
    )
    met = [(c, MET_WEIGHTS[c.status]) for c, _a, _b in connections if c.status in MET_WEIGHTS]
    if met:
        edges = tuple((str(c.a_id), str(c.b_id), weight) for c, weight in met)
        start = None
        if cutoff is not None:
            start = tuple(
                (str(c.a_id), str(c.b_id), weight)
                for c, weight in met
                if c.created_at and as_utc(c.created_at) <= cutoff
            )
        return Network("connections", nodes, edges, start)
    if len(businesses) < 2:
        return None
    # The pairing pages' own suggestions (same profiles, same graph), three ties per business.
    shown = {node_id for node_id, _name, _group in nodes}
    graph = pairing_service.strongest_ties(project, 3)
    edges = tuple(
        (a, b, float(w))
        for a, b, w in graph.edges(data="weight", default=1.0)
        if a in shown and b in shown
    )
    return Network("suggested", nodes, edges) if edges else None


def evaluation_results(project: Project, lang: str) -> tuple[bool, list]:
    """Every form's results in lang, or (False, []) while the evaluations package lacks them."""
    forms = db.session.scalars(
        select(EvaluationForm)
        .outerjoin(Workshop, Workshop.id == EvaluationForm.workshop_id)
        .where(EvaluationForm.project_id == project.id, EvaluationForm.status != "draft")
        .order_by(Workshop.position.is_(None), Workshop.position, EvaluationForm.id)
        # Two queries for every form's questions and options, not one per form and per question.
        .options(selectinload(EvaluationForm.questions).selectinload(Question.options))
    )
    with force_locale(lang):
        rate_label = gettext("response rate")
    threshold = results.min_responses()
    return True, [
        results.form_results(form, lang, rate_label=rate_label, threshold=threshold)
        for form in forms
    ]


def form_labels(project: Project, forms, workshops: list[WorkshopPart]) -> list[str]:
    """Each form's label: its workshop's title, with the form's title when a workshop has two."""
    workshop_of = dict(
        db.session.execute(
            select(EvaluationForm.id, EvaluationForm.workshop_id).where(
                EvaluationForm.project_id == project.id
            )
        ).all()
    )
    titles = {w.id: w.title for w in workshops}
    per_workshop = Counter(workshop_of.get(form.form_id) for form in forms)
    labels = []
    for form in forms:
        workshop_id = workshop_of.get(form.form_id)
        title = titles.get(workshop_id)
        if title is None:
            labels.append(form.title)
        elif per_workshop[workshop_id] > 1:
            labels.append(f"{title} – {form.title}")
        else:
            labels.append(title)
    return labels


def last_activity(workshops, ideas, forms, zone: ZoneInfo, collected=()) -> datetime | None:
    """When the report's data last grew: the latest idea, workshop run, evaluation day or other
    moment collected (UTC, as stored: dots, interests, connections).

    The report is dated by its data, not by the hour it was made, so the same data always gives
    the same PDF. Only what happened counts, never a planned date: a workshop run before its
    date would date the report after the day it was made.
    """
    moments = [idea.created_at for idea in ideas if idea.created_at]
    moments += [w.run_at for w in workshops if w.run_at]
    moments += [_local(moment, zone) for moment in collected if moment]
    for form in forms:
        if form.last_day:
            moments.append(datetime.combine(form.last_day, datetime.min.time(), zone))
    return max(moments) if moments else None


def assemble(project: Project, lang: str, *, now: datetime | None = None) -> ReportData:
    """Read the whole project for its report in lang, dated now or else by its last activity."""
    zone = _zone(project.timezone)
    leaders, viewers, unnamed_leaders, unnamed_viewers = _members(project)
    workshops, steps = _workshops(project, zone)
    businesses = list(
        db.session.scalars(
            select(Business)
            .where(Business.project_id == project.id)
            .order_by(Business.name, Business.id)
        )
    )
    connections = connections_of(project)
    names = report_names(businesses, lang)
    named = {b.id: b.name for b in businesses if names[b.id] == b.name}
    available, evaluations = evaluation_results(project, lang)
    done = queries.actuals(project)
    idea_ids = _idea_ids(project)
    ideas = _ideas(project, workshops, steps, zone, _interested(idea_ids, businesses, named))
    collected = _last_vote_or_interest(idea_ids) + [c.created_at for c, _a, _b in connections]
    dated = (
        _local(now, zone) if now else last_activity(workshops, ideas, evaluations, zone, collected)
    )
    ecosystems = ecosystems_of(project)
    return ReportData(
        project=ProjectPart(
            slug=project.slug,
            name=project.name,
            municipality=project.municipality or "",
            description=project.description or "",
            language=project.language,
            timezone=project.timezone,
            use=getattr(project, "use", None) or DEFAULT_USE,
            costs=getattr(project, "costs", "") or "",
            funding=getattr(project, "funding", "") or "",
        ),
        generated_at=dated,
        leaders=tuple(leaders),
        viewers=tuple(viewers),
        unnamed_leaders=unnamed_leaders,
        unnamed_viewers=unnamed_viewers,
        workshops=tuple(workshops),
        sectors=tuple(_sectors(businesses, names)),
        sizes=_known(businesses, "size_band", SIZE_BANDS),
        stages=_known(businesses, "stage", STAGES),
        named=tuple(sorted(named.values(), key=str.casefold)),
        business_count=len(businesses),
        attendees=done["attendees"],
        ideas=tuple(ideas),
        connections=tuple(
            ConnectionPart(names.get(c.a_id, a), names.get(c.b_id, b), c.status, c.origin)
            for c, a, b in connections
        ),
        ecosystems=tuple(
            EcosystemPart(
                e.name,
                tuple(names.get(m.id, m.name) for m in e.members),
                e.product or "",
                e.status,
            )
            for e in ecosystems
        ),
        products=tuple(
            ProductPart(e.name, e.product or "", e.status, tuple(idea.text for idea in e.ideas))
            for e in ecosystems
            if e.ideas
        ),
        network=_network(
            project,
            businesses,
            connections,
            first_day_end(workshops),
            report_names(businesses, lang, short=True),
        ),
        progress=tuple(queries.progress(project)),
        evaluations=tuple(evaluations),
        evaluation_labels=tuple(form_labels(project, evaluations, workshops)),
        evaluations_available=available,
        steps_run_recorded=any(s.minutes_run is not None for w in workshops for s in w.steps),
        themes_available=hasattr(Idea, "theme") or hasattr(Idea, "theme_id"),
    )
