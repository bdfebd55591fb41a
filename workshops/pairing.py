"""Suggest complementary partners, pair the room for speed meetings and propose ecosystems.

Pure functions over plain values: no requests, no database. Scores follow METHOD.md section 3:
what one offers that the other needs (both ways), reciprocity, sector affinity, shared interest in
the same ideas, different realms, minus a penalty for pure competitors and for distance.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from io import BytesIO

import networkx as nx
import numpy as np
from scipy import sparse

from method import taxonomy


@dataclass(frozen=True)
class Weights:
    """The score's terms; starting values from the method, tuned on the labelled benchmark."""

    match: float = 1.0
    reciprocity: float = 0.5
    affinity: float = 2.0
    shared_interest: float = 2.0
    different_realms: float = 0.25
    competitor: float = 1.5
    pool_beds: float = 1.0
    km_per_point: float = 50.0
    max_distance: float = 0.5
    other_municipality: float = 0.5  # stands in for distance when places have no coordinates
    assumed_match: float = 0.5  # tags assumed from a sector count for less than stated ones


WEIGHTS = Weights()
STRONG_AFFINITY = 0.6  # groups this close are candidates even when no tag meets
AFFINITY_FILL = 10  # a business with fewer candidates than this gets affinity candidates
AFFINITY_FANOUT = 10  # at most this many businesses per strongly related group
MATRIX_FROM = 400  # from this many businesses on, candidates are scored as sparse matrices
EXACT_MATCHING_UP_TO = 60  # present people up to which the speed-meeting pairing is exact
TOP_SAFE = 3  # no competitor among the first suggestions
_BLOCK = 512
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
    tag: str = ""  # a tag key
    idea: str = ""  # an idea id
    group_a: str = ""  # sector group keys
    group_b: str = ""
    product: str = ""  # a joint product key
    parts: tuple[str, ...] = ()  # day parts (stay, eat, do, buy)


@dataclass(frozen=True)
class PairScore:
    """The raw score of a pair (may be negative), its reasons, and whether they compete."""

    score: float
    reasons: tuple[Reason, ...]
    competitor: bool


@dataclass(frozen=True)
class Suggestion:
    """A suggested partner, best first in its list; score is clipped at zero."""

    partner_id: str
    score: float
    reasons: tuple[Reason, ...]
    competitor: bool = False


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


def score_pair(a: Profile, b: Profile, weights: Weights = WEIGHTS) -> PairScore:
    """Score how well two businesses complete each other, with one reason per term."""
    return _score(a, b, weights, distance=True)


