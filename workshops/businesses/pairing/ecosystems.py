"""Ecosystem proposals: groups of 3-6 businesses that together cover a visitor's day."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from method import taxonomy
from workshops import collector
from workshops.businesses.pairing.ranking import partner_edges
from workshops.businesses.pairing.scoring import WEIGHTS, Profile, Reason, Weights, score_pair


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
    builds_on: tuple[str, ...] = ()  # names of the leader's ecosystems this one adds to


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
    named: Sequence[tuple[str, Sequence[str]]] = (),
) -> list[Ecosystem]:
    """Propose groups of 3-6 businesses that together cover a visitor's day (stay, eat, do, buy).

    Communities come from Louvain on the partner graph (seeded, so repeatable); large ones are
    split and small ones joined to their closest neighbour. Best covering proposals first.
    `named` holds the leader's named ecosystems as (name, member ids): a proposal that shares two
    thirds or more of its members with one (of the larger of the two) is left out, and one that
    shares at least two says what it would add to it (`builds_on`).
    """
    with collector.paused():
        return _ecosystems(profiles, graph, seed, sizes, weights, named)


def _ecosystems(
    profiles: Sequence[Profile],
    graph: nx.Graph | None,
    seed: int,
    sizes: tuple[int, int],
    weights: Weights,
    named: Sequence[tuple[str, Sequence[str]]],
) -> list[Ecosystem]:
    low, high = sizes
    # The graph as plain dicts (build_graph's when none is given): no graph objects on the way.
    adj = _partner_adjacency(profiles, 6, weights) if graph is None else _graph_adjacency(graph)
    by_id = {p.id: p for p in profiles}
    # One Louvain level is enough: proposals are small, and deeper levels only merge them.
    communities = [set(c) for c in _louvain(adj, list(adj), None, seed, max_level=1)]
    sized: list[set[str]] = []
    for community in communities:
        sized += _split(adj, community, high, seed)
    sized = _merge_small(adj, sized, low, high)
    proposals = [
        _proposal(adj, [by_id[x] for x in sorted(c, key=lambda x: by_id[x].name)], weights)
        for c in sized
        if low <= len(c) <= high
    ]
    if named:
        proposals = [
            _builds_on(e, named, by_id) for e in proposals if not repeats_named(e.members, named)
        ]
    return sorted(proposals, key=lambda e: (-len(e.coverage), -e.score, e.members))


def repeats_named(members: Sequence[str], named: Sequence[tuple[str, Sequence[str]]]) -> bool:
    """Tell whether a group is (nearly) one the leader named: two thirds or more shared, or
    nothing but some of its members."""
    mine = set(members)
    return any(shares_two_thirds(mine, theirs) or mine <= set(theirs) for _name, theirs in named)


def shares_two_thirds(members: Iterable[str], others: Iterable[str]) -> bool:
    """Tell whether two groups share two thirds or more of the larger one's members."""
    mine, theirs = set(members), set(others)
    return 3 * len(mine & theirs) >= 2 * max(len(mine), len(theirs))


def _builds_on(
    proposal: Ecosystem,
    named: Sequence[tuple[str, Sequence[str]]],
    by_id: Mapping[str, Profile],
) -> Ecosystem:
    """Say what a proposal adds to each named ecosystem it shares two members or more with."""
    mine = set(proposal.members)
    reasons = list(proposal.reasons)
    builds_on = []
    for name, theirs in named:
        theirs_set = {x for x in theirs if x in by_id}
        if len(mine & theirs_set) < 2:
            continue
        added = sorted((by_id[x] for x in mine - theirs_set), key=lambda p: p.name)
        had: set[str] = set()
        for x in theirs_set:
            had |= _day_parts(by_id[x])
        new_parts = tuple(x for x in proposal.coverage if x not in had)
        builds_on.append(name)
        reasons.append(Reason("adds_to_named", giver=", ".join(p.name for p in added), idea=name))
        if new_parts:
            reasons.append(Reason("adds_day_parts", idea=name, parts=new_parts))
    if not builds_on:
        return proposal
    return replace(proposal, reasons=tuple(reasons), builds_on=tuple(builds_on))


def _split(
    adj: _Adjacency, community: set[str], high: int, seed: int, depth: int = 0
) -> list[set[str]]:
    """Split a community that is too large: Louvain at a finer resolution, else grow groups."""
    if len(community) <= high:
        return [community]
    # The subgraph's nodes in an order that does not depend on string hashing, so every process
    # (every worker, every host, whatever its PYTHONHASHSEED) proposes the same groups.
    shown = {n for n in community if n in adj}
    nodes = sorted(shown, key=str) if 2 * len(shown) < len(adj) else [n for n in adj if n in shown]
    has_edges = any(v in shown for u in nodes for v in adj[u])
    if depth < 3 and len(community) <= 20 * high and has_edges:
        parts = _louvain(adj, nodes, shown, seed, resolution=2.0 ** (depth + 1))
        if len(parts) > 1:
            return [s for part in parts for s in _split(adj, set(part), high, seed, depth + 1)]
    return _grow(adj, nodes, shown, high)


