"""Pairing for a project's businesses: profiles from the database, cached suggestions, outcomes.

The pure work is in pairing.py; this module turns rows into profiles (with the ideas each business
wants to work on), caches the results per project until a business or an interest changes, and
records what the leader makes of a suggestion (connections, named ecosystems).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

import networkx as nx
from sqlalchemy import func, or_, select

from app.extensions import db
from method import taxonomy
from workshops.businesses import pairing
from workshops.businesses.models import CONNECTION_STATUSES, Business, Connection, Ecosystem
from workshops.ideas.models import Idea, Interest
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project

_CACHE: OrderedDict[tuple, _Computed] = OrderedDict()
_CACHE_SIZE = 8
_LOCK = Lock()
KEEP = 10  # partners kept per business; pages and commands show up to this many


@dataclass(frozen=True)
class Partner:
    """A suggested partner of one business, with the reasons as data."""

    business: Business
    score: float
    reasons: tuple[pairing.Reason, ...]
    competitor: bool


@dataclass(frozen=True)
class _Computed:
    profiles: tuple[pairing.Profile, ...]
    top: dict[str, list[pairing.Suggestion]]
    graph: nx.Graph


def group_of(business: Business) -> str | None:
    """A business's sector group, read from its sector when not stored."""
    if business.sector_group:
        return business.sector_group
    return taxonomy.sector_group_for(business.sector).group if business.sector else None


def interests_by_business(project: Project) -> dict[int, set[str]]:
    """The ideas (as id strings) each business wants to work on, by business id."""
    by_name = {b.name.strip().casefold(): b.id for b in project.businesses}
    rows = db.session.execute(
        select(Interest.idea_id, Interest.business_id, Interest.business_name)
        .join(Idea, Idea.id == Interest.idea_id)
        .join(Workshop, Workshop.id == Idea.workshop_id)
        .where(Workshop.project_id == project.id)
    )
    found: dict[int, set[str]] = {}
    for idea_id, business_id, name in rows:
        key = business_id or by_name.get((name or "").strip().casefold())
        if key:
            found.setdefault(key, set()).add(str(idea_id))
    return found


def profile_of(business: Business, interests: set[str] | None = None) -> pairing.Profile:
    """One business as pairing sees it."""
    return pairing.Profile(
        id=str(business.id),
        name=business.name,
        group=group_of(business),
        offers=frozenset(t for t in business.offers or [] if taxonomy.is_tag(t)),
        needs=frozenset(t for t in business.needs or [] if taxonomy.is_tag(t)),
        interests=frozenset(interests or ()),
        municipality=business.municipality or "",
        assumed=bool(business.assumed),
    )


def profiles(project: Project) -> list[pairing.Profile]:
    """Every business of the project as a pairing profile, by name."""
    interests = interests_by_business(project)
    return [profile_of(b, interests.get(b.id)) for b in project.businesses]


def idea_texts(project: Project) -> dict[str, str]:
    """The project's ideas by id string, as typed (for wording shared interests)."""
    rows = db.session.execute(
        select(Idea.id, Idea.text)
        .join(Workshop, Workshop.id == Idea.workshop_id)
        .where(Workshop.project_id == project.id)
    )
    return {str(idea_id): text for idea_id, text in rows}


def _signature(project: Project) -> tuple:
    """What the cached results depend on: the businesses and the interests as they are now."""
    businesses = db.session.execute(
        select(func.count(Business.id), func.max(Business.updated_at), func.sum(Business.id)).where(
            Business.project_id == project.id
        )
    ).one()
    interests = db.session.execute(
        select(func.count(Interest.id), func.max(Interest.id), func.sum(Interest.business_id))
        .join(Idea, Idea.id == Interest.idea_id)
        .join(Workshop, Workshop.id == Idea.workshop_id)
        .where(Workshop.project_id == project.id)
    ).one()
    return (project.id, tuple(businesses), tuple(interests))


def _computed(project: Project) -> _Computed:
    key = _signature(project)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found_profiles = tuple(profiles(project))
    edges = pairing.partner_edges(found_profiles, KEEP)
    top = pairing.suggest(found_profiles, edges)
    graph = pairing.build_graph(found_profiles, edges=edges)
    computed = _Computed(found_profiles, top, graph)
    with _LOCK:
        _CACHE[key] = computed
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return computed


def suggestions(project: Project, k: int = 5) -> list[tuple[Business, list[Partner]]]:
    """Each business (by name) with its k best partners, best first, ties by name."""
    computed = _computed(project)
    by_id = {str(b.id): b for b in project.businesses}
    result = []
    for business in project.businesses:
        found = computed.top.get(str(business.id), [])[:k]
        result.append(
            (
                business,
                [
                    Partner(by_id[s.partner_id], s.score, s.reasons, s.competitor)
                    for s in found
                    if s.partner_id in by_id
                ],
            )
        )
    return result


def words(reasons: tuple[pairing.Reason, ...], lang: str, ideas: dict[str, str]) -> list[str]:
    """Reasons worded in lang."""
    return [pairing.explain(r, lang, ideas) for r in reasons]