def _score(a: Profile, b: Profile, weights: Weights, distance: bool) -> PairScore:
    a_gives, b_gives = a.offers & b.needs, b.offers & a.needs
    to_b = sum(_tag_weight(t) for t in a_gives)
    to_a = sum(_tag_weight(t) for t in b_gives)
    if a.assumed or b.assumed:
        to_a, to_b = to_a * weights.assumed_match, to_b * weights.assumed_match
    score = weights.match * (to_a + to_b)
    reasons = [Reason("covers_need", giver=a.name, taker=b.name, tag=t) for t in sorted(a_gives)]
    reasons += [Reason("covers_need", giver=b.name, taker=a.name, tag=t) for t in sorted(b_gives)]
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
    if beds_and_service and (to_a or to_b) and not pooled:
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
    return PairScore(score, tuple(reasons), competitor)


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

    A pair is a candidate when an offer meets a need, when both want to work on the same idea, or
    (for a business with few such candidates) when their sectors often make products together.
    """
    offered: dict[str, list[int]] = defaultdict(list)
    needed: dict[str, list[int]] = defaultdict(list)
    interested: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for t in p.offers:
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
    counts = _raw_candidate_counts(profiles)
    needy = [i for i, count in enumerate(counts) if count < AFFINITY_FILL]
    for i, j in _affinity_candidates(profiles, needy):
        pairs.add((min(i, j), max(i, j)))
    return pairs


def _raw_candidate_counts(profiles: Sequence[Profile]) -> list[int]:
    """Count each business's tag and idea candidates, repeats included (cheap, no pairs built)."""
    offering: dict[str, int] = defaultdict(int)
    needing: dict[str, int] = defaultdict(int)
    interested: dict[str, int] = defaultdict(int)
    for p in profiles:
        for t in p.offers:
            offering[t] += 1
        for t in p.needs:
            needing[t] += 1
        for idea in p.interests:
            interested[idea] += 1
    return [
        sum(needing[t] - (t in p.needs) for t in p.offers)
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
            for j in [*near, *by_group[group]]:
                if j != i and j not in chosen:
                    chosen.append(j)
                    if len(chosen) == AFFINITY_FANOUT:
                        break
            found += [(i, j) for j in chosen]
    return found


# --- scoring many pairs at once -------------------------------------------------------------


class _Matrices:
    """Profiles as arrays and sparse matrices, so many pairs score in one vectorised pass."""

    def __init__(self, profiles: Sequence[Profile], weights: Weights) -> None:
        self.profiles = profiles
        self.weights = weights
        n = len(profiles)
        vocabulary = sorted({t for p in profiles for t in p.offers | p.needs})
        column = {t: k for k, t in enumerate(vocabulary)}
        tag_weights = np.array([_tag_weight(t) for t in vocabulary], dtype=float)
        self.offers = _incidence([p.offers for p in profiles], column, n, len(vocabulary))
        self.needs = _incidence([p.needs for p in profiles], column, n, len(vocabulary))
        diag = sparse.diags(tag_weights) if vocabulary else sparse.csr_matrix((0, 0))
        self.weighted_offers_t = (self.offers @ diag).T.tocsr()
        self.weighted_needs_t = (self.needs @ diag).T.tocsr()
        ideas = sorted({i for p in profiles for i in p.interests})
        self.interests = _incidence(
            [p.interests for p in profiles], {x: k for k, x in enumerate(ideas)}, n, len(ideas)
        )
        self.interests_t = self.interests.T.tocsr()
        # One product gives, per pair, twice the weight given + twice the weight received × 128
        # + shared ideas × 2^14: whole numbers that decode exactly (see _edges_by_matrix).
        self.packed_left = sparse.hstack(
            [self.offers * 2.0, self.needs * 256.0, self.interests * 16384.0]
        ).tocsr()
        self.packed_right = sparse.vstack(
            [self.weighted_needs_t, self.weighted_offers_t, self.interests_t]
        ).tocsr()
        self.interest_count = np.array([len(p.interests) for p in profiles], dtype=float)
        names = sorted({p.group for p in profiles if p.group})
        group_id = {g: k for k, g in enumerate(names)}
        # The last row and column of the affinity table stand for "no group".
        self.group = np.array([group_id.get(p.group, len(names)) for p in profiles], dtype=np.intp)
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
        self.lat = np.array([np.nan if p.lat is None else p.lat for p in profiles], dtype=float)
        self.lon = np.array([np.nan if p.lon is None else p.lon for p in profiles], dtype=float)
        self.located = bool(np.isfinite(self.lat).any())
        places = sorted({p.municipality for p in profiles if p.municipality})
        place_id = {m: k for k, m in enumerate(places)}
        self.place = np.array([place_id.get(p.municipality, -1) for p in profiles], dtype=np.intp)
        self.assumed = np.array([p.assumed for p in profiles])
        self.unit = _unit(self.lat, self.lon)

    def given(self, rows: slice) -> tuple[sparse.csr_matrix, sparse.csr_matrix]:
        """Return, for rows, what each gives to every business and what it gets from each."""
        gives = (self.offers[rows] @ self.weighted_needs_t).tocsr()
        gets = (self.needs[rows] @ self.weighted_offers_t).tocsr()
        return gives, gets

    def scores(
        self,
        r: np.ndarray,
        c: np.ndarray,
        gives: np.ndarray,
        gets: np.ndarray,
        shared: np.ndarray,
        light: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return raw scores and competitor flags of pairs (r, c), as score_pair computes them.

        With `light`, the small terms of `extras` (realms, pooled beds, distance) are left out.
        """
        w = self.weights
        if self.assumed.any():
            factor = np.where(self.assumed[r] | self.assumed[c], w.assumed_match, 1.0)
            gives, gets = gives * factor, gets * factor
        score = w.match * (gives + gets)
        score += w.reciprocity * ((gives > 0) & (gets > 0))
        group_r, group_c = self.group[r], self.group[c]
        size = self.affinity.shape[0]
        score += w.affinity * self.affinity.ravel()[group_r * size + group_c]
        some = np.flatnonzero(shared)
        if len(some):
            union = self.interest_count[r[some]] + self.interest_count[c[some]] - shared[some]
            score[some] += w.shared_interest * shared[some] / union
        competitor = np.zeros(len(r), dtype=bool)
        idle = np.flatnonzero((gives == 0) & (gets == 0) & (group_r == group_c))
        for k in idle:
            a, b = self.profiles[r[k]], self.profiles[c[k]]
            rivals = a.group is not None and _jaccard(a.offers, b.offers) > 0.5
            competitor[k] = rivals and not _pools_beds(a, b)
        score -= w.competitor * competitor
        if not light:
            score += self.extras(r, c)
        return score, competitor

    def margin(self) -> float:
        """Return the most that `extras` can add, for pruning before computing them."""
        w = self.weights
        return w.different_realms * bool(self.realms.any()) + w.pool_beds * bool(
            self.group_beds.any()
        )

    def extras(self, r: np.ndarray, c: np.ndarray) -> np.ndarray | float:
        """Return the small terms: different realms, pooled beds, minus distance."""
        w = self.weights
        extra = np.zeros(len(r))
        if self.realms.any():
            ra, rb = self.realms[r], self.realms[c]
            extra += w.different_realms * ((ra != 0) & (rb != 0) & (ra != rb))
        if self.group_beds.any():
            pooled = self.beds[r] & self.beds[c] & (self.group_beds[r] | self.group_beds[c])
            extra += w.pool_beds * pooled
        km = np.full(len(r), np.nan)
        if self.located:
            km = _chord_km(*(axis[r] - axis[c] for axis in self.unit))
            extra -= np.where(np.isfinite(km), np.minimum(w.max_distance, km / w.km_per_point), 0)
        if (self.place >= 0).any():
            pr, pc = self.place[r], self.place[c]
            apart = (pr >= 0) & (pc >= 0) & (pr != pc) & ~np.isfinite(km)
            extra -= w.other_municipality * apart
        return extra

    def lowest_extra(self) -> float:
        """Return the most that `extras` can take away."""
        w = self.weights
        return max(
            w.max_distance if self.located else 0.0,
            w.other_municipality if (self.place >= 0).any() else 0.0,
        )

    def dense(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the full matrix of raw scores and of competitor flags (for small rooms)."""
        n = len(self.profiles)
        r, c = np.triu_indices(n, 1)
        gives, gets = self.given(slice(0, n))
        shared = (self.interests @ self.interests_t).toarray()[r, c].astype(float)
        score, competitor = self.scores(r, c, gives.toarray()[r, c], gets.toarray()[r, c], shared)
        full, flags = np.zeros((n, n)), np.zeros((n, n), dtype=bool)
        full[r, c] = full[c, r] = score
        flags[r, c] = flags[c, r] = competitor
        return full, flags


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

_Edge = tuple[float, int, bool]  # (score, partner index, competitor)


def _edges_by_index(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs one by one (small regions)."""
    edges: list[list[_Edge]] = [[] for _ in profiles]
    for i, j in candidate_pairs(profiles):
        result = score_pair(profiles[i], profiles[j], weights)
        if result.score > 0:
            edges[i].append((result.score, j, result.competitor))
            edges[j].append((result.score, i, result.competitor))
    return [_best(profiles, e, keep) for e in edges]


def _edges_by_matrix(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs block by block as sparse matrices (large regions).

    The candidates are the same as candidate_pairs gives: the sparse products only hold pairs
    where an offer meets a need or an idea is shared; affinity candidates are added to them.
    """
    m = _Matrices(profiles, weights)
    n = len(profiles)
    # Several whole numbers ride in one sparse matrix so that its structure is the union of the
    # candidates: twice the weight given (< 128), twice the weight received × 128, shared ideas
    # × 2^14, and a flag × 2^23 for affinity candidates.
    edges: list[list[_Edge]] = [[] for _ in profiles]
    counts = _raw_candidate_counts(profiles)
    fill = _affinity_candidates(profiles, [i for i, k in enumerate(counts) if k < AFFINITY_FILL])
    flag = float(1 << 23)
    fill_matrix = None
    if fill:
        fr, fc = np.array(fill).T
        fill_matrix = sparse.csr_matrix(
            (np.ones(2 * len(fr)), (np.concatenate([fr, fc]), np.concatenate([fc, fr]))),
            shape=(n, n),
        )
        fill_matrix.data[:] = flag  # a pair found from both sides is summed: set the flag once
    room = keep + TOP_SAFE
    # A pair's small terms lie between -max_distance and +margin.
    margin = m.margin() + m.lowest_extra()
    for start in range(0, n, _BLOCK):
        stop = min(n, start + _BLOCK)
        packed = m.packed_left[start:stop] @ m.packed_right
        if fill_matrix is not None:
            packed = packed + fill_matrix[start:stop]
        packed = packed.tocsr().tocoo()
        r, c, x = packed.row + start, packed.col, np.rint(packed.data).astype(np.int64)
        x %= 1 << 23
        shared = (x >> 14).astype(float)
        gets = ((x >> 7) & 127) / 2.0
        gives = (x & 127) / 2.0
        near, competitor = m.scores(r, c, gives, gets, shared, light=True)
        near[r == c] = -np.inf  # a business is never its own partner
        bounds = np.searchsorted(r, np.arange(start, stop + 1))  # rows come sorted from CSR
        # The small terms add at most `margin`: pairs that cannot reach a row's top even with
        # all of it are dropped before computing them.
        chosen = []
        for i in range(stop - start):
            lo, hi = bounds[i], bounds[i + 1]
            s = near[lo:hi]
            alive = np.flatnonzero(s > 0)
            if len(alive) > room:
                cut = -np.partition(-s[alive], room - 1)[room - 1]
                alive = alive[s[alive] >= cut - margin - 1e-9]
            elif margin == 0.0:
                pass
            else:
                alive = np.flatnonzero(s > -margin)
            chosen.append(alive + lo)
        pick = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.intp)
        r, c, competitor = r[pick], c[pick], competitor[pick]
        score = near[pick] + m.extras(r, c)
        bounds = np.searchsorted(r, np.arange(start, stop + 1))
        for i in range(start, stop):
            lo, hi = bounds[i - start], bounds[i - start + 1]
            if lo == hi:
                continue
            s = score[lo:hi]
            positive = np.flatnonzero(s > 0)
            if len(positive) > room:
                # Keep everything tied with the last kept score, so ties resolve by name.
                cut = -np.partition(-s[positive], room - 1)[room - 1]
                positive = positive[s[positive] >= cut - 1e-9]
            edges[i] = _best(
                profiles,
                [(float(s[k]), int(c[lo + k]), bool(competitor[lo + k])) for k in positive],
                keep,
            )
    return edges


def _best(profiles: Sequence[Profile], edges: list[_Edge], keep: int) -> list[_Edge]:
    """Order a business's edges best first (ties by name), no competitor in the first three."""
    edges = sorted(edges, key=lambda e: (-round(e[0], 9), profiles[e[1]].name, e[1]))
    safe = [e for e in edges if not e[2]]
    rivals = [e for e in edges if e[2]]
    if len(safe) < TOP_SAFE:
        return safe[:keep]
    rest = sorted(safe[TOP_SAFE:] + rivals, key=lambda e: (-round(e[0], 9), profiles[e[1]].name))
    return (safe[:TOP_SAFE] + rest)[:keep]


def partner_edges(
    profiles: Sequence[Profile], keep: int = 10, weights: Weights = WEIGHTS
) -> list[list[tuple[float, int, bool]]]:
    """Return each business's best candidate edges as (score, partner index, competitor)."""
    packable = all(
        len(p.offers) < 60 and len(p.needs) < 60 and len(p.interests) < 250 for p in profiles
    ) and all(float(2 * _tag_weight(t)).is_integer() for p in profiles for t in p.offers)
    if len(profiles) >= MATRIX_FROM and packable:
        return _edges_by_matrix(profiles, keep, weights)
    return _edges_by_index(profiles, keep, weights)


def top_partners(
    profiles: Sequence[Profile], k: int = 5, weights: Weights = WEIGHTS
) -> dict[str, list[Suggestion]]:
    """Return each business's k best partners with reasons, best first, ties by name."""
    result: dict[str, list[Suggestion]] = {}
    reasons: dict[tuple[int, int], tuple[Reason, ...]] = {}  # most top pairs show up twice
    for i, edges in enumerate(partner_edges(profiles, k, weights)):
        suggestions = []
        for score, j, competitor in edges:
            pair = (min(i, j), max(i, j))
            if pair not in reasons:
                a, b = profiles[pair[0]], profiles[pair[1]]
                reasons[pair] = _score(a, b, weights, distance=False).reasons
            suggestions.append(
                Suggestion(profiles[j].id, max(0.0, score), reasons[pair], competitor)
            )
        result[profiles[i].id] = suggestions
    return result


def build_graph(
    profiles: Sequence[Profile], keep: int = 10, weights: Weights = WEIGHTS
) -> nx.Graph:
    """Build the weighted partner graph: every business, and each one's best `keep` edges."""
    graph = nx.Graph()
    for p in profiles:
        graph.add_node(p.id, name=p.name, group=p.group or "")
    for i, edges in enumerate(partner_edges(profiles, keep, weights)):
        for score, j, competitor in edges:
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
    ax = fig.add_axes((0, 0, 1, 1))
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
        ax.legend(loc="lower left", fontsize=8, frameon=False)
        ax.margins(0.12)
    buffer = BytesIO()
    fig.savefig(buffer, format=fmt)
    return buffer.getvalue()
