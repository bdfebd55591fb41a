"""Scoring many pairs at once: profiles as sparse tag matrices, block by block (large regions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # scipy is imported where matrices are built, never at the app's start-up
    from scipy import sparse

from workshops.businesses.pairing.candidates import TOP_SAFE, _Edge, _fill, _safe_first
from workshops.businesses.pairing.scoring import (
    _BEDS,
    _CUSTOMERS,
    _ENABLING,
    _GROUP_BEDS,
    WEIGHTS,
    Profile,
    Weights,
    _affinity,
    _chord_km,
    _close_offers,
    _served_needs,
    _tag_weight,
    _unit,
    core_offers,
)

MATRIX_FROM = 400  # from this many businesses on, candidates are scored as matrices


_BLOCK = 256
_CHUNK = 32
_NONE = 1e9  # added to the single-precision score of pairs that are no candidates


class _Matrices:
    """Profiles as sparse tag matrices and arrays, so that many pairs score at once.

    Offers, close offers and needs are CSR matrices (businesses x tags), the needs weighted by
    their tag's group weight: what r gives c exactly is row r of `offers` times row c of `needs`.
    `near` scores a block of rows against everyone in single precision to find each row's best
    candidates; `pairs` then scores those pairs exactly as score_pair does.
    """

    def __init__(self, profiles: Sequence[Profile], weights: Weights) -> None:
        from scipy import sparse

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
        # A seller that asks for customers finds one in a buyer of its know-how (Weights.customer).
        enabling = self.offers.multiply(
            np.array([_ENABLING.get(t, False) for t in vocabulary], dtype=float)[None, :]
        ).tocsr()
        self.enabling_d = enabling.toarray()
        self.enabling32 = enabling.astype(np.float32)
        self.enabling_t = enabling.T.toarray().astype(np.float32)
        wants = np.array([t in _CUSTOMERS for t in vocabulary], dtype=float)
        self.customers = weights.customer * (self.needs_d @ wants)
        self.customers32 = self.customers.astype(np.float32)
        self.sellers = (self.customers > 0) & (self.enabling_d.sum(axis=1) > 0)
        self.seller_ids = np.flatnonzero(self.sellers)
        core = _incidence([core_offers(p) for p in profiles], column, n, width)
        self.core_d = core.toarray()
        self.core = np.asarray(core.sum(axis=1)).ravel()
        wanted = _incidence([p.needs for p in profiles], column, n, width)
        self.wanted_d = wanted.toarray()
        self.need_count = np.asarray(wanted.sum(axis=1)).ravel()
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
        for x, ga in enumerate([*names, None]):
            for y, gb in enumerate([*names, None]):
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

        Pairs where no offer meets a need exactly get about -_NONE. The others are scored as if
        they never competed (a competitor's score is lower: this pass only ever overestimates),
        and their shared ideas add at most `shared_interest`: `_edges_by_matrix` scores pairs
        with a shared idea, and the affinity candidates, exactly.
        """
        w = self.weights
        exact = self.both32[rows] @ self.both_t  # what r gives c plus what c gives r, exactly
        gives = self.left32[rows] @ self.needs_t
        gets = self.needs32[rows] @ self.left_t
        # Only sellers of know-how that ask for customers have a customer term.
        mine = np.flatnonzero(self.sellers[rows])
        if len(mine):
            sells = (self.enabling32[rows][mine] @ self.needs_t) > 0  # r's know-how meets c's need
            part = gets[mine]
            part += np.where(sells & (part == 0), self.customers32[rows][mine, None], 0)
            gets[mine] = part
        if len(self.seller_ids):
            theirs = self.seller_ids
            buys = (self.needs32[rows] @ self.enabling_t[:, theirs]) > 0
            part = gives[:, theirs]
            part += np.where(buys & (part == 0), self.customers32[None, theirs], 0)
            gives[:, theirs] = part
        gives, gets = _saturate(gives, w), _saturate(gets, w)
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
        served_gives = np.einsum("ij,ij->i", self.served_d[r], needs_c)
        served_gets = np.einsum("ij,ij->i", needs_r, self.served_d[c])
        gives += w.serves * served_gives
        gets += w.serves * served_gets
        if self.customers.any():
            sells = np.einsum("ij,ij->i", self.enabling_d[r], needs_c) > 0
            buys = np.einsum("ij,ij->i", needs_r, self.enabling_d[c]) > 0
            new_gets = np.where(sells & (gets == 0), self.customers[r], 0.0)
            gives += np.where(buys & (gives == 0), self.customers[c], 0.0)
            gets += new_gets
        # Needs met, not only close; an assumed profile is no sign that two alike businesses fit.
        # A need the needer meets itself is none (scoring: two kayak firms).
        own_r, own_c = 1.0 - offers_r, 1.0 - offers_c
        met = np.einsum("ij,ij->i", (offers_r + self.served_d[r]) * own_c, needs_c)
        met += np.einsum("ij,ij->i", needs_r * own_r, offers_c + self.served_d[c])
        met *= ~(self.assumed[r] | self.assumed[c])
        factor = np.where(self.assumed[r] | self.assumed[c], w.assumed_match, 1.0)
        gives, gets = factor * _saturate(gives, w), factor * _saturate(gets, w)
        exact = factor * (exact_gives + exact_gets)
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
        # Competitors (scoring.offers_alike, needs_alike): the same group or a group unknown on
        # either side, offers mostly the same, and no need of either met by the other or needs
        # mostly the same too; no beds pooled.
        unknown = (self.group[r] == self.no_group) | (self.group[c] == self.no_group)
        competitor = (self.group[r] == self.group[c]) | unknown
        competitor &= ~pooled
        if competitor.any():
            assumed = self.assumed[r] | self.assumed[c]
            core_r, core_c = self.core_d[r], self.core_d[c]
            alike = _alike(core_r, core_c, self.core[r], self.core[c], False)
            wanted = _alike(
                self.wanted_d[r], self.wanted_d[c], self.need_count[r], self.need_count[c], assumed
            )
            wanted &= np.einsum("ij,ij->i", self.wanted_d[r], self.wanted_d[c]) >= 2
            shared_core = np.einsum("ij,ij->i", core_r, core_c) > 0
            competitor &= alike | (wanted & shared_core)
            competitor &= (met == 0) | wanted
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


