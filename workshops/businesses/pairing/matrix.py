"""Scoring many pairs at once: profiles as sparse tag matrices, block by block (large regions)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

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
    met_needs,
)

MATRIX_FROM = 400  # from this many businesses on, candidates are scored as matrices


_BLOCK = 128  # rows per tile, a multiple of _GROUP: smaller suits caches, larger saves calls
_CHUNK = 32
_THREADS_FROM = 2_000  # from this many businesses on, blocks are scored on up to _THREADS cores
_THREADS = 2
_GROUP = 8  # rows of a tile whose best pair with a later business bounds that business's row
_NONE = 1e9  # added to the single-precision score of pairs that are no candidates
_Dot = Callable[[Any, Any], np.ndarray]  # see _Matrices.pairs


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
        self.needs = (  # the needs others can meet (scoring.met_needs)
            (_incidence([met_needs(p) for p in profiles], column, n, width))
            .multiply(tag_weights[None, :])
            .tocsr()
        )
        # For `near`, in single precision: sparse rows times dense transposes (tags x businesses).
        left = (self.offers + weights.serves * self.served + weights.close * self.close).tocsr()
        self.left32, self.needs32 = left.astype(np.float32), self.needs.astype(np.float32)
        self.left_t = _dense_t(left)
        self.needs_t = _dense_t(self.needs)
        meets = self.offers + self.served  # exact offers and the needs they serve
        # Candidates and the tie-break read every need as written (candidates.py, scoring).
        written = (
            _incidence([p.needs for p in profiles], column, n, width)
            .multiply(tag_weights[None, :])
            .tocsr()
        )
        self.written_d = written.toarray()
        self.both32 = sparse.hstack([meets, written]).tocsr().astype(np.float32)
        self.both_t = _dense_t(sparse.hstack([written, meets]))
        # For `pairs`, dense rows in double precision.
        self.offers_d, self.close_d = self.offers.toarray(), self.close.toarray()
        self.served_d = self.served.toarray()
        self.needs_d = self.needs.toarray()
        # Needs met, not only close, and needs its own offers do not meet (scoring: a need the
        # needer meets itself is none).
        self.meets_d = self.offers_d + self.served_d
        self.unmet_d = self.needs_d * (1.0 - self.offers_d)
        # A seller that asks for customers finds one in a buyer of its know-how (Weights.customer).
        enabling = self.offers.multiply(
            np.array([_ENABLING.get(t, False) for t in vocabulary], dtype=float)[None, :]
        ).tocsr()
        self.enabling_d = enabling.toarray()
        self.enabling32 = enabling.astype(np.float32)
        self.enabling_t = _dense_t(enabling)
        wants = np.array([t in _CUSTOMERS for t in vocabulary], dtype=float) * tag_weights
        asked = _incidence([p.needs for p in profiles], column, n, width)  # customers asked for
        self.customers = weights.customer * (asked @ wants)
        self.customers32 = self.customers.astype(np.float32)
        self.sellers = (self.customers > 0) & (self.enabling_d.sum(axis=1) > 0)
        self.seller_ids = np.flatnonzero(self.sellers)
        self.enabling_sellers_t = self.enabling_t[:, self.seller_ids]
        self.seller_customers32 = self.customers32[None, self.seller_ids]
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

    def near(self, rows: slice, cols: slice = slice(None)) -> np.ndarray:
        """Return, for rows against the businesses of `cols` (everyone, or all from one on),
        the score in single precision.

        Pairs where no offer meets a need exactly get about -_NONE. The others are scored as if
        they never competed (a competitor's score is lower: this pass only ever overestimates),
        and their shared ideas add at most `shared_interest`: `_edges_by_matrix` scores pairs
        with a shared idea, and the affinity candidates, exactly.
        """
        w = self.weights
        first = cols.start or 0
        needs_t = self.needs_t[:, cols]
        exact = self.both32[rows] @ self.both_t[:, cols]  # what r gives c and c gives r, exactly
        gives = self.left32[rows] @ needs_t
        gets = self.needs32[rows] @ self.left_t[:, cols]
        # Only sellers of know-how that ask for customers have a customer term.
        mine = np.flatnonzero(self.sellers[rows])
        if len(mine):
            sells = (self.enabling32[rows][mine] @ needs_t) > 0  # r's know-how meets c's need
            part = gets[mine]
            part += np.where(sells & (part == 0), self.customers32[rows][mine, None], 0)
            gets[mine] = part
        k = int(np.searchsorted(self.seller_ids, first))
        if k < len(self.seller_ids):
            theirs = self.seller_ids[k:] - first
            buys = (self.needs32[rows] @ self.enabling_sellers_t[:, k:]) > 0
            part = gives[:, theirs]
            part += np.where(buys & (part == 0), self.seller_customers32[:, k:], 0)
            gives[:, theirs] = part
        # Weights.saturate(x) is (1 - beyond) min(x, full_match) + beyond x, and the pair is
        # reciprocal where both sides give something: fewer passes than saturating each side.
        score = gives + gets
        both = np.minimum(gives, gets) > 0
        if w.beyond != 1.0:
            full = np.float32(w.full_match)
            np.minimum(gives, full, out=gives)
            np.minimum(gets, full, out=gets)
            gives += gets
            gives *= np.float32(1.0 - w.beyond)
            score *= np.float32(w.beyond)
            score += gives
        reciprocity: np.ndarray | np.float32 = np.float32(w.reciprocity)
        if self.assumed.any():  # an assumed profile's match and reciprocity count less
            factor = np.where(self.assumed[cols], w.assumed_match, 1.0).astype(np.float32)
            factor = np.where(self.assumed[rows, None], np.float32(w.assumed_match), factor)
            score *= factor
            reciprocity = factor
            reciprocity *= np.float32(w.reciprocity)
        if w.match != 1.0:
            score *= np.float32(w.match)
        score += reciprocity * both  # a product, not where=: several times faster
        score += self.kind_columns[self.kind[rows], cols]
        self._place_terms(rows, cols, score)
        score += np.float32(-_NONE) * (exact <= 0)
        return score

    def _place_terms(self, rows: slice, cols: slice, score: np.ndarray) -> None:
        """Add the terms of place in single precision: distance, else municipalities."""
        w = self.weights
        both: np.ndarray | bool = False
        if self.located:
            # In penalty units, |a - b|^2 = |a|^2 + |b|^2 - 2 a.b in one product, on points
            # centred on the region so that little cancels; a chord is shorter than its arc by
            # far less than the pruning slack at these ranges.
            chord = self.where_r[rows] @ self.where_c[:, cols]  # sparse times dense: no BLAS
            np.maximum(chord, 0.0, out=chord)
            np.sqrt(chord, out=chord)
            np.minimum(chord, np.float32(w.max_distance), out=chord)
            if not self.has_point.all():
                both = self.has_point[rows, None] & self.has_point[None, cols]
                chord *= both
            score -= chord
        if self.placed:
            pr, pc = self.place[rows, None], self.place[None, cols]
            if w.other_municipality and not self.has_point.all():
                apart = (pr >= 0) & (pc >= 0) & (pr != pc) & ~both
                score -= np.float32(w.other_municipality) * apart
            if w.same_municipality:
                score += np.float32(w.same_municipality) * ((pr >= 0) & (pr == pc))

    def pairs(
        self, r: np.ndarray, c: np.ndarray, dot: _Dot | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return score_pair's score, competitor flag and exact match weight of pairs (r, c).

        `dot(x, y)` is, for every k, row r[k] of x times row c[k] of y: row by row by default,
        from one product of the whole matrices for all pairs of a room (dense()).
        """
        w = self.weights
        rowwise = _row_dot(r, c)
        dot = dot or rowwise
        exact_gives = dot(self.offers_d, self.needs_d)
        exact_gets = dot(self.needs_d, self.offers_d)
        gives = exact_gives + w.close * dot(self.close_d, self.needs_d)
        gets = exact_gets + w.close * dot(self.needs_d, self.close_d)
        served_gives = dot(self.served_d, self.needs_d)
        served_gets = dot(self.needs_d, self.served_d)
        gives += w.serves * served_gives
        gets += w.serves * served_gets
        if self.customers.any():
            sells = dot(self.enabling_d, self.needs_d) > 0
            buys = dot(self.needs_d, self.enabling_d) > 0
            new_gets = np.where(sells & (gets == 0), self.customers[r], 0.0)
            gives += np.where(buys & (gives == 0), self.customers[c], 0.0)
            gets += new_gets
        # Needs met, not only close; an assumed profile is no sign that two alike businesses fit.
        # A need the needer meets itself is none (scoring: two kayak firms).
        met = dot(self.meets_d, self.unmet_d) + dot(self.unmet_d, self.meets_d)
        met *= ~(self.assumed[r] | self.assumed[c])
        factor = np.where(self.assumed[r] | self.assumed[c], w.assumed_match, 1.0)
        gives, gets = factor * _saturate(gives, w), factor * _saturate(gets, w)
        exact = factor * (dot(self.offers_d, self.written_d) + dot(self.written_d, self.offers_d))
        score = w.match * (gives + gets)
        score += w.reciprocity * factor * ((gives > 0) & (gets > 0))
        shared = dot(self.interests, self.interests)
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
        if competitor.any():  # only pairs of one group (or an unknown one) can compete
            some = np.flatnonzero(competitor)
            rs, cs = r[some], c[some]
            whole, sub_dot = dot is not rowwise, _row_dot(rs, cs)

            def pick(x: np.ndarray, y: np.ndarray) -> np.ndarray:
                return dot(x, y)[some] if whole else sub_dot(x, y)

            assumed = self.assumed[rs] | self.assumed[cs]
            shared_core = pick(self.core_d, self.core_d)
            alike = _alike(shared_core, self.core[rs], self.core[cs], False)
            shared_wants = pick(self.wanted_d, self.wanted_d)
            wanted = _alike(shared_wants, self.need_count[rs], self.need_count[cs], assumed)
            wanted &= shared_wants >= 2
            competitor[some] = (alike | (wanted & (shared_core > 0))) & ((met[some] == 0) | wanted)
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
        from scipy import sparse

        n = len(self.profiles)
        r, c = np.triu_indices(n, 1)

        def dot(x: np.ndarray | sparse.csr_matrix, y: np.ndarray | sparse.csr_matrix) -> np.ndarray:
            # Sparse times dense: no BLAS threads, which wait on each other on a busy machine.
            left = x if sparse.issparse(x) else sparse.csr_matrix(x)
            right = y.T.toarray() if sparse.issparse(y) else np.ascontiguousarray(y.T)
            return (left @ right)[r, c]

        score, competitor, _exact = self.pairs(r, c, dot)
        full, flags = np.zeros((n, n)), np.zeros((n, n), dtype=bool)
        full[r, c] = full[c, r] = score
        flags[r, c] = flags[c, r] = competitor
        return full, flags


def _dense_t(matrix: sparse.spmatrix) -> np.ndarray:
    """Return a sparse matrix transposed, dense, in single precision and row order: a sparse
    product with it reads it as is (in column order it would copy it first, every block)."""
    return np.ascontiguousarray(matrix.T.toarray(), dtype=np.float32)


def _alike(
    both: np.ndarray, n_left: np.ndarray, n_right: np.ndarray, assumed: np.ndarray | bool
) -> np.ndarray:
    """Pairs whose tag sets (n_left and n_right tags, `both` shared) are mostly the same:
    Jaccard over 0.5, on the smaller set if assumed."""
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


def _row_dot(r: np.ndarray, c: np.ndarray) -> _Dot:
    """Return dot(x, y): row r[k] of x times row c[k] of y for every k; each matrix's rows are
    taken once per side."""
    taken: dict[tuple[int, bool], np.ndarray | sparse.csr_matrix] = {}

    def rows(x: np.ndarray | sparse.csr_matrix, side: bool) -> np.ndarray | sparse.csr_matrix:
        key = (id(x), side)
        if key not in taken:
            taken[key] = x[c if side else r]
        return taken[key]

    def dot(x: np.ndarray | sparse.csr_matrix, y: np.ndarray | sparse.csr_matrix) -> np.ndarray:
        left, right = rows(x, False), rows(y, True)
        if hasattr(left, "multiply"):  # sparse
            return np.asarray(left.multiply(right).sum(axis=1)).ravel()
        return np.einsum("ij,ij->i", left, right)

    return dot


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

    The single-precision pass scores each pair once: a block of rows against itself and every
    later business (a tile), whose pairs with later businesses are handed on to those rows.
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
    starts = range(0, n, _BLOCK)

    def tile(start: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Score a block's rows against themselves and every later business (a pair's score
        is the same both ways, so each pair is scored once), with the maxima of groups of
        _GROUP rows in each later column."""
        stop = min(n, start + _BLOCK)
        near = m.near(slice(start, stop), slice(start, None))  # about -_NONE: no need met
        extra = special[start:stop, start:].tocoo()
        if extra.nnz:
            # Pairs made candidates by an idea or affinity alone may compete: score them exactly.
            near[extra.row, extra.col] = m.pairs(extra.row + start, extra.col + start)[0]
        inside = np.arange(stop - start)
        near[inside, inside] = -np.inf  # never oneself
        if stop == n:
            return near, None
        # Only the last block may be short, and it has no later businesses.
        groups = near.reshape(_BLOCK // _GROUP, _GROUP, n - start).max(axis=1)
        return near, groups[:, stop - start :]

    # Each row's `room` best maxima of disjoint groups of its pairs in earlier blocks' tiles,
    # and the pairs of those tiles that may still reach its top, by block.
    best = np.full((n, room), -np.inf, dtype=np.float32)
    kept: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in starts]

    def rows_of(block: int, near: np.ndarray, groups: np.ndarray | None) -> tuple[np.ndarray, ...]:
        start = starts[block]
        stop = min(n, start + _BLOCK)
        size, width = stop - start, n - start
        # The room-th best of the maxima of disjoint groups of a row's pairs is at most its
        # room-th best score, so pairs below it (less the slack) never reach the row's top.
        cut = width - width % _CHUNK
        tops = [best[start:stop], near[:, cut:]]
        if cut:
            tops.append(near[:, :cut].reshape(size, _CHUNK, cut // _CHUNK).max(axis=1))
        tops = np.concatenate(tops, axis=1)
        bar = np.partition(tops, tops.shape[1] - room, axis=1)[:, tops.shape[1] - room]
        bar = np.maximum(bar - slack, np.float32(-slack))
        r, c = np.nonzero(near >= bar[:, None])
        value = near[r, c]
        c += start
        if kept[block]:
            kr, kc, kv = (np.concatenate(x) for x in zip(*kept[block], strict=True))
            kr -= start
            chosen = kv >= bar[kr]
            r = np.concatenate([r, kr[chosen]])
            c = np.concatenate([c, kc[chosen]])
            value = np.concatenate([value, kv[chosen]])
        kept[block] = []
        if groups is not None:
            _keep_for_later(block, near[:, size:], groups, best, kept, start, stop, slack)
        score, rival, exact = m.pairs(r + start, c)
        # `near` scores a competitor as if it were none; where a row's pairs fell below their
        # near value by more than the slack (competitors) so far that fewer than `room` pairs
        # stay above the bar, a pair under the bar may belong in the row's top: score every
        # candidate of such a row.
        above = np.bincount(r, weights=score >= bar[r], minlength=size)
        loose = np.bincount(r, weights=score < value - slack, minlength=size)
        r += start
        redo = np.flatnonzero((loose > 0) & (above < room)) + start
        if len(redo):
            keep_rows = ~np.isin(r, redo)
            rr, cc = _all_candidates(m, special, redo)
            more = m.pairs(rr, cc)
            r, c = np.concatenate([r[keep_rows], rr]), np.concatenate([c[keep_rows], cc])
            score, rival, exact = (
                np.concatenate([x[keep_rows], y])
                for x, y in zip((score, rival, exact), more, strict=True)
            )
        chosen = _top_per_row(r, score, room)
        return r[chosen], c[chosen], score[chosen], rival[chosen], exact[chosen]

    workers = _workers(n)
    if workers > 1:
        # NumPy lets go of the interpreter lock in its loops over a tile, so tiles are scored
        # on the cores this process may use, a few ahead; each is taken in order.
        with ThreadPoolExecutor(workers) as pool:
            ahead = [pool.submit(tile, s) for s in starts[:workers]]
            found = []
            for block in range(len(starts)):
                near, groups = ahead.pop(0).result()
                if block + workers < len(starts):
                    ahead.append(pool.submit(tile, starts[block + workers]))
                found.append(rows_of(block, near, groups))
    else:
        found = [rows_of(block, *tile(s)) for block, s in enumerate(starts)]
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


def _keep_for_later(
    block: int,
    later: np.ndarray,
    groups: np.ndarray,
    best: np.ndarray,
    kept: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]],
    start: int,
    stop: int,
    slack: float,
) -> None:
    """Pass a tile's pairs with later businesses on to those businesses' rows: the maxima of
    its groups join each later row's best, and the pairs at or above the row's bar so far
    (which only rises) are kept for its block."""
    room = best.shape[1]
    merged = np.concatenate([best[stop:], groups.T], axis=1)
    best[stop:] = np.partition(merged, merged.shape[1] - room, axis=1)[:, -room:]
    bar = np.maximum(best[stop:].min(axis=1) - slack, np.float32(-slack))
    cc, rr = np.nonzero((later >= bar[None, :]).T)  # by later business
    value = later[rr, cc]
    cc += stop
    rr += start
    bounds = np.searchsorted(cc, np.arange(block + 2, len(kept) + 1) * _BLOCK)  # block ends
    lo = 0
    for k, hi in enumerate(bounds, start=block + 1):
        if hi > lo:
            kept[k].append((cc[lo:hi], rr[lo:hi], value[lo:hi]))
        lo = hi


def _all_candidates(
    m: _Matrices, special: sparse.csr_matrix, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate pair of some rows (scored afresh: rare)."""
    found_r, found_c = [], []
    for row in rows:
        near = m.near(slice(row, row + 1))[0]
        extra = special[row].tocoo()
        if extra.nnz:
            near[extra.col] = m.pairs(np.full(extra.nnz, row), extra.col)[0]
        near[row] = -np.inf
        cols = np.flatnonzero(near > -_NONE / 2)
        found_r.append(np.full(len(cols), row))
        found_c.append(cols)
    return np.concatenate(found_r), np.concatenate(found_c)


def _workers(n: int) -> int:
    """Threads for the blocks of a region of n businesses: one per usable core, at most _THREADS."""
    if n < _THREADS_FROM:
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(_THREADS, cores))


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
