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
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import numpy as np

from tests.pairing_regions import synthetic_region
from workshops.businesses import pairing
from workshops.businesses.pairing.matrix import _workers

ROOT = Path(__file__).resolve().parent.parent
# The engine before sparse candidate scoring (the parent of commit ca0305d).
PREVIOUS = "4036b9b847394041527a0ec0908b5891a84e5802"
PREVIOUS_PATH = "workshops/pairing.py"  # where the engine was one module


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


def _load() -> str:
    """The machine's load: wall time is only worth as much as the cores left free."""
    if not hasattr(os, "getloadavg"):
        return "load unknown"
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _run(engines: list[tuple[str, ModuleType]]) -> None:
    sizes = (100, 1_000, 10_000)
    print(
        f"{_load()}; blocks of a region of 10,000 are scored on {_workers(10_000)} thread(s), "
        "so CPU may exceed wall"
    )
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
    print(_load())


if __name__ == "__main__":
    main()