def _grow(adj: _Adjacency, nodes: list[str], shown: set[str], high: int) -> list[set[str]]:
    """Cut a community into groups of at most `high` by growing around its strongest members."""
    strength = {x: sum(w for y, w in adj[x].items() if y in shown) for x in nodes}
    order = sorted(nodes, key=lambda x: (-strength[x], str(x)))
    left = set(nodes)
    groups = []
    for seed_node in order:
        if seed_node not in left:
            continue
        group = {seed_node}
        left.discard(seed_node)
        gain: dict[str, float] = defaultdict(float)
        newest = seed_node
        while len(group) < high:
            for y, weight in adj[newest].items():
                if y in left:
                    gain[y] += weight
            candidates = [y for y in gain if y in left]
            if not candidates:
                break
            newest = max(candidates, key=lambda y: (gain[y], str(y)))
            group.add(newest)
            left.discard(newest)
        groups.append(group)
    return groups


def _merge_small(adj: _Adjacency, groups: list[set[str]], low: int, high: int) -> list[set[str]]:
    """Join groups smaller than `low` to the neighbouring group they are most tied to."""
    groups = sorted((set(g) for g in groups), key=lambda g: (-len(g), sorted(map(str, g))))
    owner = {x: k for k, g in enumerate(groups) for x in g}
    for k, group in enumerate(groups):
        if not group or len(group) >= low:
            continue
        ties: dict[int, float] = defaultdict(float)
        for x in group:
            for y, weight in adj[x].items():
                target = owner.get(y, k)
                if target != k:
                    ties[target] += weight
        room = [t for t in ties if len(groups[t]) + len(group) <= high]
        if room:
            best = max(room, key=lambda t: (ties[t], -t))
            groups[best] |= group
            for x in group:
                owner[x] = best
            groups[k] = set()
    return [g for g in groups if g]


