"""Run every benchmark: python -m bench (what `make bench` calls).

Each module prints its own figures, one line per figure with its ratio to a baseline run in the
same process. A module not written yet is skipped with a note; one that fails is reported and the
others still run; the exit status is 1 when any failed.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback

MODULES = (
    "bench.live_poll",
    "bench.wall_poll",
    "bench.public_load",
    "bench.charts_speed",
    "bench.pairing_quality",
    "bench.pairing_speed",
    "bench.evaluations_speed",
    "bench.report_speed",
    "bench.idea_burst",
    "bench.cluster_burst",
)


def run(name: str) -> str:
    """Run one module's main(); 'ok', 'skipped' or 'failed'."""
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name == name:
            print(f"{name}: skipped (not written yet)", flush=True)
            return "skipped"
        print(f"{name}: FAILED to import: {error}", flush=True)
        return "failed"
    except Exception as error:  # a broken module must not stop the others
        print(f"{name}: FAILED to import: {type(error).__name__}: {error}", flush=True)
        return "failed"
    main = getattr(module, "main", None)
    if not callable(main):
        print(f"{name}: FAILED: it has no main()", flush=True)
        return "failed"
    started = time.monotonic()
    try:
        main()
    except (Exception, SystemExit) as error:
        if isinstance(error, SystemExit) and error.code in (0, None):
            return "ok"
        sys.stdout.flush()
        traceback.print_exc(limit=3, file=sys.stderr)
        print(f"{name}: FAILED: {type(error).__name__}: {error}", flush=True)
        return "failed"
    finally:
        sys.stdout.flush()
    print(f"{name}: done in {time.monotonic() - started:.0f} s", flush=True)
    return "ok"


def main() -> int:
    results = {name: run(name) for name in MODULES}
    failed = [name for name, result in results.items() if result == "failed"]
    ran = sum(result == "ok" for result in results.values())
    skipped = sum(result == "skipped" for result in results.values())
    print(f"bench: {ran} ran, {skipped} skipped, {len(failed)} failed", end="")
    print(f" ({', '.join(failed)})" if failed else "")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
