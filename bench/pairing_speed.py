"""Time pairing on synthetic regions of 100, 1,000 and 10,000 businesses.

Sectors are drawn in proportions typical of a rural culture and experience region; each business
gets 2-5 offers and 2-5 needs from its group's defaults plus random extra tags, so the candidate
graph is as dense as a real one. One line per figure, then how each grows with n.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

import numpy as np

from method import taxonomy
from workshops import pairing
from workshops.pairing import Profile

SECTOR_SHARES = {
    "accommodation": 14,
    "food_service": 12,
    "local_food": 12,
    "guides_activities": 12,
    "travel_trade": 3,
    "performing_arts_events": 8,
    "visual_arts_media": 7,
    "heritage_museums": 5,
    "crafts": 10,
    "transport": 5,
    "retail": 6,
    "education_courses": 3,
    "enablers": 2,
    "community": 1,
}
REALMS = ("entertainment", "educational", "esthetic", "escapist")


def synthetic_region(n: int, seed: int = 7) -> list[Profile]:
    """Return n fictional businesses with realistic sectors, tags, ideas and places."""
    rng = random.Random(seed)
    all_tags = [t.key for t in taxonomy.tags()]
    groups = list(SECTOR_SHARES)
    municipalities = [f"Kommune {k}" for k in range(max(1, n // 250))]
    ideas = [f"idea-{k}" for k in range(max(5, n // 5))]
    profiles = []
    for i in range(n):
        group = rng.choices(groups, weights=list(SECTOR_SHARES.values()))[0]
        offers_default, needs_default = taxonomy.default_profile(group)
        offers = _draw(rng, offers_default, all_tags)
        needs = _draw(rng, needs_default, all_tags) - offers
        place = rng.randrange(len(municipalities))
        profiles.append(
            Profile(
                id=f"b{i}",
                name=f"Business {i:05d}",
                group=group,
                offers=offers,
                needs=needs,
                interests=frozenset(rng.sample(ideas, rng.choice((0, 0, 0, 1, 2)))),
                realms=frozenset(rng.sample(REALMS, rng.choice((0, 1, 2)))),
                municipality=municipalities[place],
                lat=59.0 + (place % 10) * 0.12 + rng.random() * 0.1,
                lon=9.0 + (place // 10) * 0.2 + rng.random() * 0.1,
            )
        )
    return profiles


def _draw(rng: random.Random, defaults: tuple[str, ...], all_tags: list[str]) -> frozenset[str]:
    size = rng.randint(2, 5)
    chosen = (
        set(rng.sample(defaults, min(len(defaults), rng.randint(1, size)))) if defaults else set()
    )
    while len(chosen) < size:
        chosen.add(rng.choice(all_tags))
    return frozenset(chosen)


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def main() -> None:
    """Print one line per figure."""
    sizes = (100, 1_000, 10_000)
    top_times, eco_times = {}, {}
    for n in sizes:
        region = synthetic_region(n)
        seconds, _ = _timed(lambda region=region: pairing.top_partners(region, 10))
        top_times[n] = seconds
        print(f"top-10 partners for all, n={n}: {seconds:.2f} s")
        seconds, found = _timed(lambda region=region: pairing.ecosystems(region))
        eco_times[n] = seconds
        print(f"ecosystems, n={n}: {seconds:.2f} s ({len(found)} proposals of 3-6)")
    for name, times in (("top-10", top_times), ("ecosystems", eco_times)):
        growth = ", ".join(
            f"x{times[b] / max(times[a], 1e-9):.1f} for n x{b // a}"
            for a, b in zip(sizes, sizes[1:], strict=False)
        )
        print(f"{name} growth: {growth}")
    room = synthetic_region(300, seed=11)
    seconds, meeting = _timed(lambda: pairing.speed_meeting(room))
    print(f"speed meeting, 300 present, greedy + swaps: {seconds:.3f} s")
    matrix = np.clip(pairing.score_matrix(room), 0, None)
    index = {p.id: k for k, p in enumerate(room)}
    greedy = pairing.matching_weight(matrix, [[index[x] for x in g] for g in meeting.groups])
    seconds, exact = _timed(lambda: pairing.speed_meeting(room, exact_up_to=len(room)))
    best = pairing.matching_weight(matrix, [[index[x] for x in g] for g in exact.groups])
    print(f"speed meeting, 300 present, exact (networkx): {seconds:.2f} s")
    print(f"speed meeting weight ratio greedy/exact: {greedy / best:.4f}")


if __name__ == "__main__":
    main()
