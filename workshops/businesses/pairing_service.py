"""Pairing for a project's businesses: profiles from the database, cached suggestions, outcomes.

The pure work is in the pairing package; this module turns rows into profiles (with the ideas each
business wants to work on), caches the results per project until a business or an interest
changes, records what the leader makes of a suggestion (connections, marks, named ecosystems) and
feeds it back into the project's ranking.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from threading import Lock
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Row, func, or_, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from method import places, taxonomy
from workshops.businesses.models import (
    CONNECTION_STATUSES,
    PAIRING_MARKS,
    Business,
    Connection,
    Ecosystem,
    PairingMark,
    ProductSheet,
)
from workshops.businesses.registry import normalise_word
from workshops.ideas.models import Idea, Interest
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project

if TYPE_CHECKING:
    import networkx as nx

    from workshops.businesses import pairing

_CACHE: OrderedDict[tuple, _Computed] = OrderedDict()
_ENTRIES: OrderedDict[tuple, tuple[_Entry, ...]] = OrderedDict()  # when nothing is computed
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


class _Suggestions(Mapping):
    """Each business's suggestions by id, made from its cached edges when read.

    At 10,000 businesses, 100,000 ready-made suggestions (with their reason closures) would stay
    in memory between requests, and every garbage collection of every request would walk them.
    """

    def __init__(self, profiles: tuple[pairing.Profile, ...], edges: list[list[tuple]]) -> None:
        self._profiles, self._edges = profiles, edges
        self._index = {p.id: i for i, p in enumerate(profiles)}

    def __getitem__(self, key: str) -> list[pairing.Suggestion]:
        from workshops.businesses.pairing.ranking import suggest_row

        i = self._index[key]
        return suggest_row(self._profiles, i, self._edges[i])

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@dataclass(frozen=True)
class _Entry:
    """What the business search reads of one business.

    The search runs over these in memory rather than in SQL: it matches as str.casefold() does
    (every alphabet, and ß as ss), which SQLite's lower() (ASCII letters only) and PostgreSQL's
    lower() (no ß to ss, and letters by the database's locale) do not, and the tags sit in JSON
    lists. They are kept until a business changes, like the computed results.
    """

    id: int
    name: str  # case-folded
    sector: str  # as typed
    group: str | None  # as stored
    tags: frozenset[str]  # offers and needs as stored
    free: frozenset[str]  # its free words (offers and needs) as mappings store them


@dataclass(frozen=True)
class _Computed:
    profiles: tuple[pairing.Profile, ...]
    top: Mapping[str, list[pairing.Suggestion]]  # made when read (_Suggestions)
    edges: list[list[tuple[float, int, bool, float]]]  # pairing.partner_edges'
    entries: tuple[_Entry, ...] = ()  # the businesses by name, for the search
    # Ecosystem proposals by the named ecosystems they were made against.
    proposals: dict[tuple, list[pairing.Ecosystem]] = field(default_factory=dict, compare=False)

    @cached_property
    def graph(self) -> nx.Graph:
        """The partner graph, built when first drawn or grouped: the pairings page needs none."""
        from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

        return pairing.build_graph(self.profiles, edges=self.edges)


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
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    return pairing.Profile(
        id=str(business.id),
        name=business.name,
        group=group_of(business),
        offers=frozenset(t for t in business.offers or [] if taxonomy.is_tag(t)),
        needs=frozenset(t for t in business.needs or [] if taxonomy.is_tag(t)),
        interests=frozenset(interests or ()),
        municipality=places.key(business.municipality),  # "Pargas stad" is "Parainen"
        assumed=bool(business.assumed),
    )


def profiles(project: Project) -> list[pairing.Profile]:
    """Every business of the project that pairing may suggest, as a pairing profile, by name."""
    interests = interests_by_business(project)
    return [profile_of(b, interests.get(b.id)) for b in pairable(project.businesses)]


def erased_ids(businesses: Iterable) -> set[int]:
    """The ids of the businesses (rows with an id and a name) that privacy erased entirely.

    Such a business is known by its name only: the neutral label the erase gives it, "Erased
    business 17" in the project's language (the same msgid as workshops/privacy). Every language
    is tried, as the project's language may have changed since.
    """
    labels = set()
    for lang in taxonomy.LANGUAGES:
        with force_locale(lang):
            label = _("Erased business %(number)s", number="\x00")
        before, _mark, after = label.partition("\x00")
        labels.add((before, after))
    return {b.id for b in businesses if any(b.name == f"{x}{b.id}{y}" for x, y in labels)}


def pairable(businesses: Iterable[Business]) -> list[Business]:
    """The businesses new suggestions, proposals and speed meetings may take, in their order:
    all but those erased; their connections, marks and ecosystems stay as they were."""
    found = list(businesses)
    erased = erased_ids(found)
    return [b for b in found if b.id not in erased]


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
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    key = _signature(project)
    with _LOCK:
        found = _CACHE.get(key)
        if found is not None:
            _CACHE.move_to_end(key)
            return found
    found = list(project.businesses)
    interests = interests_by_business(project)
    found_profiles = tuple(profile_of(b, interests.get(b.id)) for b in pairable(found))
    edges = pairing.partner_edges(found_profiles, KEEP)
    entries = tuple(_entry(b) for b in found)  # every business: the registry searches these
    computed = _Computed(found_profiles, _Suggestions(found_profiles, edges), edges, entries)
    with _LOCK:
        _CACHE[key] = computed
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return computed


def _entry(business: Business | Row) -> _Entry:
    words = (
        normalise_word(w) for w in [*(business.offers_free or ()), *(business.needs_free or ())]
    )
    return _Entry(
        business.id,
        business.name.casefold(),
        business.sector or "",
        business.sector_group,
        frozenset(business.offers or ()) | frozenset(business.needs or ()),
        frozenset(w for w in words if w),
    )


_ENTRY_COLUMNS = (
    Business.id,
    Business.name,
    Business.sector,
    Business.sector_group,
    Business.offers,
    Business.needs,
    Business.offers_free,
    Business.needs_free,
)


def _entries(project: Project) -> tuple[_Entry, ...]:
    """The project's businesses by name as the search reads them: from the cached results when
    there are some, else read once (these columns only) until a business changes."""
    key = _signature(project)
    with _LOCK:
        computed = _CACHE.get(key)
        if computed is not None:
            return computed.entries
        found = _ENTRIES.get(key)
        if found is not None:
            _ENTRIES.move_to_end(key)
            return found
    rows = db.session.execute(
        select(*_ENTRY_COLUMNS)
        .where(Business.project_id == project.id)
        .order_by(Business.name)  # as project.businesses
    )
    found = tuple(_entry(row) for row in rows)  # rows have the attributes _entry reads
    with _LOCK:
        _ENTRIES[key] = found
        while len(_ENTRIES) > _CACHE_SIZE:
            _ENTRIES.popitem(last=False)
    return found


def _matching(entries: Sequence[_Entry], query: str, lang: str) -> list[int]:
    """The ids of the businesses whose name or sector (as typed, or its group's name in lang)
    holds the query, case folded, or that offer or need a tag the query names.

    Names come first, so a business searched by its name is found on the first page even when
    the name holds a word that names a tag ("Nordkafé"): the name itself, then names that hold
    the query, then sectors and tags; each in the entries' order.
    """
    key = " ".join(query.split()).casefold()
    if not key:
        return [e.id for e in entries]
    tags = frozenset(taxonomy.map_words(query).tags)
    labels: dict[str, str] = {}
    named, in_name, other = [], [], []
    for e in entries:
        if e.group and e.group not in labels:
            labels[e.group] = taxonomy.group_label(e.group, lang)
        sector = f"{e.sector} {labels[e.group] if e.group else ''}"
        if key in e.name:
            (named if " ".join(e.name.split()) == key else in_name).append(e.id)
        elif key in sector.casefold() or not tags.isdisjoint(e.tags):
            other.append(e.id)
    return named + in_name + other


def businesses_by_id(project: Project, ids: Iterable[int | str]) -> dict[int, Business]:
    """The project's businesses with these ids (as numbers or digit strings), by id."""
    wanted = sorted({int(x) for x in ids if str(x).isdigit()})
    found: dict[int, Business] = {}
    for start in range(0, len(wanted), 500):  # a bounded IN list per statement
        found |= {
            b.id: b
            for b in db.session.scalars(
                select(Business).where(
                    Business.project_id == project.id,
                    Business.id.in_(wanted[start : start + 500]),
                )
            )
        }
    return found


def _with_partners(
    project: Project, computed: _Computed, ids: list[str], k: int, known: dict[int, Business]
) -> list[tuple[Business, list[Partner]]]:
    """The businesses with these ids (in this order) with their k best partners after feedback;
    only they and their partners are read from the database (those in `known` not at all)."""
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    top = pairing.apply_feedback(computed.profiles, computed.top, feedback(project), only=ids)
    chosen = {x: top.get(x, [])[:k] for x in ids}
    by_id = {str(i): b for i, b in known.items()}
    wanted = {s.partner_id for found in chosen.values() for s in found} | set(ids)
    by_id |= {str(i): b for i, b in businesses_by_id(project, wanted - set(by_id)).items()}
    return [
        (
            by_id[x],
            [
                Partner(by_id[s.partner_id], s.score, s.reasons, s.competitor)
                for s in found
                if s.partner_id in by_id
            ],
        )
        for x, found in chosen.items()
        if x in by_id
    ]


def suggestions(
    project: Project, k: int = 5, businesses: list[Business] | None = None
) -> list[tuple[Business, list[Partner]]]:
    """Each business (by name) with its k best partners, best first, ties by name.

    The leader's feedback is applied (feedback()): declined and not-relevant pairs are left
    out, pairs like the good ones move up. `businesses` limits the answer to some of them;
    by default, every business but the erased ones (pairable()).
    """
    computed = _computed(project)
    chosen = pairable(project.businesses) if businesses is None else businesses
    known = {b.id: b for b in chosen}
    return _with_partners(project, computed, [str(b.id) for b in chosen], k, known)


@dataclass(frozen=True)
class Found:
    """One page of a business search: the page's business ids, and where it is."""

    ids: list[int]
    found: int  # businesses matching the search, on all pages
    page: int  # 1 for the first
    pages: int
    unmapped: int = 0  # when asked: the project's free words, as len(registry.unmapped_words())


def _page(ids: list[int], page: int, per_page: int) -> Found:
    pages = max(1, -(-len(ids) // per_page))
    page = min(max(1, page), pages)
    return Found(ids[(page - 1) * per_page : page * per_page], len(ids), page, pages)


def search(
    project: Project, query: str, lang: str, page: int, per_page: int, unmapped: bool = False
) -> Found:
    """The businesses matching `query` (see _matching: names first; sector groups named in lang),
    `per_page` at a time; a page past the last gives the last. Nothing is computed for pairing.
    With `unmapped`, also how many free words of offers and needs no tag matched.
    """
    entries = _entries(project)
    found = _page(_matching(entries, query, lang), page, per_page)
    if unmapped:
        found = replace(found, unmapped=len(frozenset().union(*(e.free for e in entries))))
    return found


@dataclass(frozen=True)
class PairingsPage:
    """One page of the pairings: its businesses with their partners, and where it is."""

    rows: list[tuple[Business, list[Partner]]]
    found: int  # businesses matching the search, on all pages
    page: int  # 1 for the first
    pages: int


def pairings_page(
    project: Project, query: str, lang: str, page: int, per_page: int, k: int = 5
) -> PairingsPage:
    """The businesses matching `query` (see _matching: names first; sector groups named in lang),
    `per_page` at a time, with their k best partners. A page past the last gives the last.

    Only the page's businesses and their partners are read from the database: the search runs
    on the cached results' entries. Erased businesses are left out, as pairing leaves them.
    """
    computed = _computed(project)
    matching = [x for x in _matching(computed.entries, query, lang) if str(x) in computed.top]
    found = _page(matching, page, per_page)
    rows = _with_partners(project, computed, [str(x) for x in found.ids], k, {})
    return PairingsPage(rows, found.found, found.page, found.pages)


def words(reasons: tuple[pairing.Reason, ...], lang: str, ideas: dict[str, str]) -> list[str]:
    """Reasons worded in lang."""
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    return [pairing.explain(r, lang, ideas) for r in reasons]


def no_partner_reason(business: Business) -> str:
    """Why a business has no suggested partner, in the current locale."""
    if not (business.offers or business.needs or business.sector):
        return _("No offers, needs or sector given yet: add some to get suggestions.")
    return _("No other business in the project needs what it offers or offers what it needs yet.")


def pairings_document(project: Project, k: int = 5, lang: str | None = None) -> dict:
    """The `pairings --json` document (INTERFACES.md); a business with no partner gets the
    reason why beside its empty list."""
    lang = lang or project.language
    ideas = idea_texts(project)
    found = []
    for business, partners in suggestions(project, k):
        item: dict = {
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
        if not partners:
            with force_locale(lang):
                item["reason"] = no_partner_reason(business)
        found.append(item)
    return {"project": project.slug, "suggestions": found}


def strongest_ties(project: Project, per_business: int) -> nx.Graph:
    """The suggested partner graph cut to each business's `per_business` strongest ties.

    The pairing pages' network figure and the report's draw this one graph, made from profiles().
    """
    import networkx as nx  # loaded on first use, not at start-up

    graph = _computed(project).graph
    shown = nx.Graph()
    shown.add_nodes_from(graph.nodes(data=True))
    for node in graph:
        best = sorted(graph[node].items(), key=lambda e: -e[1].get("weight", 0.0))[:per_business]
        shown.add_edges_from((node, other, data) for other, data in best)
    return shown


def network_figure(project: Project, fmt: str, lang: str, unknown_label: str = "?") -> bytes:
    """The partner network as PNG or SVG bytes (unknown_label: the legend's word for businesses
    without a recognised sector)."""
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    # Each business's five best ties: the full graph is too dense to read.
    return pairing.network_figure(
        strongest_ties(project, 5), fmt=fmt, lang=lang, unknown_label=unknown_label
    )


@dataclass(frozen=True)
class Member:
    """A business as a proposal lists it (name_ecosystem takes these too)."""

    id: int
    name: str


def ecosystem_proposals(project: Project) -> list[tuple[pairing.Ecosystem, list[Member]]]:
    """Proposed groups of 3-6 businesses, best covering first, with their members by name.

    A group the leader has named already (two thirds or more of the same members) is never
    proposed again; a proposal that shares members with a named one says what it adds.
    """
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    computed = _computed(project)
    if len(computed.profiles) < 3:
        return []
    named = [(e.name, [str(m.id) for m in e.members]) for e in ecosystems(project)]
    key = tuple((name, tuple(members)) for name, members in named)
    found = computed.proposals.get(key)
    if found is None:  # seeded, so the same profiles and names give the same proposals
        found = pairing.ecosystems(list(computed.profiles), graph=computed.graph, named=named)
        with _LOCK:
            computed.proposals[key] = found
            while len(computed.proposals) > _CACHE_SIZE:
                del computed.proposals[next(iter(computed.proposals))]
    # Ids and names only: whole rows for the thousands of members of a large region cost more.
    by_id = {
        str(x): Member(x, name)
        for x, name in db.session.execute(
            select(Business.id, Business.name).where(Business.project_id == project.id)
        )
    }
    return [(e, [by_id[m] for m in e.members if m in by_id]) for e in found]


# --- speed meetings -----------------------------------------------------------------------


def present_businesses(project: Project, workshop: Workshop) -> list[Business]:
    """Businesses of the workshop's participants whose business name matches a registered one
    (erased businesses left out)."""
    names = set(
        db.session.scalars(
            select(func.lower(func.trim(Participant.business_name))).where(
                Participant.workshop_id == workshop.id, Participant.business_name != ""
            )
        )
    )
    return pairable(b for b in project.businesses if b.name.strip().lower() in names)


def speed_meeting(businesses: list[Business]) -> pairing.Meeting:
    """Pair the given businesses for a speed-meeting round (one trio when odd).

    Pairs that declined, or that the leader marked not relevant, never meet.
    """
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    project = businesses[0].project if businesses else None
    interests = interests_by_business(project) if project else {}
    apart = feedback(project).bad if project else frozenset()
    return pairing.speed_meeting(
        [profile_of(b, interests.get(b.id)) for b in businesses], apart=apart
    )


@dataclass(frozen=True)
class SpeedRound:
    """A speed-meeting round: who is present, who takes part, and who meets whom."""

    present: list[Business]  # the participants' businesses that match a registered one
    chosen: list[Business]  # who takes part
    groups: list[list[Business]]  # pairs, one trio when odd; empty with fewer than two


def speed_round(
    project: Project, workshop: Workshop, chosen_ids: Sequence[str] | None = None
) -> SpeedRound:
    """Pair the leader's choice (ids as text) if given, else those present, else every business;
    erased businesses are left out."""
    present = present_businesses(project, workshop)
    by_id = {str(b.id): b for b in pairable(project.businesses)}
    if chosen_ids is not None:
        chosen = [by_id[i] for i in chosen_ids if i in by_id]
    else:
        chosen = present or list(by_id.values())
    meeting = speed_meeting(chosen) if len(chosen) >= 2 else None
    groups = [[by_id[x] for x in group] for group in meeting.groups] if meeting else []
    return SpeedRound(present, chosen, groups)


# --- the leader's marks and feedback ---------------------------------------------------------

GOING_ON = ("introduced", "met", "collaborating")


def _pair(a: Business, b: Business) -> tuple[int, int]:
    return (a.id, b.id) if a.id < b.id else (b.id, a.id)


def marks(project: Project) -> dict[frozenset[int], str]:
    """The leader's marks by pair of business ids: "good" or "not_relevant"."""
    rows = db.session.execute(
        select(PairingMark.a_id, PairingMark.b_id, PairingMark.mark).where(
            PairingMark.project_id == project.id
        )
    )
    return {frozenset((a, b)): mark for a, b, mark in rows}


def _mark_of(project: Project, first: int, second: int) -> PairingMark | None:
    return db.session.scalar(
        select(PairingMark).where(
            PairingMark.project_id == project.id,
            PairingMark.a_id == first,
            PairingMark.b_id == second,
        )
    )


def mark(project: Project, a: Business, b: Business, value: str) -> PairingMark:
    """Mark a pair "good" or "not_relevant" (a second mark replaces the first)."""
    if value not in PAIRING_MARKS:
        raise OutcomeError("bad_mark")
    if a.id == b.id or a.project_id != project.id or b.project_id != project.id:
        raise OutcomeError("not_a_pair")
    first, second = _pair(a, b)
    found = _mark_of(project, first, second)
    if found is None:
        found = PairingMark(project_id=project.id, a_id=first, b_id=second, mark=value)
        db.session.add(found)
    found.mark = value
    db.session.flush()
    return found


def unmark(project: Project, a: Business, b: Business) -> bool:
    """Take a mark back; True when there was one."""
    first, second = _pair(a, b)
    found = _mark_of(project, first, second)
    if found is None:
        return False
    db.session.delete(found)
    db.session.flush()
    return True


def feedback(project: Project) -> pairing.Feedback:
    """The project's marks and connection outcomes as pairing feedback (by business id).

    Good: marked good, or a connection introduced, met or collaborating. Bad: marked not
    relevant, or declined. A mark wins over a connection's status.
    """
    from workshops.businesses import pairing  # NumPy and NetworkX: loaded on first use

    good: set[frozenset[str]] = set()
    bad: set[frozenset[str]] = set()
    rows = db.session.execute(
        select(Connection.a_id, Connection.b_id, Connection.status).where(
            Connection.project_id == project.id
        )
    )
    for a, b, status in rows:
        pair = frozenset((str(a), str(b)))
        if status == "declined":
            bad.add(pair)
        elif status in GOING_ON:
            good.add(pair)
    marked_good: set[frozenset[str]] = set()
    for pair, value in marks(project).items():
        key = frozenset(str(x) for x in pair)
        good.discard(key)
        bad.discard(key)
        (good if value == "good" else bad).add(key)
        if value == "good":
            marked_good.add(key)
    return pairing.Feedback(frozenset(good), frozenset(bad), frozenset(marked_good))


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
    """The project's connections, newest change first, with both businesses."""
    return list(
        db.session.scalars(
            select(Connection)
            .where(Connection.project_id == project.id)
            .options(selectinload(Connection.a), selectinload(Connection.b))
            .order_by(Connection.updated_at.desc(), Connection.id.desc())
        )
    )


ECOSYSTEM_STATUSES = ("proposed", "forming", "testing", "selling", "active", "paused", "ended")


class EcosystemRepeat(OutcomeError):
    """A name or a set of members that repeats an ecosystem the leader named already."""

    def __init__(self, existing: Ecosystem, same_name: bool) -> None:
        super().__init__("repeats")
        self.existing = existing
        self.same_name = same_name


def _checked_members(project: Project, members: Sequence[Business | Member]) -> list[Business]:
    """The members as the project's businesses, by name; OutcomeError when fewer than two or
    not all of this project."""
    if len({m.id for m in members}) < 2:
        raise OutcomeError("too_few")
    if any(not isinstance(m, Business) for m in members):
        by_id = businesses_by_id(project, {m.id for m in members})
        if len(by_id) < len({m.id for m in members}):
            raise OutcomeError("not_a_pair")
        members = list(by_id.values())
    if any(m.project_id != project.id for m in members):
        raise OutcomeError("not_a_pair")
    return sorted(set(members), key=lambda m: m.name)


def repeated_ecosystem(
    project: Project, name: str, members: Iterable[Business | Member], but: Ecosystem | None = None
) -> tuple[Ecosystem, bool] | None:
    """The named ecosystem (other than `but`) that these members or this name would repeat,
    and whether by its name: two thirds or more of the same members (the rule that keeps
    proposals from repeating a named group), else the same name (case folded)."""
    from workshops.businesses.pairing.ecosystems import shares_two_thirds

    key = " ".join(name.split()).casefold()
    ids = {str(m.id) for m in members}
    others = [e for e in ecosystems(project) if but is None or e.id != but.id]
    for ecosystem in others:
        if shares_two_thirds(ids, (str(m.id) for m in ecosystem.members)):
            return ecosystem, False
    for ecosystem in others:
        if " ".join(ecosystem.name.split()).casefold() == key:
            return ecosystem, True
    return None


def _check_repeat(
    project: Project, name: str, members: Sequence[Business], but: Ecosystem | None = None
) -> None:
    found = repeated_ecosystem(project, name, members, but)
    if found is not None:
        raise EcosystemRepeat(*found)


def name_ecosystem(
    project: Project, name: str, product: str, members: Sequence[Business | Member]
) -> Ecosystem:
    """Record a named ecosystem with its joint product idea and its members (businesses, or the
    members of a proposal). EcosystemRepeat when it repeats one named already."""
    if not name.strip():
        raise OutcomeError("too_few")
    chosen = _checked_members(project, members)
    _check_repeat(project, name, chosen)
    ecosystem = Ecosystem(
        project_id=project.id,
        name=name.strip(),
        product=product.strip(),
        status="proposed",
        members=chosen,
    )
    db.session.add(ecosystem)
    db.session.flush()
    return ecosystem


def change_ecosystem(
    project: Project,
    ecosystem: Ecosystem,
    name: str,
    product: str,
    members: Sequence[Business | Member],
) -> Ecosystem:
    """Rename an ecosystem, change its product idea and members; the same checks as naming
    one (it may keep its own name and members)."""
    if not name.strip():
        raise OutcomeError("too_few")
    chosen = _checked_members(project, members)
    _check_repeat(project, name, chosen, but=ecosystem)
    ecosystem.name = name.strip()
    ecosystem.product = product.strip()
    ecosystem.members = chosen
    db.session.flush()
    return ecosystem


def set_ecosystem_status(ecosystem: Ecosystem, status: str) -> None:
    """Move an ecosystem on (ECOSYSTEM_STATUSES: proposed, forming, ... ended)."""
    if status not in ECOSYSTEM_STATUSES:
        raise OutcomeError("bad_status")
    ecosystem.status = status


def ecosystems_in_use(found: Sequence[Ecosystem]) -> set[int]:
    """The ids of the ecosystems something hangs on: ideas their product grew from, or a product
    sheet a workshop group wrote as the ecosystem (one query for them all)."""
    # The key workshops/businesses/products.py gives an ecosystem's group (group_of).
    keys = {f"ecosystem:{e.id}": e.id for e in found}
    sheets = db.session.scalars(
        select(ProductSheet.group_key).where(ProductSheet.group_key.in_(list(keys)))
    )
    return {e.id for e in found if e.ideas} | {keys[key] for key in sheets}


def remove_ecosystem(ecosystem: Ecosystem) -> None:
    """Remove an ecosystem named by mistake (its members stay); OutcomeError("in_use") when
    something hangs on it (ecosystems_in_use): the status "ended" keeps such a record instead."""
    if ecosystems_in_use([ecosystem]):
        raise OutcomeError("in_use")
    db.session.delete(ecosystem)
    db.session.flush()


def ecosystems(project: Project) -> list[Ecosystem]:
    """The project's named ecosystems, by name."""
    return list(
        db.session.scalars(
            select(Ecosystem)
            .where(Ecosystem.project_id == project.id)
            .options(selectinload(Ecosystem.members), selectinload(Ecosystem.ideas))
            .order_by(Ecosystem.name)
        )
    )


def ecosystem_of(project: Project, ecosystem_id: int) -> Ecosystem | None:
    """The project's ecosystem with this id, or None."""
    ecosystem = db.session.get(Ecosystem, ecosystem_id)
    return ecosystem if ecosystem is not None and ecosystem.project_id == project.id else None


def project_ideas(project: Project) -> list[Idea]:
    """Every idea of the project, hidden ones too, in workshop order then as posted."""
    return list(
        db.session.scalars(
            select(Idea)
            .join(Workshop, Workshop.id == Idea.workshop_id)
            .where(Workshop.project_id == project.id)
            .order_by(Workshop.position, Workshop.id, Idea.created_at, Idea.id)
        )
    )


def link_ideas(project: Project, ecosystem: Ecosystem, idea_ids: Sequence[int]) -> list[Idea]:
    """Set the ideas an ecosystem's joint product grew from (ideas of other projects are left
    out); the caller commits. Returns the linked ideas."""
    wanted = set(idea_ids)
    ideas = [idea for idea in project_ideas(project) if idea.id in wanted]
    ecosystem.ideas = ideas
    db.session.flush()
    return ideas