def _proposal(adj: _Adjacency, members: list[Profile], weights: Weights) -> Ecosystem:
    covered: set[str] = set()
    roles: set[str] = set()
    for p in members:
        covered |= _day_parts(p)
        roles |= _roles(p)
    coverage = tuple(x for x in taxonomy.DAY_PARTS if x in covered)
    missing = tuple(x for x in taxonomy.DAY_PARTS if x not in covered)
    viable = {"reason_to_go", "base_service", "market_access"} <= roles
    internal = [
        (adj[a.id][b.id], a, b)
        for x, a in enumerate(members)
        for b in members[x + 1 :]
        if b.id in adj.get(a.id, {})
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


# --- communities -------------------------------------------------------------------------------
# Louvain as networkx 3.6's louvain_communities(G, weight="weight", ...) runs it, step for step:
# the same random order of nodes, the same sums in the same order and the same set operations,
# so the same communities as networkx, with no graph objects, views or modularity of the first
# level on the way (about three times faster at 10,000 businesses). networkx would iterate a
# small subgraph's nodes in the order of a set of them, which depends on string hashing; _split
# gives them in sorted order instead, so every process proposes the same groups.

_Adjacency = dict[str, dict[str, float]]  # node -> neighbour -> weight, in networkx's order
_THRESHOLD = 0.0000001  # networkx's default: a level must gain this much modularity


@dataclass
class _Level:
    """One level of Louvain's graph: nodes, their neighbours by position (insertion order kept,
    self-loops included), weighted degrees, and the first level's nodes each one stands for."""

    labels: list
    rows: list[dict[int, float]]
    members: list[set] | None = None

    def __post_init__(self) -> None:
        self.index = {u: k for k, u in enumerate(self.labels)}
        # networkx's weighted degree: a self-loop counts twice.
        self.degrees = [
            sum(w for w in row.values()) + (k in row and row[k]) for k, row in enumerate(self.rows)
        ]


def _graph_adjacency(graph: nx.Graph) -> _Adjacency:
    return {u: {v: d.get("weight", 1) for v, d in nbrs.items()} for u, nbrs in graph.adjacency()}


def _partner_adjacency(profiles: Sequence[Profile], keep: int, weights: Weights) -> _Adjacency:
    """build_graph(profiles, keep) as plain dicts: the same nodes, edges, weights and order."""
    adj: _Adjacency = {p.id: {} for p in profiles}
    for i, row in enumerate(partner_edges(profiles, keep, weights)):
        a = profiles[i].id
        for score, j, competitor, _exact in row:
            if not competitor:
                b = profiles[j].id
                adj[a][b] = score
                adj[b][a] = score
    return adj


def _louvain(
    adj: _Adjacency,
    nodes: list[str],
    shown: set[str] | None,
    seed: int | None,
    resolution: float = 1,
    max_level: int | None = None,
) -> list[set[str]]:
    """Return louvain_communities(G, weight="weight", resolution, seed=seed, max_level=max_level)
    for G the graph `adj` induced on `shown` (None: all of it), whose nodes networkx iterates in
    the order of `nodes`."""
    rng = random.Random(seed)  # noqa: S311 - networkx's seeded order of nodes, no secret
    index = {u: k for k, u in enumerate(nodes)}
    graph = _Level(
        list(nodes),
        [{index[v]: w for v, w in adj[u].items() if shown is None or v in shown} for u in nodes],
    )
    partition = [{u} for u in nodes]
    if not any(graph.rows):
        return partition
    mod = _modularity(graph, partition, resolution)
    # networkx copies G edge by edge, which reorders each node's neighbours.
    rows: list[dict[int, float]] = [{} for _ in nodes]
    seen: set[int] = set()
    for k, row in enumerate(graph.rows):
        for j, w in row.items():
            if j not in seen:
                rows[k][j] = w
                rows[j][k] = w
        seen.add(k)
    level = _Level(graph.labels, rows)
    m = sum(level.degrees) / 2
    partition, inner, improvement = _one_level(level, m, partition, resolution, rng)
    improvement = True
    levels = 0
    while improvement:
        result = [s.copy() for s in partition]
        levels += 1
        if max_level is not None and levels >= max_level:
            return result
        new_mod = _modularity(level, inner, resolution)
        if new_mod - mod <= _THRESHOLD:
            return result
        mod = new_mod
        level = _next_level(level, inner)
        partition, inner, improvement = _one_level(level, m, partition, resolution, rng)
    return result


def _modularity(level: _Level, communities: list[set], resolution: float) -> float:
    """networkx's modularity, summed in its order."""
    deg_sum = sum(level.degrees)
    m = deg_sum / 2
    norm = 1 / deg_sum**2

    def contribution(community: set) -> float:
        comm = set(community)
        inside = []
        seen: set[int] = set()
        for u in comm:
            k = level.index[u]
            for j, w in level.rows[k].items():
                if j not in seen and level.labels[j] in comm:
                    inside.append(w)
            seen.add(k)
        out_degree_sum = sum([level.degrees[level.index[u]] for u in comm])
        return sum(inside) / m - resolution * out_degree_sum * out_degree_sum * norm

    return sum(map(contribution, communities))


def _one_level(
    level: _Level, m: float, partition: list[set], resolution: float, rng: random.Random
) -> tuple[list[set], list[set], bool]:
    """networkx's _one_level: move nodes to the neighbouring community that gains the most."""
    labels, degrees = level.labels, level.degrees
    node2com = list(range(len(labels)))
    inner = [{u} for u in labels]
    stot = list(degrees)
    nbrs = [[(j, w) for j, w in row.items() if j != k] for k, row in enumerate(level.rows)]
    order = list(range(len(labels)))
    rng.shuffle(order)
    m2 = 2 * m**2
    improvement = False
    nb_moves = 1
    while nb_moves > 0:
        nb_moves = 0
        for u in order:
            best_mod = 0
            best_com = node2com[u]
            weights2com: dict[int, float] = {}
            for j, wt in nbrs[u]:
                c = node2com[j]
                if c in weights2com:
                    weights2com[c] += wt
                else:  # networkx starts from 0.0, and 0.0 + wt is wt
                    weights2com[c] = wt
            degree = degrees[u]
            stot[best_com] -= degree
            if best_com not in weights2com:
                weights2com[best_com] = 0.0
            remove_cost = -weights2com[best_com] / m + resolution * (stot[best_com] * degree) / m2
            for nbr_com, wt in weights2com.items():
                gain = remove_cost + wt / m - resolution * (stot[nbr_com] * degree) / m2
                if gain > best_mod:
                    best_mod = gain
                    best_com = nbr_com
            stot[best_com] += degree
            if best_com != node2com[u]:
                com = level.members[u] if level.members is not None else {labels[u]}
                partition[node2com[u]].difference_update(com)
                inner[node2com[u]].remove(labels[u])
                partition[best_com].update(com)
                inner[best_com].add(labels[u])
                improvement = True
                nb_moves += 1
                node2com[u] = best_com
    return list(filter(len, partition)), list(filter(len, inner)), improvement


def _next_level(level: _Level, inner: list[set]) -> _Level:
    """networkx's _gen_graph: one node per community, edges summed in networkx's order."""
    node2com: dict = {}
    members = []
    for i, part in enumerate(inner):
        nodes: set = set()
        for node in part:
            node2com[node] = i
            k = level.index[node]
            nodes.update(level.members[k] if level.members is not None else {node})
        members.append(nodes)
    rows: list[dict[int, float]] = [{} for _ in inner]
    seen: set[int] = set()
    for k, row in enumerate(level.rows):
        com1 = node2com[level.labels[k]]
        for j, wt in row.items():
            if j not in seen:
                com2 = node2com[level.labels[j]]
                total = wt + rows[com1].get(com2, 0)
                rows[com1][com2] = total
                rows[com2][com1] = total
        seen.add(k)
    return _Level(list(range(len(inner))), rows, members)
