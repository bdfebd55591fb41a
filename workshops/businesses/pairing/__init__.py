"""Suggest complementary partners, pair the room for speed meetings and propose ecosystems.

Pure functions over plain values: no requests, no database. Scores follow METHOD.md section 3:
what one offers that the other needs (both ways), reciprocity, sector affinity, shared interest in
the same ideas, different realms, minus a penalty for pure competitors and for distance. As a
process leader reads a profile, an exact need-offer match counts most; an offer that serves a need
of another kind (a booking channel for "more visitors", a photographer for "marketing") and an offer
close to a need (a guided tour for "outdoor activities") count for less; ties go to the more exact
fit. Candidates come from exact and serving matches, shared ideas and a bounded number of sector
affinity partners; a close offer only adds to a candidate's score. Large regions score candidates
as sparse tag matrices block by block and keep each business's best edges.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from io import BytesIO

import networkx as nx
import numpy as np
from scipy import sparse

from method import taxonomy


@dataclass(frozen=True)
class Weights:
    """The score's terms; starting values from the method, tuned on the labelled benchmark."""

    match: float = 1.0
    reciprocity: float = 1.0
    affinity: float = 2.0
    shared_interest: float = 2.0
    different_realms: float = 0.25
    competitor: float = 1.5
    pool_beds: float = 1.0
    km_per_point: float = 50.0
    max_distance: float = 0.5
    other_municipality: float = 0.5  # stands in for distance when places have no coordinates
    same_municipality: float = 0.0  # neighbours are easier to introduce and to package
    assumed_match: float = 0.5  # tags assumed from a sector count for less than stated ones
    close: float = 0.5  # an offer close to the need (taxonomy `related`), per tag
    serves: float = 0.5  # an offer that serves a need of another kind (taxonomy `serves`)


WEIGHTS = Weights()
STRONG_AFFINITY = 0.6  # groups this close are candidates even when no tag meets
AFFINITY_FILL = 10  # a business with fewer candidates than this gets affinity candidates
AFFINITY_FANOUT = 10  # at most this many businesses per strongly related group
MATRIX_FROM = 400  # from this many businesses on, candidates are scored as matrices
EXACT_MATCHING_UP_TO = 60  # present people up to which the speed-meeting pairing is exact
TOP_SAFE = 3  # no competitor among the first suggestions
_BLOCK = 256
_CHUNK = 32
_NONE = 1e9  # added to the single-precision score of pairs that are no candidates
_BEDS, _GROUP_BEDS = "accommodation", "group_accommodation"
_SUPPORT_GROUPS = ("enablers", "community")
_TOURIST_SERVICES = frozenset(
    t.key for t in taxonomy.tags() if t.role == "reason_to_go" or t.grp == "mob"
)


@dataclass(frozen=True)
class Profile:
    """What pairing knows of one business: canonical tags, ideas it wants to work on, place."""

    id: str
    name: str
    group: str | None = None
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()  # ids of ideas the business wants to work on
    realms: frozenset[str] = frozenset()  # entertainment, educational, esthetic, escapist
    municipality: str = ""
    lat: float | None = None
    lon: float | None = None
    assumed: bool = False  # offers and needs are the sector's defaults, not the business's words


@dataclass(frozen=True)
class Reason:
    """One reason two businesses (or an ecosystem) fit, as data; `explain` words it."""

    kind: str  # a key of method/data/reasons.yaml
    giver: str = ""  # business names
    taker: str = ""
    tag: str = ""  # a tag key (the need)
    idea: str = ""  # an idea id
    group_a: str = ""  # sector group keys
    group_b: str = ""
    product: str = ""  # a joint product key
    parts: tuple[str, ...] = ()  # day parts (stay, eat, do, buy)
    offer: str = ""  # a tag key: the offer that comes close to the need


@dataclass(frozen=True)
class PairScore:
    """The raw score of a pair (may be negative), its reasons, and whether they compete."""

    score: float
    reasons: tuple[Reason, ...]
    competitor: bool


