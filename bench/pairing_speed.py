"""Time pairing on synthetic regions of 100, 1,000 and 10,000 businesses.

Sectors are drawn in proportions typical of a rural culture and experience region; each business
gets 2-5 offers and 2-5 needs from its group's defaults plus random extra tags, so the candidate
graph is as dense as a real one. One line per figure (wall and CPU seconds: the machine may be
shared), then how each grows with n. With --previous, an older engine is timed in the same
process for comparison: by default the one before sparse candidate scoring (commit 4036b9b), or
the one of any revision given (`--previous REV`) whose engine is one file, workshops/pairing.py.
It is read from git (`git show REV:workshops/pairing.py`) into a temporary folder and loaded
from there; it runs on today's `method/` data.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from method import taxonomy
from workshops.businesses import pairing
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
ROOT = Path(__file__).resolve().parent.parent
# The engine before sparse candidate scoring (the parent of commit ca0305d).
PREVIOUS = "4036b9b847394041527a0ec0908b5891a84e5802"
PREVIOUS_PATH = "workshops/pairing.py"  # where the engine was one module


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


def previous_engine(revision: str, folder: Path) -> ModuleType:
    """Check the pairing engine of `revision` out of git into `folder` and load it as a module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{PREVIOUS_PATH}"],
        cwd=ROOT,
        capture_output=True,
        check=False,
    )
    if source.returncode != 0:
        message = source.stderr.decode(errors="replace").strip()
        raise SystemExit(f"no engine at {revision}:{PREVIOUS_PATH}: {message}")
    path = folder / "pairing_previous.py"
    path.write_bytes(source.stdout)
    spec = importlib.util.spec_from_file_location("pairing_previous", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


def _timed(action: Callable[[], object]) -> tuple[float, float, object]:
    """Return wall seconds, CPU seconds of this process (the machine may be shared), result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _growth(sizes: tuple[int, ...], times: dict[int, float]) -> str:
    return ", ".join(
        f"x{times[b] / max(times[a], 1e-9):.1f} for n x{b // a}"
        for a, b in zip(sizes, sizes[1:], strict=False)
    )


def main(argv: list[str] | None = None) -> None:
    """Print one line per figure (wall and CPU seconds); --previous also times the old engine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--previous",
        nargs="?",
        const=PREVIOUS,
        metavar="REV",
        help="also time the engine of git revision REV (default: before sparse candidate scoring)",
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kraftverk-pairing-") as scratch:
        engines: list[tuple[str, ModuleType]] = [("now", pairing)]
        if args.previous:
            engines.append(("previous", previous_engine(args.previous, Path(scratch))))
        _run(engines)


def _run(engines: list[tuple[str, ModuleType]]) -> None:
    sizes = (100, 1_000, 10_000)
    for label, engine in engines:
        top_cpu, eco_cpu, top_wall, eco_wall = {}, {}, {}, {}
        for n in sizes:
            region = synthetic_region(n)
            wall, cpu, _ = _timed(lambda e=engine, r=region: e.top_partners(r, 10))
            top_wall[n], top_cpu[n] = wall, cpu
            print(f"[{label}] top-10 partners for all, n={n}: {wall:.2f} s wall, {cpu:.2f} s CPU")
            wall, cpu, found = _timed(lambda e=engine, r=region: e.ecosystems(r))
            eco_wall[n], eco_cpu[n] = wall, cpu
            print(
                f"[{label}] ecosystems, n={n}: {wall:.2f} s wall, {cpu:.2f} s CPU "
                f"({len(found)} proposals of 3-6)"
            )
        for name, times in (("top-10", top_cpu), ("ecosystems", eco_cpu)):
            print(f"[{label}] {name} growth (CPU): {_growth(sizes, times)}")
        room = synthetic_region(300, seed=11)
        wall, cpu, meeting = _timed(lambda e=engine, r=room: e.speed_meeting(r))
        print(
            f"[{label}] speed meeting, 300 present, greedy + swaps: {wall:.3f} s wall, "
            f"{cpu:.3f} s CPU"
        )
        matrix = np.clip(engine.score_matrix(room), 0, None)
        index = {p.id: k for k, p in enumerate(room)}
        greedy = engine.matching_weight(matrix, [[index[x] for x in g] for g in meeting.groups])
        wall, cpu, exact = _timed(lambda e=engine, r=room: e.speed_meeting(r, exact_up_to=len(r)))
        best = engine.matching_weight(matrix, [[index[x] for x in g] for g in exact.groups])
        print(
            f"[{label}] speed meeting, 300 present, exact (networkx): {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU"
        )
        print(f"[{label}] speed meeting weight ratio greedy/exact: {greedy / best:.4f}")


if __name__ == "__main__":
    main()
