"""Ecosystem proposals: groups of 3-6 businesses that together cover a visitor's day."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import networkx as nx

from method import taxonomy
from workshops.businesses.pairing.ranking import build_graph
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
    if named:
        proposals = [
            _builds_on(e, named, by_id) for e in proposals if not repeats_named(e.members, named)
        ]
    return sorted(proposals, key=lambda e: (-len(e.coverage), -e.score, e.members))


def repeats_named(members: Sequence[str], named: Sequence[tuple[str, Sequence[str]]]) -> bool:
    """Tell whether a group is (nearly) one the leader named: two thirds or more shared, or
    nothing but some of its members."""
    mine = set(members)
    return any(
        3 * len(mine & set(theirs)) >= 2 * max(len(mine), len(set(theirs))) or mine <= set(theirs)
        for _name, theirs in named
    )


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
