"""Which pairs are worth scoring (inverted indexes, never all pairs) and the order of each
business's partners, with no competitor among the first three."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from workshops.businesses.pairing.scoring import (
    Profile,
    Weights,
    _affinity,
    _score_and_exact,
    _served_needs,
)

STRONG_AFFINITY = 0.6  # groups this close are candidates even when no tag meets
AFFINITY_FILL = 10  # a business with fewer candidates than this gets affinity candidates
AFFINITY_FANOUT = 10  # at most this many businesses per strongly related group


TOP_SAFE = 3  # no competitor among the first suggestions


_Edge = tuple[float, int, bool, float]  # (score, partner index, competitor, exact match weight)


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


def _edges_by_index(profiles: Sequence[Profile], keep: int, weights: Weights) -> list[list[_Edge]]:
    """Score candidate pairs one by one (small regions)."""
    edges: list[list[_Edge]] = [[] for _ in profiles]
    for i, j in candidate_pairs(profiles):
        result, exact = _score_and_exact(profiles[i], profiles[j], weights, distance=True)
        if result.score > 0:
            edges[i].append((result.score, j, result.competitor, exact))
            edges[j].append((result.score, i, result.competitor, exact))
    return [_best(profiles, e, keep) for e in edges]


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