def pairings_document(project: Project, k: int = 5, lang: str | None = None) -> dict:
    """The `pairings --json` document (INTERFACES.md)."""
    lang = lang or project.language
    ideas = idea_texts(project)
    return {
        "project": project.slug,
        "suggestions": [
            {
                "business": business.name,
                "partners": [
                    {
                        "business": p.business.name,
                        "score": round(float(p.score), 6),
                        "reasons": words(p.reasons, lang, ideas),
                    }
                    for p in partners
                ],
            }
            for business, partners in suggestions(project, k)
        ],
    }


def network_figure(project: Project, fmt: str, lang: str) -> bytes:
    """The partner network as PNG or SVG bytes."""
    computed = _computed(project)
    graph = computed.graph
    # Show each business's five best edges: the full graph is too dense to read.
    shown = nx.Graph()
    shown.add_nodes_from(graph.nodes(data=True))
    for node in graph:
        best = sorted(graph[node].items(), key=lambda e: -e[1].get("weight", 0.0))[:5]
        shown.add_edges_from((node, other, data) for other, data in best)
    return pairing.network_figure(shown, fmt=fmt, lang=lang)


def ecosystem_proposals(project: Project) -> list[tuple[pairing.Ecosystem, list[Business]]]:
    """Proposed groups of 3-6 businesses, best covering first, with their businesses."""
    computed = _computed(project)
    if len(computed.profiles) < 3:
        return []
    by_id = {str(b.id): b for b in project.businesses}
    found = pairing.ecosystems(list(computed.profiles), graph=computed.graph)
    return [(e, [by_id[m] for m in e.members if m in by_id]) for e in found]


# --- speed meetings -----------------------------------------------------------------------


def present_businesses(project: Project, workshop: Workshop) -> list[Business]:
    """Businesses of the workshop's participants whose business name matches a registered one."""
    names = set(
        db.session.scalars(
            select(func.lower(func.trim(Participant.business_name))).where(
                Participant.workshop_id == workshop.id, Participant.business_name != ""
            )
        )
    )
    return [b for b in project.businesses if b.name.strip().lower() in names]


def speed_meeting(businesses: list[Business]) -> pairing.Meeting:
    """Pair the given businesses for a speed-meeting round (one trio when odd)."""
    interests = interests_by_business(businesses[0].project) if businesses else {}
    return pairing.speed_meeting([profile_of(b, interests.get(b.id)) for b in businesses])


# --- outcomes -------------------------------------------------------------------------------


class OutcomeError(Exception):
    """A connection or ecosystem that cannot be recorded as asked."""


def connection_between(project: Project, a: Business, b: Business) -> Connection | None:
    """The project's connection between two businesses, in either order."""
    return db.session.scalar(
        select(Connection).where(
            Connection.project_id == project.id,
            or_(
                (Connection.a_id == a.id) & (Connection.b_id == b.id),
                (Connection.a_id == b.id) & (Connection.b_id == a.id),
            ),
        )
    )


def connect(project: Project, a: Business, b: Business, origin: str = "suggested") -> Connection:
    """Turn a pair into a connection (status suggested), or return the one that exists."""
    if a.id == b.id or a.project_id != project.id or b.project_id != project.id:
        raise OutcomeError("not_a_pair")
    found = connection_between(project, a, b)
    if found is not None:
        return found
    first, second = sorted((a, b), key=lambda x: x.id)
    connection = Connection(
        project_id=project.id, a_id=first.id, b_id=second.id, status="suggested", origin=origin
    )
    db.session.add(connection)
    db.session.flush()
    return connection


def set_status(connection: Connection, status: str, notes: str | None = None) -> None:
    """Move a connection on (suggested, introduced, met, collaborating, or declined)."""
    if status not in CONNECTION_STATUSES:
        raise OutcomeError("bad_status")
    connection.status = status
    if notes is not None:
        connection.notes = notes.strip()


def connections(project: Project) -> list[Connection]:
    """The project's connections, newest change first."""
    return list(
        db.session.scalars(
            select(Connection)
            .where(Connection.project_id == project.id)
            .order_by(Connection.updated_at.desc(), Connection.id.desc())
        )
    )


def name_ecosystem(project: Project, name: str, product: str, members: list[Business]) -> Ecosystem:
    """Record a named ecosystem with its joint product idea and its members."""
    if not name.strip() or len({m.id for m in members}) < 2:
        raise OutcomeError("too_few")
    if any(m.project_id != project.id for m in members):
        raise OutcomeError("not_a_pair")
    ecosystem = Ecosystem(
        project_id=project.id,
        name=name.strip(),
        product=product.strip(),
        status="proposed",
        members=sorted(set(members), key=lambda m: m.name),
    )
    db.session.add(ecosystem)
    db.session.flush()
    return ecosystem


def ecosystems(project: Project) -> list[Ecosystem]:
    """The project's named ecosystems, by name."""
    return list(
        db.session.scalars(
            select(Ecosystem).where(Ecosystem.project_id == project.id).order_by(Ecosystem.name)
        )
    )
