"""Synthetic regions of businesses for pairing tests and the pairing benchmark.

Sectors are drawn in proportions typical of a rural culture and experience region; each business
gets 2-5 offers and 2-5 needs from its group's defaults plus random extra tags, so the candidate
graph is as dense as a real one.
"""

from __future__ import annotations

import random

from method import taxonomy
from workshops.businesses.pairing import Profile

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
