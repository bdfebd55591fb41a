"""Each business's best partners as edges, suggestions and the partner graph, and the
leader's feedback (marks and outcomes) applied to a project's suggestions."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import networkx as nx

from workshops import collector
from workshops.businesses.pairing.candidates import (
    TOP_SAFE,
    _Edge,
    _edges_by_index,
)
from workshops.businesses.pairing.matrix import MATRIX_FROM, _edges_by_matrix
from workshops.businesses.pairing.scoring import (
    WEIGHTS,
    Profile,
    Reason,
    Suggestion,
    Weights,
    _flow,
    _score,
)


def partner_edges(
    profiles: Sequence[Profile], keep: int = 10, weights: Weights = WEIGHTS
) -> list[list[_Edge]]:
    """Return each business's best candidate edges as (score, partner, competitor, exact)."""
    with collector.paused():
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
    with collector.paused():
        return {
            profiles[i].id: suggest_row(profiles, i, row, weights) for i, row in enumerate(edges)
        }


def suggest_row(
    profiles: Sequence[Profile], i: int, row: Sequence[_Edge], weights: Weights = WEIGHTS
) -> list[Suggestion]:
    """Turn business i's edges into its suggestions."""
    me = profiles[i]
    found = []
    for score, j, competitor, _exact in row:
        other = profiles[j]
        first, second = (me, other) if i < j else (other, me)
        found.append(
            Suggestion(
                other.id,
                score if score > 0.0 else 0.0,
                competitor=competitor,
                source=_reasons_of(first, second, weights),
            )
        )
    return found


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


# --- what the leader made of earlier suggestions ------------------------------------------


FEEDBACK_STEP = 0.5  # score added (or taken) per similar pair marked good (or not relevant)
FEEDBACK_MAX = 1.0  # at most this much either way


@dataclass(frozen=True)
class Feedback:
    """What the leader said about pairs of one project, by business id.

    `good`: pairs marked good, or whose connection went on (introduced, met, collaborating).
    `bad`: pairs marked not relevant, or whose connection was declined. A bad pair is never
    suggested again; pairs like a good one move up, pairs like a bad one move down.
    """

    good: frozenset[frozenset[str]] = frozenset()
    bad: frozenset[frozenset[str]] = frozenset()
    # The good pairs the leader marked so (not those good by a connection alone).
    marked_good: frozenset[frozenset[str]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.good or self.bad)


def pair_kind(a: Profile, b: Profile) -> tuple[frozenset[str | None], frozenset[str]]:
    """Return what makes a pair: its sector groups and the kinds of reason between them.

    The kinds are the needs one meets for the other (exactly, by serving or by coming close);
    a pair with no need met is made by its sectors' affinity or a shared idea.
    """
    kinds: set[str] = set()
    for flow in (_flow(a, b), _flow(b, a)):
        kinds |= flow.exact | flow.served | flow.close
    if not kinds:
        kinds = {"shared_interest"} if a.interests & b.interests else {"affinity"}
    return frozenset((a.group, b.group)), frozenset(kinds)


def _alike(kind: tuple, other: tuple) -> bool:
    """Pairs are alike when they join the same sector groups for a reason of the same kind."""
    return kind[0] == other[0] and bool(kind[1] & other[1])


def apply_feedback(
    profiles: Sequence[Profile],
    top: Mapping[str, Sequence[Suggestion]],
    feedback: Feedback,
    only: Iterable[str] | None = None,
) -> dict[str, list[Suggestion]]:
    """Re-rank suggestions by the leader's feedback; the reasons say why a pair moved.

    Bad pairs are left out. A pair counts the good pairs (other than itself) and the bad pairs
    it is alike to; the larger count wins by the difference n, and only it speaks: the pair
    gains FEEDBACK_STEP * n, at most FEEDBACK_MAX, and its reasons begin with "like the pairs
    you marked good", or it loses as much and its reasons end with "like pairs you marked not
    relevant: moved down". Even counts move nothing and say nothing. The leader's own word on a
    pair wins over its likeness to others: a good pair is never moved down, and a pair the
    leader marked good counts its own mark too ("you marked this pair good"), so a pair only
    like it never passes it. Competitors stay out
    of the first three. `only` limits the work to some businesses (a page of them); the others
    are left out.
    """
    ids = list(top) if only is None else [x for x in only if x in top]
    if not feedback:
        return {x: list(top[x]) for x in ids}
    by_id = {p.id: p for p in profiles}

    def kinds(pairs: frozenset[frozenset[str]]) -> list[tuple[frozenset[str], tuple]]:
        found = []
        for pair in pairs:
            ends = [by_id.get(x) for x in pair]
            if len(ends) == 2 and ends[0] is not None and ends[1] is not None:
                found.append((pair, pair_kind(ends[0], ends[1])))
        return found

    good, bad = kinds(feedback.good), kinds(feedback.bad)
    marked_groups = {kind[0] for _pair, kind in good + bad}
    result: dict[str, list[Suggestion]] = {}
    for a in ids:
        moved = []
        for rank, s in enumerate(top[a]):
            pair = frozenset((a, s.partner_id))
            if pair in feedback.bad:
                continue
            up = down = 0
            me, other = by_id.get(a), by_id.get(s.partner_id)
            if (
                me is not None
                and other is not None
                and (frozenset((me.group, other.group)) in marked_groups)
            ):
                kind = pair_kind(me, other)
                up = sum(1 for p, k in good if p != pair and _alike(kind, k))
                if pair not in feedback.good:
                    down = sum(1 for p, k in bad if _alike(kind, k))
            own = 1 if pair in feedback.marked_good else 0
            net = own + up - down
            if net:
                delta = min(FEEDBACK_MAX, FEEDBACK_STEP * abs(net))
                s = _moved(s, delta if net > 0 else -delta, marked=bool(own), alike=up > 0)
            moved.append((-s.score, rank, s))
        ordered = [s for _score_, _rank, s in sorted(moved, key=lambda m: (m[0], m[1]))]
        result[a] = _competitors_last(ordered)
    return result


def _moved(s: Suggestion, delta: float, *, marked: bool = False, alike: bool = True) -> Suggestion:
    extra = ((Reason("marked_good"),) if marked else ()) + (
        (Reason("like_good"),) if delta > 0 and alike else ()
    )
    tail = (Reason("like_declined"),) if delta < 0 else ()
    return Suggestion(
        s.partner_id,
        max(0.0, s.score + delta),
        competitor=s.competitor,
        source=lambda: extra + tuple(s.reasons) + tail,
    )


def _competitors_last(ordered: list[Suggestion]) -> list[Suggestion]:
    """Keep competitors out of the first TOP_SAFE suggestions (dropped when too few others)."""
    safe = [s for s in ordered if not s.competitor]
    if len(safe) < TOP_SAFE:
        return safe
    head = safe[:TOP_SAFE]
    return head + [s for s in ordered if all(s is not h for h in head)]