@dataclass(frozen=True)
class Suggestion:
    """A suggested partner, best first in its list; score is clipped at zero.

    Reasons are worked out when first read, so ranking many businesses costs no wording.
    """

    partner_id: str
    score: float
    given_reasons: tuple[Reason, ...] | None = field(default=None, repr=False)
    competitor: bool = False
    source: Callable[[], tuple[Reason, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """Why this partner fits, most specific first."""
        if self.given_reasons is not None:
            return self.given_reasons
        return self.source() if self.source else ()


@dataclass(frozen=True)
class Meeting:
    """A speed-meeting round: pairs (and one trio when the room is odd) and the total weight."""

    groups: tuple[tuple[str, ...], ...]
    weight: float
    exact: bool


@dataclass(frozen=True)
class Ecosystem:
    """A proposed group of 3-6 businesses, what of a visitor's day it covers, and why."""

    members: tuple[str, ...]
    coverage: tuple[str, ...]  # covered day parts, in stay/eat/do/buy order
    missing: tuple[str, ...]
    roles: tuple[str, ...]
    viable: bool  # a reason to go, a base service and market access
    score: float
    reasons: tuple[Reason, ...]


# --- one pair ---------------------------------------------------------------------------------


@cache
def _tag_weight(key: str) -> float:
    return taxonomy.tag(key).weight if taxonomy.is_tag(key) else 1.0


@cache
def _affinity(group_a: str | None, group_b: str | None) -> tuple[float, str | None]:
    return taxonomy.affinity(group_a, group_b)


@cache
def _related(key: str) -> frozenset[str]:
    return taxonomy.related(key) if taxonomy.is_tag(key) else frozenset()


@cache
def _serves(key: str) -> frozenset[str]:
    return taxonomy.serves(key) if taxonomy.is_tag(key) else frozenset()


@lru_cache(maxsize=1 << 16)
def _served_needs(p: Profile) -> frozenset[str]:
    """Return the needs of other kinds that what a business offers serves."""
    return frozenset(t for offer in p.offers for t in _serves(offer)) - p.offers


@lru_cache(maxsize=1 << 16)
def _close_offers(p: Profile) -> frozenset[str]:
    """Return the tags close to what a business offers, that it neither offers nor serves."""
    close = frozenset(t for offer in p.offers for t in _related(offer))
    return close - p.offers - _served_needs(p)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def _km(a: Profile, b: Profile) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    unit = _unit(np.array([a.lat, b.lat]), np.array([a.lon, b.lon]))
    return float(_chord_km(*(axis[:1] - axis[1:] for axis in unit))[0])


def _unit(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return points on the unit sphere, so that distances need no trigonometry per pair."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)


def _chord_km(dx: np.ndarray, dy: np.ndarray, dz: np.ndarray) -> np.ndarray:
    """Return great-circle kilometres from the chord between two unit vectors."""
    chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * 6371.0 * np.arcsin(np.minimum(chord / 2, 1.0))


def _pools_beds(a: Profile, b: Profile) -> bool:
    return _BEDS in a.offers and _BEDS in b.offers and _GROUP_BEDS in (a.needs | b.needs)


def _weight(tags: Iterable[str]) -> float:
    return sum(_tag_weight(t) for t in tags)


@dataclass(frozen=True)
class _Flow:
    """What one business gives another: exact need-offer matches, needs its offers serve, and
    offers close to a need."""

    exact: frozenset[str]
    served: frozenset[str]
    close: frozenset[str]

    def value(self, weights: Weights) -> float:
        return (
            _weight(self.exact)
            + weights.serves * _weight(self.served)
            + weights.close * _weight(self.close)
        )


def _flow(giver: Profile, taker: Profile) -> _Flow:
    return _Flow(
        exact=giver.offers & taker.needs,
        served=_served_needs(giver) & taker.needs,
        close=_close_offers(giver) & taker.needs,
    )


def score_pair(a: Profile, b: Profile, weights: Weights = WEIGHTS) -> PairScore:
    """Score how well two businesses complete each other, with one reason per term."""
    return _score(a, b, weights, distance=True)


def _score(a: Profile, b: Profile, weights: Weights, distance: bool) -> PairScore:
    return _score_and_exact(a, b, weights, distance)[0]


def _score_and_exact(
    a: Profile, b: Profile, weights: Weights, distance: bool
) -> tuple[PairScore, float]:
    """Score a pair; also return the weight of exact need-offer matches (the tie-break)."""
    a_gives, b_gives = _flow(a, b), _flow(b, a)
    factor = weights.assumed_match if a.assumed or b.assumed else 1.0
    to_b, to_a = factor * a_gives.value(weights), factor * b_gives.value(weights)
    exact = factor * (_weight(a_gives.exact) + _weight(b_gives.exact))
    score = weights.match * (to_a + to_b)
    reasons = [
        Reason("covers_need", giver=a.name, taker=b.name, tag=t) for t in sorted(a_gives.exact)
    ]
    reasons += [
        Reason("covers_need", giver=b.name, taker=a.name, tag=t) for t in sorted(b_gives.exact)
    ]
    if to_a and to_b:
        score += weights.reciprocity
    shared = a.interests & b.interests
    if shared:
        score += weights.shared_interest * _jaccard(a.interests, b.interests)
        reasons += [Reason("shared_interest", idea=idea) for idea in sorted(shared)]
    weight, product = _affinity(a.group, b.group)
    score += weights.affinity * weight
    if product == "support":
        helper, helped = (b, a) if b.group in _SUPPORT_GROUPS else (a, b)
        reasons.append(Reason("support", group_a=helped.group or "", group_b=helper.group or ""))
    elif product and weight >= 0.5:
        reasons.append(
            Reason("value_chain", group_a=a.group or "", group_b=b.group or "", product=product)
        )
    for giver, taker, flow in ((a, b, a_gives), (b, a, b_gives)):
        reasons += _served_reasons(giver, taker, flow)
    for giver, taker, flow in ((a, b, a_gives), (b, a, b_gives)):
        reasons += _close_reasons(giver, taker, flow)
    if a.realms and b.realms and a.realms != b.realms:
        score += weights.different_realms
    pooled = _pools_beds(a, b)
    if pooled:
        score += weights.pool_beds
        reasons.append(Reason("pool_beds", giver=a.name, taker=b.name))
    # Beds sold with another tourist service may make a package trip: ask who organises it.
    beds_and_service = (_BEDS in a.offers and b.offers & _TOURIST_SERVICES) or (
        _BEDS in b.offers and a.offers & _TOURIST_SERVICES
    )
    if beds_and_service and exact and not pooled:
        reasons.append(Reason("package_check"))
    competitor = (
        a.group is not None
        and a.group == b.group
        and not to_a
        and not to_b
        and not pooled
        and _jaccard(a.offers, b.offers) > 0.5
    )
    if competitor:
        score -= weights.competitor
        reasons.append(Reason("competitor"))
    km = _km(a, b) if distance else None
    if km is not None:
        score -= min(weights.max_distance, km / weights.km_per_point)
    elif distance and a.municipality and b.municipality and a.municipality != b.municipality:
        score -= weights.other_municipality
    if distance and a.municipality and a.municipality == b.municipality:
        score += weights.same_municipality
    return PairScore(score, tuple(reasons), competitor), exact


def _served_reasons(giver: Profile, taker: Profile, flow: _Flow) -> list[Reason]:
    """Word the offers that serve a need of another kind, after the exact matches."""
    return [
        Reason(
            "serves_need",
            giver=giver.name,
            taker=taker.name,
            tag=need,
            offer=min(t for t in giver.offers if need in _serves(t)),
        )
        for need in sorted(flow.served)
    ]


def _close_reasons(giver: Profile, taker: Profile, flow: _Flow) -> list[Reason]:
    """Word the offers that come close to a need, after the exact matches."""
    return [
        Reason(
            "close_need",
            giver=giver.name,
            taker=taker.name,
            tag=need,
            offer=min(t for t in giver.offers if need in _related(t)),
        )
        for need in sorted(flow.close)
    ]


def explain(reason: Reason, lang: str = "nb", ideas: Mapping[str, str] | None = None) -> str:
    """Word a reason in lang (nb, sv, da, fi, en) with tag, sector and product labels."""
    template = taxonomy.reason_template(reason.kind, lang)
    parts = ", ".join(_lower(taxonomy.day_part_label(p, lang)) for p in reason.parts)
    text = template.format(
        giver=reason.giver,
        taker=reason.taker,
        a=reason.giver,
        b=reason.taker,
        tag=_lower(taxonomy.tag_label(reason.tag, lang)) if reason.tag else "",
        offer=_lower(taxonomy.tag_label(reason.offer, lang)) if reason.offer else "",
        idea=(ideas or {}).get(reason.idea, reason.idea),
        group_a=_lower(taxonomy.group_label(reason.group_a, lang)),
        group_b=_lower(taxonomy.group_label(reason.group_b, lang)),
        product=taxonomy.product_label(reason.product, lang) if reason.product else "",
        parts=parts,
    )
    return text[:1].upper() + text[1:]


def _lower(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence (VR/AR keeps its capitals)."""
    return label[:1].lower() + label[1:]


# --- candidates -------------------------------------------------------------------------------


def candidate_pairs(profiles: Sequence[Profile]) -> set[tuple[int, int]]:
    """Return index pairs (i < j) worth scoring, found through inverted indexes, never all pairs.

    A pair is a candidate when an offer meets a need exactly (or serves it), when both want to work on the same
    idea, or (for a business with few such candidates, and a bounded number) when their sectors
    often make products together. An offer only close to a need adds to a candidate's score but
    never makes a candidate by itself: close tags would make most pairs of a region candidates.
    """
    offered: dict[str, list[int]] = defaultdict(list)
    needed: dict[str, list[int]] = defaultdict(list)
    interested: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for t in p.offers | _served_needs(p):
            offered[t].append(i)
        for t in p.needs:
            needed[t].append(i)
        for idea in p.interests:
            interested[idea].append(i)
    pairs: set[tuple[int, int]] = set()
    for t, takers in needed.items():
        for i in offered.get(t, ()):
            pairs.update((min(i, j), max(i, j)) for j in takers if i != j)
    for members in interested.values():
        pairs.update((i, j) for x, i in enumerate(members) for j in members[x + 1 :])
    for i, j in _fill(profiles):
        pairs.add((min(i, j), max(i, j)))
    return pairs


def _fill(profiles: Sequence[Profile]) -> list[tuple[int, int]]:
    """Return the bounded affinity candidates of businesses with few tag or idea candidates."""
    counts = _raw_candidate_counts(profiles)
    return _affinity_candidates(profiles, [i for i, k in enumerate(counts) if k < AFFINITY_FILL])


def _raw_candidate_counts(profiles: Sequence[Profile]) -> list[int]:
    """Count each business's exact tag and idea candidates, repeats included (no pairs built)."""
    offering: dict[str, int] = defaultdict(int)
    needing: dict[str, int] = defaultdict(int)
    interested: dict[str, int] = defaultdict(int)
    for p in profiles:
        for t in p.offers | _served_needs(p):
            offering[t] += 1
        for t in p.needs:
            needing[t] += 1
        for idea in p.interests:
            interested[idea] += 1
    return [
        sum(needing[t] - (t in p.needs) for t in p.offers | _served_needs(p))
        + sum(offering[t] - (t in p.offers) for t in p.needs)
        + sum(interested[idea] - 1 for idea in p.interests)
        for p in profiles
    ]


def _affinity_candidates(
    profiles: Sequence[Profile], needy: Iterable[int]
) -> list[tuple[int, int]]:
    """Pair each needy business with a bounded number of businesses in strongly related groups."""
    by_group: dict[str | None, list[int]] = defaultdict(list)
    by_place: dict[tuple[str | None, str], list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        by_group[p.group].append(i)
        if p.municipality:
            by_place[(p.group, p.municipality)].append(i)
    found = []
    for i in needy:
        p = profiles[i]
        if p.group is None:
            continue
        for group in by_group:
            if group is None or group == p.group or _affinity(p.group, group)[0] < STRONG_AFFINITY:
                continue
            near = by_place.get((group, p.municipality), []) if p.municipality else []
            chosen: list[int] = []
            seen: set[int] = set()
            for j in [*near, *by_group[group]]:
                if j != i and j not in seen:
                    seen.add(j)
                    chosen.append(j)
                    if len(chosen) == AFFINITY_FANOUT:
                        break
            found += [(i, j) for j in chosen]
    return found


# --- scoring many pairs at once -------------------------------------------------------------


class _Matrices:
    """Profiles as sparse tag matrices and arrays, so that many pairs score at once.

    Offers, close offers and needs are CSR matrices (businesses x tags), the needs weighted by
    their tag's group weight: what r gives c exactly is row r of `offers` times row c of `needs`.
    `near` scores a block of rows against everyone in single precision to find each row's best
    candidates; `pairs` then scores those pairs exactly as score_pair does.
    """

    def __init__(self, profiles: Sequence[Profile], weights: Weights) -> None:
        self.profiles = profiles
        self.weights = weights
        n = len(profiles)
        closes = [_close_offers(p) for p in profiles]
        served = [_served_needs(p) for p in profiles]
        vocabulary = sorted(
            {t for p in profiles for t in p.offers | p.needs}.union(*closes, *served)
        )
        column = {t: k for k, t in enumerate(vocabulary)}
        tag_weights = np.array([_tag_weight(t) for t in vocabulary], dtype=float)
        width = len(vocabulary)
        self.offers = _incidence([p.offers for p in profiles], column, n, width)
        self.close = _incidence(closes, column, n, width)
        self.served = _incidence(served, column, n, width)
        self.needs = (
            (_incidence([p.needs for p in profiles], column, n, width))
            .multiply(tag_weights[None, :])
            .tocsr()
        )
        # For `near`, in single precision: sparse rows times dense transposes (tags x businesses).
        left = (self.offers + weights.serves * self.served + weights.close * self.close).tocsr()
        self.left32, self.needs32 = left.astype(np.float32), self.needs.astype(np.float32)
        self.left_t = left.T.toarray().astype(np.float32)
        self.needs_t = self.needs.T.toarray().astype(np.float32)
        meets = self.offers + self.served  # exact offers and the needs they serve
        self.both32 = sparse.hstack([meets, self.needs]).tocsr().astype(np.float32)
        self.both_t = sparse.hstack([self.needs, meets]).T.toarray().astype(np.float32)
        # For `pairs`, dense rows in double precision.
        self.offers_d, self.close_d = self.offers.toarray(), self.close.toarray()
        self.served_d = self.served.toarray()
        self.needs_d = self.needs.toarray()
        self.offer_count = np.asarray(self.offers.sum(axis=1)).ravel()
        ideas = sorted({i for p in profiles for i in p.interests})
        self.interests = _incidence(
            [p.interests for p in profiles], {x: k for k, x in enumerate(ideas)}, n, len(ideas)
        )
        self.interests_t = self.interests.T.tocsr()
        self.interest_count = np.array([len(p.interests) for p in profiles], dtype=float)
        names = sorted({p.group for p in profiles if p.group})
        group_id = {g: k for k, g in enumerate(names)}
        # The last row and column of the affinity table stand for "no group".
        self.group = np.array([group_id.get(p.group, len(names)) for p in profiles], dtype=np.intp)
        self.no_group = len(names)
        size = len(names) + 1
        self.affinity = np.zeros((size, size))
        for x, ga in enumerate(names):
            for y, gb in enumerate(names):
                self.affinity[x, y] = _affinity(ga, gb)[0]
        realms = sorted({r for p in profiles for r in p.realms})
        bit = {r: 1 << k for k, r in enumerate(realms)}
        self.realms = np.array([sum(bit[r] for r in p.realms) for p in profiles], dtype=np.int64)
        self.beds = np.array([_BEDS in p.offers for p in profiles])
        self.group_beds = np.array([_GROUP_BEDS in p.needs for p in profiles])
        self._kinds()
        self.lat = np.array([np.nan if p.lat is None else p.lat for p in profiles], dtype=float)
        self.lon = np.array([np.nan if p.lon is None else p.lon for p in profiles], dtype=float)
        self.has_point = np.isfinite(self.lat) & np.isfinite(self.lon)
        self.located = bool(self.has_point.any())
        places = sorted({p.municipality for p in profiles if p.municipality})
        place_id = {m: k for k, m in enumerate(places)}
        self.place = np.array([place_id.get(p.municipality, -1) for p in profiles], dtype=np.intp)
        self.placed = bool((self.place >= 0).any())
        self.assumed = np.array([p.assumed for p in profiles])
        self.unit = _unit(self.lat, self.lon)
        points = np.nan_to_num(np.column_stack(self.unit))
        if self.located:
            points -= points[self.has_point].mean(axis=0)
        points *= 6371.0 / weights.km_per_point
        norms = (points * points).sum(axis=1)
        ones = np.ones(n)
        self.where_r = sparse.csr_matrix(np.column_stack([points, norms, ones]).astype(np.float32))
        self.where_c = np.vstack([-2 * points.T, ones, norms]).astype(np.float32)

    def _kinds(self) -> None:
        """Sort businesses into kinds (group, realms, beds) and tabulate what kinds add to a pair.

        Sector affinity, different realms and pooled beds depend on nothing else, so a block adds
        them as one row per business of `kind_columns` (kinds x businesses).
        """
        w = self.weights
        key = np.stack([self.group, self.realms, self.beds, self.group_beds], axis=1)
        kinds, self.kind = np.unique(key, axis=0, return_inverse=True)
        self.kind = self.kind.ravel()
        table = np.zeros((len(kinds), len(self.group)), dtype=np.float32)
        for k, (group, realm, beds, group_beds) in enumerate(kinds):
            row = w.affinity * self.affinity[group, self.group]
            row += w.different_realms * ((realm != 0) & (self.realms != 0) & (self.realms != realm))
            row += w.pool_beds * (beds & self.beds & (bool(group_beds) | self.group_beds))
            table[k] = row
        self.kind_columns = table

    def near(self, rows: slice) -> np.ndarray:
        """Return, for rows against everyone, the score in single precision.

        Pairs where no offer meets a need exactly get about -_NONE. The others can never be competitors,
        and their shared ideas add at most `shared_interest`: `_edges_by_matrix` scores pairs
        with a shared idea, and the affinity candidates, exactly.
        """
        w = self.weights
        exact = self.both32[rows] @ self.both_t  # what r gives c plus what c gives r, exactly
        gives = self.left32[rows] @ self.needs_t
        gets = self.needs32[rows] @ self.left_t
        if self.assumed.any():
            factor = np.where(self.assumed, w.assumed_match, 1.0).astype(np.float32)
            factor = np.where(self.assumed[rows, None], np.float32(w.assumed_match), factor)
            gives *= factor
            gets *= factor
        score = gives + gets
        if w.match != 1.0:
            score *= w.match
        np.minimum(gives, gets, out=gives)
        score += np.float32(w.reciprocity) * (gives > 0)
        score += self.kind_columns[self.kind[rows]]
        self._place_terms(rows, score)
        score += np.float32(-_NONE) * (exact <= 0)
        return score

    def _place_terms(self, rows: slice, score: np.ndarray) -> None:
        """Add the terms of place in single precision: distance, else municipalities."""
        w = self.weights
        both: np.ndarray | bool = False
        if self.located:
            # In penalty units, |a - b|^2 = |a|^2 + |b|^2 - 2 a.b in one product, on points
            # centred on the region so that little cancels; a chord is shorter than its arc by
            # far less than the pruning slack at these ranges.
            chord = self.where_r[rows] @ self.where_c  # sparse times dense: no thread start-up
            np.maximum(chord, 0.0, out=chord)
            np.sqrt(chord, out=chord)
            np.minimum(chord, np.float32(w.max_distance), out=chord)
            if not self.has_point.all():
                both = self.has_point[rows, None] & self.has_point[None, :]
                chord *= both
            score -= chord
        if self.placed:
            pr, pc = self.place[rows, None], self.place[None, :]
            if w.other_municipality and not self.has_point.all():
                apart = (pr >= 0) & (pc >= 0) & (pr != pc) & ~both
                score -= np.float32(w.other_municipality) * apart
            if w.same_municipality:
                score += np.float32(w.same_municipality) * ((pr >= 0) & (pr == pc))

    def pairs(self, r: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return score_pair's score, competitor flag and exact match weight of pairs (r, c)."""
        w = self.weights
        offers_r, offers_c = self.offers_d[r], self.offers_d[c]
        needs_r, needs_c = self.needs_d[r], self.needs_d[c]
        exact_gives = np.einsum("ij,ij->i", offers_r, needs_c)
        exact_gets = np.einsum("ij,ij->i", needs_r, offers_c)
        gives = exact_gives + w.close * np.einsum("ij,ij->i", self.close_d[r], needs_c)
        gets = exact_gets + w.close * np.einsum("ij,ij->i", needs_r, self.close_d[c])
        gives += w.serves * np.einsum("ij,ij->i", self.served_d[r], needs_c)
        gets += w.serves * np.einsum("ij,ij->i", needs_r, self.served_d[c])
        factor = np.where(self.assumed[r] | self.assumed[c], w.assumed_match, 1.0)
        gives, gets, exact = factor * gives, factor * gets, factor * (exact_gives + exact_gets)
        score = w.match * (gives + gets)
        score += w.reciprocity * ((gives > 0) & (gets > 0))
        shared = _rowdot(self.interests, self.interests, r, c)
        some = np.flatnonzero(shared)
        if len(some):
            union = self.interest_count[r[some]] + self.interest_count[c[some]] - shared[some]
            score[some] += w.shared_interest * shared[some] / union
        score += w.affinity * self.affinity[self.group[r], self.group[c]]
        ra, rb = self.realms[r], self.realms[c]
        score += w.different_realms * ((ra != 0) & (rb != 0) & (ra != rb))
        pooled = self.beds[r] & self.beds[c] & (self.group_beds[r] | self.group_beds[c])
        score += w.pool_beds * pooled
        competitor = (self.group[r] == self.group[c]) & (self.group[r] != self.no_group)
        competitor &= (gives == 0) & (gets == 0) & ~pooled
        if competitor.any():
            both = np.einsum("ij,ij->i", offers_r, offers_c)
            either = self.offer_count[r] + self.offer_count[c] - both
            competitor &= both > 0.5 * np.maximum(either, 1)
        score -= w.competitor * competitor
        km = np.full(len(r), np.nan)
        if self.located:
            km = _chord_km(*(axis[r] - axis[c] for axis in self.unit))
            score -= np.where(np.isfinite(km), np.minimum(w.max_distance, km / w.km_per_point), 0)
        if self.placed:
            pr, pc = self.place[r], self.place[c]
            apart = (pr >= 0) & (pc >= 0) & (pr != pc) & ~np.isfinite(km)
            score -= w.other_municipality * apart
            score += w.same_municipality * ((pr >= 0) & (pr == pc))
        return score, competitor, exact

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the full matrix of raw scores and of competitor flags (for small rooms)."""
        n = len(self.profiles)
        r, c = np.triu_indices(n, 1)
        score, competitor, _exact = self.pairs(r, c)
        full, flags = np.zeros((n, n)), np.zeros((n, n), dtype=bool)
        full[r, c] = full[c, r] = score
        flags[r, c] = flags[c, r] = competitor
        return full, flags


def _rowdot(left: sparse.csr_matrix, right: sparse.csr_matrix, r: np.ndarray, c: np.ndarray):
    """Return the dot product of row r[k] of left with row c[k] of right, for every k."""
    return np.asarray(left[r].multiply(right[c]).sum(axis=1)).ravel()


def _incidence(
    sets: Sequence[frozenset[str]], column: Mapping[str, int], n: int, width: int
) -> sparse.csr_matrix:
    rows = [i for i, s in enumerate(sets) for _ in s]
    cols = [column[x] for s in sets for x in s]
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, width))


def score_matrix(profiles: Sequence[Profile], weights: Weights = WEIGHTS) -> np.ndarray:
    """Return every pair's raw score as a symmetric matrix (the diagonal is zero)."""
    return _Matrices(profiles, weights).dense()[0]


# --- top partners ---------------------------------------------------------------------------

_Edge = tuple[float, int, bool, float]  # (score, partner index, competitor, exact match weight)


def _edges_by_index(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs one by one (small regions)."""
    edges: list[list[_Edge]] = [[] for _ in profiles]
    for i, j in candidate_pairs(profiles):
        result, exact = _score_and_exact(profiles[i], profiles[j], weights, distance=True)
        if result.score > 0:
            edges[i].append((result.score, j, result.competitor, exact))
            edges[j].append((result.score, i, result.competitor, exact))
    return [_best(profiles, e, keep) for e in edges]


def _edges_by_matrix(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs block by block (large regions); the same answer as _edges_by_index.

    The candidates are candidate_pairs': pairs where an offer meets a need or an idea is shared,
    plus the bounded affinity candidates; every other pair is masked out. A pass in single
    precision keeps each row's best (ties and a small slack included), which are then scored
    exactly. The order is _best's: score, then exact matches, then name.
    """
    m = _Matrices(profiles, weights)
    n = len(profiles)
    fill = _fill(profiles)
    special = sparse.csr_matrix((n, n), dtype=bool)
    if fill:
        fr, fc = np.array(fill).T
        special = sparse.csr_matrix(
            (
                np.ones(2 * len(fr), dtype=bool),
                (np.concatenate([fr, fc]), np.concatenate([fc, fr])),
            ),
            shape=(n, n),
        )
    shared_all = (m.interests @ m.interests_t).astype(bool)
    special = (special + shared_all).tocsr()
    special.setdiag(False)
    special.eliminate_zeros()
    room = keep + TOP_SAFE
    slack = 1e-2  # far above single precision's error on these sums and distances
    found: list[tuple[np.ndarray, ...]] = []
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        near = m.near(slice(start, stop))  # about -_NONE where no offer meets a need
        extra = special[start:stop].tocoo()
        if extra.nnz:
            # Pairs made candidates by an idea or affinity alone may compete: score them exactly.
            near[extra.row, extra.col] = m.pairs(extra.row + start, extra.col)[0]
        near[np.arange(stop - start), np.arange(start, stop)] = -np.inf  # never oneself
        bar = np.full(stop - start, -slack, dtype=np.float32)
        width = n - n % _CHUNK
        if width // _CHUNK + n - width > room:
            # The room-th best of the maxima of disjoint groups of columns is at most a row's
            # room-th best score, so pairs below it (less the slack) never reach the row's top.
            tops = near[:, :width].reshape(stop - start, _CHUNK, width // _CHUNK).max(axis=1)
            tops = np.concatenate([tops, near[:, width:]], axis=1)
            cut = np.partition(tops, tops.shape[1] - room, axis=1)[:, tops.shape[1] - room]
            bar = np.maximum(bar, cut - slack)
        r, c = np.nonzero(near >= bar[:, None])
        r += start
        score, rival, exact = m.pairs(r, c)
        chosen = _top_per_row(r, score, room)
        found.append((r[chosen], c[chosen], score[chosen], rival[chosen], exact[chosen]))
    r, c, score, rival, exact = (np.concatenate(parts) for parts in zip(*found, strict=True))
    name_rank = np.empty(n, dtype=np.int64)
    name_rank[sorted(range(n), key=lambda k: (profiles[k].name, k))] = np.arange(n)
    order = np.lexsort((name_rank[c], -np.round(exact, 9), -np.round(score, 9), r))
    r, c, score, rival, exact = r[order], c[order], score[order], rival[order], exact[order]
    bounds = np.searchsorted(r, np.arange(n + 1))
    columns, scores, rivals, exacts = c.tolist(), score.tolist(), rival.tolist(), exact.tolist()
    edges: list[list[_Edge]] = []
    for i in range(n):
        lo, hi = int(bounds[i]), int(bounds[i + 1])
        if not any(rivals[lo:hi]):
            hi = min(hi, lo + keep)
        row = list(zip(scores[lo:hi], columns[lo:hi], rivals[lo:hi], exacts[lo:hi], strict=True))
        edges.append(_safe_first(row, keep) if any(rivals[lo:hi]) else row)
    return edges


def _top_per_row(r: np.ndarray, score: np.ndarray, room: int) -> np.ndarray:
    """Return the indices of each row's positive scores among its best `room`, ties included."""
    positive = np.flatnonzero(score > 0)
    r, score = r[positive], score[positive]
    order = np.lexsort((-score, r))
    r, score, positive = r[order], score[order], positive[order]
    start = np.searchsorted(r, r)  # where each entry's row begins
    rank = np.arange(len(r)) - start
    last = start + np.minimum(room, np.bincount(r)[r]) - 1  # the row's room-th best, or its last
    return positive[(rank < room) | (score >= score[last] - 1e-9)]


def _best(profiles: Sequence[Profile], edges: list[_Edge], keep: int) -> list[_Edge]:
    """Order a business's edges best first, no competitor in the first three.

    Ties go to the partner with more exact need-offer matches (the more specific fit), then by
    name.
    """
    ordered = sorted(
        edges, key=lambda e: (-round(e[0], 9), -round(e[3], 9), profiles[e[1]].name, e[1])
    )
    return _safe_first(ordered, keep)


def _safe_first(ordered: list[_Edge], keep: int) -> list[_Edge]:
    """Move competitors of an ordered list below the first three other partners."""
    safe = [e for e in ordered if not e[2]]
    if len(safe) < TOP_SAFE:
        return safe[:keep]
    chosen = set(map(id, safe[:TOP_SAFE]))
    return (safe[:TOP_SAFE] + [e for e in ordered if id(e) not in chosen])[:keep]


def partner_edges(
    profiles: Sequence[Profile], keep: int = 10, weights: Weights = WEIGHTS
) -> list[list[_Edge]]:
    """Return each business's best candidate edges as (score, partner, competitor, exact)."""
    if len(profiles) >= MATRIX_FROM:
        return _edges_by_matrix(profiles, keep, weights)
    return _edges_by_index(profiles, keep, weights)


def top_partners(
    profiles: Sequence[Profile], k: int = 5, weights: Weights = WEIGHTS
) -> dict[str, list[Suggestion]]:
    """Return each business's k best partners, best first; reasons are worded when read."""
    return suggest(profiles, partner_edges(profiles, k, weights), weights)


def suggest(
    profiles: Sequence[Profile], edges: Sequence[Sequence[_Edge]], weights: Weights = WEIGHTS
) -> dict[str, list[Suggestion]]:
    """Turn partner_edges' answer into suggestions by business id."""
    result: dict[str, list[Suggestion]] = {}
    for i, row in enumerate(edges):
        result[profiles[i].id] = [
            Suggestion(
                profiles[j].id,
                max(0.0, score),
                competitor=competitor,
                source=_reasons_of(profiles[min(i, j)], profiles[max(i, j)], weights),
            )
            for score, j, competitor, _exact in row
        ]
    return result


def _reasons_of(a: Profile, b: Profile, weights: Weights) -> Callable[[], tuple[Reason, ...]]:
    return lambda: _score(a, b, weights, distance=False).reasons


def build_graph(
    profiles: Sequence[Profile],
    keep: int = 10,
    weights: Weights = WEIGHTS,
    edges: Sequence[Sequence[_Edge]] | None = None,
) -> nx.Graph:
    """Build the weighted partner graph: every business, and each one's best `keep` edges."""
    graph = nx.Graph()
    for p in profiles:
        graph.add_node(p.id, name=p.name, group=p.group or "")
    for i, row in enumerate(edges if edges is not None else partner_edges(profiles, keep, weights)):
        for score, j, competitor, _exact in row:
            if not competitor:
                graph.add_edge(profiles[i].id, profiles[j].id, weight=score)
    return graph


# --- speed meetings ---------------------------------------------------------------------------


def speed_meeting(
    present: Sequence[Profile],
    weights: Weights = WEIGHTS,
    exact_up_to: int = EXACT_MATCHING_UP_TO,
) -> Meeting:
    """Pair everyone present for a speed-meeting round, maximising the total pair score.

    The input graph is complete (pairs with nothing in common weigh zero); up to `exact_up_to`
    people the matching is exact, above it greedy plus pair swaps. An odd person out joins the
    pair where they add the most, making one trio.
    """
    n = len(present)
    if n < 2:
        return Meeting(tuple((p.id,) for p in present), 0.0, True)
    matrix = np.clip(_Matrices(present, weights).dense()[0], 0, None)
    exact = n <= exact_up_to
    pairs = _exact_matching(matrix) if exact else _greedy_matching(matrix)
    matched = {i for pair in pairs for i in pair}
    groups = [list(pair) for pair in pairs]
    for x in (i for i in range(n) if i not in matched):
        best = max(groups, key=lambda g: (sum(matrix[x, y] for y in g), -g[0]))
        best.append(x)
    total = sum(
        matrix[g[a], g[b]] for g in groups for a in range(len(g)) for b in range(a + 1, len(g))
    )
    ids = tuple(tuple(present[i].id for i in g) for g in groups)
    return Meeting(ids, float(total), exact)


def _exact_matching(matrix: np.ndarray) -> list[tuple[int, int]]:
    graph = nx.Graph()
    n = len(matrix)
    # A tiny constant keeps zero-weight pairs in play so that everyone gets a partner.
    graph.add_weighted_edges_from(
        (i, j, matrix[i, j] + 1e-6) for i in range(n) for j in range(i + 1, n)
    )
    return sorted(
        tuple(sorted(pair)) for pair in nx.max_weight_matching(graph, maxcardinality=True)
    )


def _greedy_matching(matrix: np.ndarray, rounds: int = 2000) -> list[tuple[int, int]]:
    """Match heaviest pairs first, then swap partners between two pairs while that gains."""
    n = len(matrix)
    r, c = np.triu_indices(n, 1)
    order = np.argsort(-matrix[r, c], kind="stable")
    free = np.ones(n, dtype=bool)
    pairs = []
    for k in order:
        i, j = r[k], c[k]
        if free[i] and free[j]:
            free[i] = free[j] = False
            pairs.append((int(i), int(j)))
            if len(pairs) == n // 2:
                break
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    for _ in range(rounds):
        current = matrix[a, b]
        base = current[:, None] + current[None, :]
        cross = matrix[np.ix_(a, a)] + matrix[np.ix_(b, b)] - base  # a_i-a_j and b_i-b_j
        swap = matrix[np.ix_(a, b)] + matrix[np.ix_(b, a)] - base  # a_i-b_j and b_i-a_j
        np.fill_diagonal(cross, 0)
        np.fill_diagonal(swap, 0)
        best_cross, best_swap = cross.max(), swap.max()
        if max(best_cross, best_swap) <= 1e-9:
            break
        if best_cross >= best_swap:
            i, j = np.unravel_index(np.argmax(cross), cross.shape)
            a[i], b[i], a[j], b[j] = a[i], a[j], b[i], b[j]
        else:
            i, j = np.unravel_index(np.argmax(swap), swap.shape)
            a[i], b[i], a[j], b[j] = a[i], b[j], b[i], a[j]
    return sorted(tuple(sorted((int(x), int(y)))) for x, y in zip(a, b, strict=True))


def matching_weight(matrix: np.ndarray, groups: Iterable[Sequence[int]]) -> float:
    """Return the summed weight of every pair inside the given groups."""
    return float(
        sum(matrix[g[x], g[y]] for g in groups for x in range(len(g)) for y in range(x + 1, len(g)))
    )


# --- ecosystems -------------------------------------------------------------------------------


def _day_parts(p: Profile) -> set[str]:
    parts = {taxonomy.tag(t).day for t in p.offers if taxonomy.is_tag(t)} - {""}
    if not parts and p.group:
        group = next((g for g in taxonomy.groups() if g.key == p.group), None)
        if group and group.day:
            parts.add(group.day)
    return parts


def _roles(p: Profile) -> set[str]:
    return {taxonomy.tag(t).role for t in p.offers if taxonomy.is_tag(t)}


def ecosystems(
    profiles: Sequence[Profile],
    graph: nx.Graph | None = None,
    seed: int = 0,
    sizes: tuple[int, int] = (3, 6),
    weights: Weights = WEIGHTS,
) -> list[Ecosystem]:
    """Propose groups of 3-6 businesses that together cover a visitor's day (stay, eat, do, buy).

    Communities come from Louvain on the partner graph (seeded, so repeatable); large ones are
    split and small ones joined to their closest neighbour. Best covering proposals first.
    """
    low, high = sizes
    graph = graph if graph is not None else build_graph(profiles, keep=6, weights=weights)
    by_id = {p.id: p for p in profiles}
    # One Louvain level is enough: proposals are small, and deeper levels only merge them.
    communities = [
        set(c)
        for c in nx.community.louvain_communities(graph, weight="weight", seed=seed, max_level=1)
    ]
    sized: list[set[str]] = []
    for community in communities:
        sized += _split(graph, community, high, seed)
    sized = _merge_small(graph, sized, low, high)
    proposals = [
        _proposal(graph, [by_id[x] for x in sorted(c, key=lambda x: by_id[x].name)], weights)
        for c in sized
        if low <= len(c) <= high
    ]
    return sorted(proposals, key=lambda e: (-len(e.coverage), -e.score, e.members))


def _split(
    graph: nx.Graph, community: set[str], high: int, seed: int, depth: int = 0
) -> list[set[str]]:
    """Split a community that is too large: Louvain at a finer resolution, else grow groups."""
    if len(community) <= high:
        return [community]
    sub = graph.subgraph(community)
    if depth < 3 and len(community) <= 20 * high and sub.number_of_edges():
        parts = nx.community.louvain_communities(
            sub, weight="weight", resolution=2.0 ** (depth + 1), seed=seed
        )
        if len(parts) > 1:
            return [s for part in parts for s in _split(graph, set(part), high, seed, depth + 1)]
    return _grow(sub, high)


def _grow(sub: nx.Graph, high: int) -> list[set[str]]:
    """Cut a community into groups of at most `high` by growing around its strongest members."""
    strength = dict(sub.degree(weight="weight"))
    order = sorted(sub, key=lambda x: (-strength[x], str(x)))
    left = set(sub)
    groups = []
    for seed_node in order:
        if seed_node not in left:
            continue
        group = {seed_node}
        left.discard(seed_node)
        gain: dict[str, float] = defaultdict(float)
        newest = seed_node
        while len(group) < high:
            for y, data in sub[newest].items():
                if y in left:
                    gain[y] += data.get("weight", 0.0)
            candidates = [y for y in gain if y in left]
            if not candidates:
                break
            newest = max(candidates, key=lambda y: (gain[y], str(y)))
            group.add(newest)
            left.discard(newest)
        groups.append(group)
    return groups


def _merge_small(graph: nx.Graph, groups: list[set[str]], low: int, high: int) -> list[set[str]]:
    """Join groups smaller than `low` to the neighbouring group they are most tied to."""
    groups = sorted((set(g) for g in groups), key=lambda g: (-len(g), sorted(map(str, g))))
    owner = {x: k for k, g in enumerate(groups) for x in g}
    for k, group in enumerate(groups):
        if not group or len(group) >= low:
            continue
        ties: dict[int, float] = defaultdict(float)
        for x in group:
            for y, data in graph[x].items():
                target = owner.get(y, k)
                if target != k:
                    ties[target] += data.get("weight", 0.0)
        room = [t for t in ties if len(groups[t]) + len(group) <= high]
        if room:
            best = max(room, key=lambda t: (ties[t], -t))
            groups[best] |= group
            for x in group:
                owner[x] = best
            groups[k] = set()
    return [g for g in groups if g]


def _proposal(graph: nx.Graph, members: list[Profile], weights: Weights) -> Ecosystem:
    covered: set[str] = set()
    roles: set[str] = set()
    for p in members:
        covered |= _day_parts(p)
        roles |= _roles(p)
    coverage = tuple(x for x in taxonomy.DAY_PARTS if x in covered)
    missing = tuple(x for x in taxonomy.DAY_PARTS if x not in covered)
    viable = {"reason_to_go", "base_service", "market_access"} <= roles
    internal = [
        (graph[a.id][b.id]["weight"], a, b)
        for x, a in enumerate(members)
        for b in members[x + 1 :]
        if graph.has_edge(a.id, b.id)
    ]
    strength = sum(w for w, _, _ in internal) / len(members)
    reasons = [Reason("covers_day", parts=coverage)] if coverage else []
    if missing:
        reasons.append(Reason("missing_day", parts=missing))
    if viable:
        reasons.append(Reason("viable"))
    if "stay" in covered and len(covered) > 1:
        reasons.append(Reason("package_check"))
    for _, a, b in sorted(internal, key=lambda e: -e[0])[:3]:
        reasons += [r for r in score_pair(a, b, weights).reasons if r.kind == "covers_need"][:1]
    return Ecosystem(
        members=tuple(p.id for p in members),
        coverage=coverage,
        missing=missing,
        roles=tuple(r for r in taxonomy.ROLES if r in roles),
        viable=viable,
        score=round(len(coverage) + strength, 6),
        reasons=tuple(reasons),
    )


# --- figure -------------------------------------------------------------------------------------


def network_figure(
    graph_or_profiles: nx.Graph | Sequence[Profile],
    fmt: str = "png",
    lang: str = "nb",
    max_nodes: int = 80,
    seed: int = 1,
) -> bytes:
    """Draw the partner network (edge width by score, colour by sector) as PNG or SVG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    graph = (
        graph_or_profiles
        if isinstance(graph_or_profiles, nx.Graph)
        else build_graph(list(graph_or_profiles), keep=5)
    )
    if graph.number_of_nodes() > max_nodes:
        strength = dict(graph.degree(weight="weight"))
        keep = sorted(graph, key=lambda x: (-strength[x], str(x)))[:max_nodes]
        graph = graph.subgraph(keep)
    fig = Figure(figsize=(10, 8), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0.14, 1, 0.86))  # the legend goes below, clear of the labels
    ax.set_axis_off()
    if graph.number_of_nodes():
        pos = nx.spring_layout(graph, weight="weight", seed=seed, k=1.6 / math.sqrt(len(graph)))
        edges = list(graph.edges(data="weight", default=1.0))
        if edges:
            top = max(w for _, _, w in edges) or 1.0
            ax.add_collection(
                LineCollection(
                    [(pos[a], pos[b]) for a, b, _ in edges],
                    linewidths=[0.5 + 4.5 * w / top for _, _, w in edges],
                    colors="#7a8794",
                    alpha=0.6,
                    zorder=1,
                )
            )
        group_names = sorted({graph.nodes[x].get("group", "") for x in graph})
        palette = [
            "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
            "#000000", "#999999", "#882255", "#44aa99", "#117733", "#332288", "#aa4499", "#ddcc77",
        ]  # fmt: skip
        colour = {g: palette[k % len(palette)] for k, g in enumerate(group_names)}
        for group in group_names:
            nodes = [x for x in graph if graph.nodes[x].get("group", "") == group]
            ax.scatter(
                [pos[x][0] for x in nodes],
                [pos[x][1] for x in nodes],
                s=260,
                c=colour[group],
                edgecolors="white",
                linewidths=1.5,
                zorder=2,
                label=taxonomy.group_label(group, lang) if group else "?",
            )
        for x in graph:
            ax.annotate(
                str(graph.nodes[x].get("name", x)),
                pos[x],
                xytext=(0, 11),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            )
        fig.legend(loc="lower center", ncol=4, fontsize=8, frameon=False)
        ax.margins(0.12)
    buffer = BytesIO()
    fig.savefig(buffer, format=fmt)
    return buffer.getvalue()
