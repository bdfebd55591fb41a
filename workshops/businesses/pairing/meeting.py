"""Speed meetings: pair everyone present, maximising the total pair score."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import numpy as np

from workshops.businesses.pairing.matrix import _Matrices
from workshops.businesses.pairing.scoring import WEIGHTS, Profile, Weights

EXACT_MATCHING_UP_TO = 60  # present people up to which the speed-meeting pairing is exact
_APART = 1e6  # subtracted from pairs that must not meet, so the greedy pass avoids them


@dataclass(frozen=True)
class Meeting:
    """A speed-meeting round: pairs (and one trio when the room is odd) and the total weight."""

    groups: tuple[tuple[str, ...], ...]
    weight: float
    exact: bool


def speed_meeting(
    present: Sequence[Profile],
    weights: Weights = WEIGHTS,
    exact_up_to: int = EXACT_MATCHING_UP_TO,
    apart: Iterable[frozenset[str]] = (),
) -> Meeting:
    """Pair everyone present for a speed-meeting round, maximising the total pair score.

    The input graph is complete (pairs with nothing in common weigh zero); up to `exact_up_to`
    people the matching is exact, above it greedy plus pair swaps. An odd person out joins the
    pair where they add the most, making one trio. Pairs in `apart` (by id: declined, marked not
    relevant) never meet: whoever is left without a partner joins a group without such a pair.
    """
    n = len(present)
    if n < 2:
        return Meeting(tuple((p.id,) for p in present), 0.0, True)
    matrix = np.clip(_Matrices(present, weights).dense()[0], 0, None)
    index = {p.id: i for i, p in enumerate(present)}
    kept_apart = np.zeros((n, n), dtype=bool)
    for pair in apart:
        ends = [index[x] for x in pair if x in index]
        if len(ends) == 2:
            kept_apart[ends[0], ends[1]] = kept_apart[ends[1], ends[0]] = True
    exact = n <= exact_up_to
    if exact:
        pairs = _exact_matching(matrix, kept_apart)
    else:
        pairs = _greedy_matching(np.where(kept_apart, -_APART, matrix))
        pairs = [(i, j) for i, j in pairs if not kept_apart[i, j]]
    matched = {i for pair in pairs for i in pair}
    groups = [list(pair) for pair in pairs]
    for x in (i for i in range(n) if i not in matched):
        allowed = [g for g in groups if not kept_apart[x, g].any()]
        if allowed:
            best = max(allowed, key=lambda g: (sum(matrix[x, y] for y in g), -g[0]))
            best.append(x)
        else:
            groups.append([x])
    total = sum(
        matrix[g[a], g[b]] for g in groups for a in range(len(g)) for b in range(a + 1, len(g))
    )
    ids = tuple(tuple(present[i].id for i in g) for g in groups)
    return Meeting(ids, float(total), exact)


def _exact_matching(matrix: np.ndarray, apart: np.ndarray | None = None) -> list[tuple[int, int]]:
    graph = nx.Graph()
    n = len(matrix)
    # A tiny constant keeps zero-weight pairs in play so that everyone gets a partner.
    graph.add_weighted_edges_from(
        (i, j, matrix[i, j] + 1e-6)
        for i in range(n)
        for j in range(i + 1, n)
        if apart is None or not apart[i, j]
    )
    return sorted(
        tuple(sorted(pair)) for pair in nx.max_weight_matching(graph, maxcardinality=True)
    )


def _greedy_matching(matrix: np.ndarray, rounds: int = 2000) -> list[tuple[int, int]]:
    """Match heaviest pairs first, then swap partners between two pairs while that gains."""
    n = len(matrix)
    r, c = np.triu_indices(n, 1)
    order = np.argsort(-matrix[r, c], kind="stable")
    free = [True] * n  # plain lists: this loop reads element by element
    pairs = []
    for i, j in zip(r[order].tolist(), c[order].tolist(), strict=True):
        if free[i] and free[j]:
            free[i] = free[j] = False
            pairs.append((i, j))
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