def _alike(
    left: np.ndarray,
    right: np.ndarray,
    n_left: np.ndarray,
    n_right: np.ndarray,
    assumed: np.ndarray,
) -> np.ndarray:
    """Rows whose tag sets are mostly the same: Jaccard over 0.5, on the smaller set if assumed."""
    both = np.einsum("ij,ij->i", left, right)
    either = n_left + n_right - both
    base = np.where(assumed, np.minimum(n_left, n_right), either)
    return (both > 0.5 * np.maximum(base, 1)) & (n_left > 0) & (n_right > 0)


def _saturate(value: np.ndarray, w: Weights) -> np.ndarray:
    """Weights.saturate on an array (in place for single precision)."""
    if w.beyond == 1.0:
        return value
    over = value - value.dtype.type(w.full_match)
    np.maximum(over, 0, out=over)
    over *= value.dtype.type(w.beyond)
    np.minimum(value, value.dtype.type(w.full_match), out=value)
    value += over
    return value


def _rowdot(left: sparse.csr_matrix, right: sparse.csr_matrix, r: np.ndarray, c: np.ndarray):
    """Return the dot product of row r[k] of left with row c[k] of right, for every k."""
    return np.asarray(left[r].multiply(right[c]).sum(axis=1)).ravel()


def _incidence(
    sets: Sequence[frozenset[str]], column: Mapping[str, int], n: int, width: int
) -> sparse.csr_matrix:
    from scipy import sparse

    rows = [i for i, s in enumerate(sets) for _ in s]
    cols = [column[x] for s in sets for x in s]
    data = np.ones(len(rows))
    return sparse.csr_matrix((data, (rows, cols)), shape=(n, width))


def score_matrix(profiles: Sequence[Profile], weights: Weights = WEIGHTS) -> np.ndarray:
    """Return every pair's raw score as a symmetric matrix (the diagonal is zero)."""
    return _Matrices(profiles, weights).dense()[0]


def _edges_by_matrix(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs block by block (large regions); the same answer as _edges_by_index.

    The candidates are candidate_pairs': pairs where an offer meets a need or an idea is shared,
    plus the bounded affinity candidates; every other pair is masked out. A pass in single
    precision keeps each row's best (ties and a small slack included), which are then scored
    exactly. The order is _best's: score, then exact matches, then name.
    """
    from scipy import sparse

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
        # `near` scores a competitor as if it were none; where a row's competitors fell below
        # their near value so far that fewer than `room` pairs stay above the bar, a pair under
        # the bar may belong in the row's top: score every candidate of such a row.
        above = np.bincount(r - start, weights=score >= bar[r - start], minlength=stop - start)
        rivals = np.bincount(r - start, weights=rival, minlength=stop - start)
        redo = np.flatnonzero((rivals > 0) & (above < room))
        if len(redo):
            keep_rows = ~np.isin(r - start, redo)
            rr, cc = np.nonzero(near[redo] > -_NONE / 2)
            rr, cc = redo[rr] + start, cc
            more = m.pairs(rr, cc)
            r, c = np.concatenate([r[keep_rows], rr]), np.concatenate([c[keep_rows], cc])
            score, rival, exact = (
                np.concatenate([x[keep_rows], y])
                for x, y in zip((score, rival, exact), more, strict=True)
            )
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
