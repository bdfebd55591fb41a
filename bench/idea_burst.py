"""Idea burst: a room of phones posts ideas at once (issue 5, "Measured").

600 phones behind one IP (each its own device: an `X-Device` header) post 1,500 ideas spread
evenly over 10 s (2 or 3 ideas per phone, 4 s apart, so the limit of 10 per device per 10 s is
never reached) to `POST /api/v1/workshops/CODE/ideas`, each with its own `Idempotency-Key`, while
a wall polls `GET /api/v1/workshops/CODE/ideas` about once a second with `If-None-Match`. A phone
sends its ideas one after the other and retries an idea, with the same key, after a network error,
a timeout, a 5xx or a 429 (after Retry-After, as the phone page does; at most 6 tries). Then the
same 1,500 ideas are posted flat out (64 requests in flight, new phones) to measure the capacity.

ours: the app served as `make run` serves it (gunicorn, 2 gthread workers of 4 threads:
tests/serverkit.py) on a throwaway SQLite database made by the command line (`db upgrade`,
`create-leader`, `create-project`, `create-workshop --template W2`); then the same on PostgreSQL when one is at hand
(BENCH_DATABASE_URL or TEST_DATABASE_URL, else a throwaway cluster from .ci/with-postgres; each
run uses a new database on that server, dropped afterwards).
bare: bench/bare_insert.py, Flask and one SQLite INSERT per idea, same JSON in and out, under the
same gunicorn command and the same load, in the same run.

Figures: acknowledged vs stored (rows counted in the database afterwards), errors, throughput
(during the burst, where it is capped by the offered 150/s, and flat out), latency from the first
try of an idea to its 201 (p50/p95/p99), server CPU per idea, and submit-to-wall (from an idea's
201 to the first wall answer that lists it). Aims: flat-out throughput at least 0.5 of bare,
burst latency p95 at most 300 ms, submit-to-wall p95 at most 1.5 s.

Run from the repository root: python -m bench.idea_burst (BENCH_QUICK=1: 240 phones, 600 ideas).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.serverkit import (
    NETWORK_ERRORS,
    ROOT,
    Server,
    app_env,
    fresh_postgres,
    http,
    is_postgres,
    percentile,
    prepare,
)

FULL = (600, 1500, 10.0)  # phones, ideas, seconds
QUICK = (240, 600, 4.0)
FLAT_OUT_IN_FLIGHT = 64
REQUEST_TIMEOUT = 30.0  # a phone's fetch waits long; a short timeout only adds load
MAX_TRIES = 6
WALL_EVERY = 1.0  # as the wall page: the next poll a second after the last answer
WALL_SETTLE = 10.0  # the wall keeps polling at most this long after the last acknowledgement
CHILD_TIMEOUT = 240.0  # the PostgreSQL part, cluster included
AIM_RATIO, AIM_P95, AIM_WALL_P95 = 0.5, 0.300, 1.5
PART = "BENCH_IDEA_PART"  # set in the child that runs the PostgreSQL part in a throwaway cluster
BARE_FIGURES = "BENCH_IDEA_BARE"  # the bare figures handed to that child


@dataclass
class Idea:
    phone: str
    key: str
    text: str
    due: float  # seconds after the start of the phase
    first_try: float | None = None
    acked: float | None = None
    body: dict | None = None
    status: int | str | None = None  # the final answer: 201, another status, or "network"
    tries: int = 0


@dataclass
class Phase:
    ideas: list[Idea]
    seconds: float = 0.0  # first try to last acknowledgement
    cpu: float = 0.0  # server CPU seconds during the phase
    cpu_wait: float = 0.0  # seconds the server's processes were runnable but had no CPU
    load: float = 0.0  # the machine's 1-minute load average at the start
    wall_seen: dict = field(default_factory=dict)  # idea id -> when a wall answer first listed it
    wall_polls: int = 0
    wall_failures: int = 0

    @property
    def acked(self) -> list[Idea]:
        return [i for i in self.ideas if i.status == 201]


def make_ideas(phones: int, count: int, seconds: float, tag: str) -> list[Idea]:
    """`count` ideas from `phones` phones, due evenly over `seconds`, each text unique."""
    devices = [f"{tag}-phone-{n:04d}-{secrets.token_hex(6)}" for n in range(phones)]
    made = []
    for n in range(count):
        key = f"{tag}-{n:05d}-{secrets.token_urlsafe(9)}"
        text = f"Idé {n + 1}: delt sykkelverksted ved stasjonen, åpent for alle 🚲 ({key})"
        made.append(Idea(devices[n % phones], key, text, n * seconds / count))
    return made


async def post(port: int, code: str, idea: Idea, start: float) -> None:
    """Send one idea until it is acknowledged or refused, retrying as the phone page does."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Device": idea.phone,
        "Idempotency-Key": idea.key,
    }
    body = json.dumps({"text": idea.text}).encode()
    backoff = 1.0
    for _ in range(MAX_TRIES):
        idea.tries += 1
        if idea.first_try is None:
            idea.first_try = time.monotonic() - start
        try:
            answer = await http(
                port, "POST", f"/api/v1/workshops/{code}/ideas", headers, body, REQUEST_TIMEOUT
            )
        except NETWORK_ERRORS:
            idea.status = "network"
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 15.0)
            continue
        idea.status = answer.status
        if answer.status == 201:
            idea.acked = time.monotonic() - start
            idea.body = json.loads(answer.body)
            return
        if answer.status != 429 and answer.status < 500:
            return  # refused for good: counted as an error
        retry_after = answer.headers.get("retry-after", "")
        await asyncio.sleep(min(15.0, float(retry_after) if retry_after.isdigit() else 2.0))


async def phone(port: int, code: str, ideas: list[Idea], start: float) -> None:
    """One phone: its ideas one after the other, each not before it is due."""
    for idea in ideas:
        await asyncio.sleep(max(0.0, start + idea.due - time.monotonic()))
        await post(port, code, idea, start)


async def wall(port: int, code: str, phase: Phase, start: float, done: asyncio.Event) -> None:
    """Poll the idea list like the wall page; note when each idea id first appears."""
    etag = None
    settle_until = None
    for _ in range(int(600 / WALL_EVERY)):
        if done.is_set():
            settle_until = settle_until or time.monotonic() + WALL_SETTLE
            acked = {i.body["id"] for i in phase.acked}
            if acked <= set(phase.wall_seen) or time.monotonic() > settle_until:
                return
        headers = {"Accept": "application/json"}
        if etag:
            headers["If-None-Match"] = etag
        try:
            answer = await http(
                port, "GET", f"/api/v1/workshops/{code}/ideas", headers, timeout=REQUEST_TIMEOUT
            )
        except NETWORK_ERRORS:
            answer = None
        got = time.monotonic() - start
        phase.wall_polls += 1
        if answer is not None and answer.status == 200:
            etag = answer.headers.get("etag", etag)
            for item in json.loads(answer.body)["ideas"]:  # {"cursor", "full", "ideas"}
                phase.wall_seen.setdefault(item["id"], got)
        elif answer is None or answer.status != 304:
            phase.wall_failures += 1
        await asyncio.sleep(WALL_EVERY)


async def burst(server: Server, code: str, ideas: list[Idea], with_wall: bool) -> Phase:
    """The paced burst: every phone posts its ideas when due; the wall polls meanwhile."""
    phase = Phase(ideas)
    by_phone: dict[str, list[Idea]] = {}
    for idea in ideas:
        by_phone.setdefault(idea.phone, []).append(idea)
    cpu, wait = server.usage()
    phase.load = os.getloadavg()[0]
    start = time.monotonic()
    done = asyncio.Event()
    watcher = (
        asyncio.create_task(wall(server.port, code, phase, start, done)) if with_wall else None
    )
    phones = [phone(server.port, code, own, start) for own in by_phone.values()]
    try:
        await asyncio.wait_for(asyncio.gather(*phones), 300)
    finally:
        done.set()
        if watcher is not None:
            await asyncio.wait_for(watcher, WALL_SETTLE + 2 * REQUEST_TIMEOUT)
    _usage(phase, server, cpu, wait)
    return phase


async def flat_out(server: Server, code: str, ideas: list[Idea]) -> Phase:
    """Every idea as soon as possible, FLAT_OUT_IN_FLIGHT at a time: the capacity."""
    phase = Phase(ideas)
    gate = asyncio.Semaphore(FLAT_OUT_IN_FLIGHT)

    async def one(idea: Idea) -> None:
        async with gate:
            await post(server.port, code, idea, start)

    cpu, wait = server.usage()
    phase.load = os.getloadavg()[0]
    start = time.monotonic()
    await asyncio.wait_for(asyncio.gather(*(one(i) for i in ideas)), 300)
    _usage(phase, server, cpu, wait)
    return phase


def _usage(phase: Phase, server: Server, cpu: float, wait: float) -> None:
    """The server's CPU and CPU wait during the phase, and its span (first try to last 201)."""
    now_cpu, now_wait = server.usage()
    phase.cpu, phase.cpu_wait = now_cpu - cpu, now_wait - wait
    tried = [i.first_try for i in phase.ideas if i.first_try is not None]
    acked = [i.acked for i in phase.ideas if i.acked is not None]
    phase.seconds = max(acked) - min(tried) if acked and tried else math.nan


# --- Counting what was stored -------------------------------------------------------------------


def stored_rows(database_url: str, code: str) -> list[tuple[int, str]]:
    """(id, text) of every idea of the workshop with this code, read after the run."""
    from sqlalchemy import create_engine, text

    from config import normalise_database_url

    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            return [
                (row[0], row[1])
                for row in connection.execute(
                    text(
                        "SELECT idea.id, idea.text FROM idea JOIN workshop"
                        " ON workshop.id = idea.workshop_id WHERE workshop.join_code = :code"
                    ),
                    {"code": code},
                )
            ]
    finally:
        engine.dispose()


def bare_rows(path: Path, code: str) -> list[tuple[int, str]]:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return list(connection.execute("SELECT id, text FROM idea WHERE code = ?", (code,)))
    finally:
        connection.close()


def tally(phase: Phase, rows: list[tuple[int, str]]) -> dict:
    """Acknowledged vs stored: lost (acknowledged, not stored as sent), duplicates, extras."""
    stored = dict(rows)
    texts = [text for _id, text in rows]
    acked = phase.acked
    lost = sum(1 for i in acked if stored.get(i.body["id"]) != i.text)
    acked_texts = {i.text for i in acked}
    return {
        "acked": len(acked),
        "stored": len(rows),
        "lost": lost,
        "duplicates": len(texts) - len(set(texts)),
        "unacked_stored": len(set(texts) - acked_texts),
    }


def figures(phase: Phase, rows: list[tuple[int, str]], flat: Phase) -> dict:
    """Every figure of one target, as plain numbers (so the child can be handed bare's)."""
    latencies = [i.acked - i.first_try for i in phase.acked]
    statuses: dict[str, int] = {}
    for idea in phase.ideas:
        if idea.status != 201:
            statuses[str(idea.status)] = statuses.get(str(idea.status), 0) + 1
    wall = [
        max(0.0, phase.wall_seen[i.body["id"]] - i.acked)
        for i in phase.acked
        if i.body["id"] in phase.wall_seen
    ]
    return {
        **tally(phase, rows),
        "errors": sum(statuses.values()),
        "error_statuses": statuses,
        "retries": sum(i.tries - 1 for i in phase.ideas) + sum(i.tries - 1 for i in flat.ideas),
        "flat_errors": sum(1 for i in flat.ideas if i.status != 201),
        "burst_rate": len(phase.acked) / phase.seconds if phase.seconds else math.nan,
        "flat_rate": len(flat.acked) / flat.seconds if flat.seconds else math.nan,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies, default=math.nan),
        "cpu_ms": 1000 * flat.cpu / len(flat.acked) if flat.acked else math.nan,
        "cpu_wait": phase.cpu_wait + flat.cpu_wait,
        "cpu": phase.cpu + flat.cpu,
        "load": max(phase.load, flat.load),
        "wall_p50": percentile(wall, 50),
        "wall_p95": percentile(wall, 95),
        "wall_max": max(wall, default=math.nan),
        "wall_unseen": len(phase.acked) - len(wall),
        "wall_polls": phase.wall_polls,
        "wall_failures": phase.wall_failures,
    }


# --- The two servers ----------------------------------------------------------------------------


def _both_phases(
    server: Server, label: str, codes: tuple[str, str], sizes: tuple[int, int, float], wall: bool
) -> tuple[Phase, Phase]:
    """Start the server, run the paced burst on codes[0] and flat out on codes[1], stop it."""
    phones, count, seconds = sizes
    try:
        server.start()
        paced = asyncio.run(burst(server, codes[0], make_ideas(phones, count, seconds, "b"), wall))
        flat = asyncio.run(flat_out(server, codes[1], make_ideas(phones, count, 0.0, "f")))
    except Exception as error:
        raise RuntimeError(f"{label}: {error} (server log: {server.log_tail()})") from error
    finally:
        server.stop()
    return paced, flat


def _result(paced: Phase, flat: Phase, paced_rows, flat_rows) -> dict:
    result = figures(paced, paced_rows, flat)
    flat_tally = tally(flat, flat_rows)
    result["flat_lost"] = flat_tally["lost"] + flat_tally["duplicates"]
    return result


def run_ours(database_url: str | None, label: str, phones: int, count: int, seconds: float):
    """The app on `database_url` (None: SQLite in a temporary folder): burst, then flat out."""
    scratch = Path(tempfile.mkdtemp(prefix="kraftverk-idea-burst-"))
    database_url = database_url or f"sqlite:///{scratch / 'ideas.sqlite3'}"
    try:
        env = app_env(scratch, database_url)
        codes = tuple(prepare(env, workshops=2))
        server = Server("run:app", env, scratch, "ours")
        paced, flat = _both_phases(server, label, codes, (phones, count, seconds), True)
        rows = [stored_rows(database_url, code) for code in codes]
        return _result(paced, flat, *rows)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run_bare(phones: int, count: int, seconds: float) -> dict:
    from bench.bare_insert import create_schema

    scratch = Path(tempfile.mkdtemp(prefix="kraftverk-idea-bare-"))
    try:
        database = scratch / "bare.sqlite3"
        create_schema(str(database))
        env = dict(os.environ, BARE_DATABASE=str(database))
        server = Server("bench.bare_insert:app", env, scratch, "bare")
        codes = ("BURST", "FLAT")
        paced, flat = _both_phases(server, "bare", codes, (phones, count, seconds), False)
        return _result(paced, flat, *(bare_rows(database, code) for code in codes))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# --- Report -------------------------------------------------------------------------------------


def _ms(value: float) -> str:
    return f"{1000 * value:7.0f} ms" if not math.isnan(value) else "      - ms"


def _ratio(mine: float, base: float) -> str:
    return f"{mine / base:.2f}" if base and not math.isnan(base) else "-"


def report(label: str, ours: dict, bare: dict, offered: float) -> None:
    p = f"  [{label}]"
    ok = ours["acked"] == ours["stored"] and not (
        ours["lost"] or ours["duplicates"] or ours["unacked_stored"]
    )
    print(
        f"{p} acknowledged vs stored: {ours['acked']} / {ours['stored']} ({ours['lost']} lost,"
        f" {ours['duplicates']} duplicates, {ours['unacked_stored']} stored but not"
        f" acknowledged): {'ok' if ok else 'WRONG'}; flat-out run: {ours['flat_lost']} lost"
        f" or doubled"
    )
    statuses = ", ".join(f"{n} x {s}" for s, n in ours["error_statuses"].items())
    print(
        f"{p} errors (final answers other than 201): {ours['errors']}"
        f"{f' ({statuses})' if statuses else ''}; flat-out run: {ours['flat_errors']};"
        f" retries: {ours['retries']} (bare: {bare['errors']} errors, {bare['retries']} retries)"
    )
    print(
        f"{p} throughput during the burst (offered {offered:.0f}/s): ours"
        f" {ours['burst_rate']:6.1f} ideas/s, bare {bare['burst_rate']:6.1f} ideas/s,"
        f" ratio (ours / bare) {_ratio(ours['burst_rate'], bare['burst_rate'])}"
    )
    print(
        f"{p} throughput flat out ({FLAT_OUT_IN_FLIGHT} in flight): ours"
        f" {ours['flat_rate']:6.1f} ideas/s, bare {bare['flat_rate']:6.1f} ideas/s,"
        f" ratio (ours / bare) {_ratio(ours['flat_rate'], bare['flat_rate'])}"
    )
    for name in ("p50", "p95", "p99", "max"):
        print(
            f"{p} latency {name:<3} (first try -> 201): ours {_ms(ours[name])}, bare"
            f" {_ms(bare[name])}, ratio (ours / bare) {_ratio(ours[name], bare[name])}"
        )
    print(
        f"{p} server CPU per idea (flat out): ours {ours['cpu_ms']:.2f} ms, bare"
        f" {bare['cpu_ms']:.2f} ms, ratio (ours / bare) {_ratio(ours['cpu_ms'], bare['cpu_ms'])}"
    )
    print(
        f"{p} submit-to-wall (201 -> first wall answer listing it): p50"
        f" {_ms(ours['wall_p50'])}, p95 {_ms(ours['wall_p95'])}, max {_ms(ours['wall_max'])};"
        f" {ours['wall_unseen']} never listed; {ours['wall_polls']} wall polls,"
        f" {ours['wall_failures']} failed"
    )
    for name, run in (("ours", ours), ("bare", bare)):
        print(
            f"{p} {name}: server CPU {run['cpu']:.1f} s, its processes waited"
            f" {run['cpu_wait']:.1f} s for a CPU; load average {run['load']:.1f} on"
            f" {os.cpu_count()} CPUs (a busy machine makes latencies worth little)"
        )
    ratio = ours["flat_rate"] / bare["flat_rate"] if bare["flat_rate"] else math.nan
    aims = (
        (f"throughput at least {AIM_RATIO} of bare (flat out)", ratio >= AIM_RATIO, f"{ratio:.2f}"),
        (
            f"latency p95 at most {AIM_P95 * 1000:.0f} ms",
            ours["p95"] <= AIM_P95,
            _ms(ours["p95"]).strip(),
        ),
        (
            f"submit-to-wall p95 at most {AIM_WALL_P95} s",
            ours["wall_p95"] <= AIM_WALL_P95 and not ours["wall_unseen"],
            f"{ours['wall_p95']:.2f} s",
        ),
        (
            "0 lost, 0 duplicates, 0 errors",
            ok and not ours["errors"] and not ours["flat_lost"],
            f"{ours['lost']} lost, {ours['duplicates']} duplicates, {ours['errors']} errors",
        ),
    )
    for text, met, value in aims:
        print(f"{p} aim: {text}: {'met' if met else 'NOT met'} ({value})")
    sys.stdout.flush()


def postgres_part(bare: dict, sizes: tuple[int, int, float]) -> None:
    """Run the app on PostgreSQL: a given server, else a throwaway cluster, else a note."""
    url = next(
        (
            u
            for u in (os.environ.get("BENCH_DATABASE_URL"), os.environ.get("TEST_DATABASE_URL"))
            if is_postgres(u)
        ),
        None,
    )
    if url:
        with fresh_postgres(url, "bench_ideas") as database_url:
            ours = run_ours(database_url, "postgresql", *sizes)
        report("postgresql", ours, bare, sizes[1] / sizes[2])
        return
    if os.environ.get(PART):
        raise RuntimeError("the throwaway cluster gave no PostgreSQL URL")
    env = dict(os.environ, **{PART: "postgresql", BARE_FIGURES: json.dumps(bare)})
    out, err, status = run_child(
        ["sh", str(ROOT / ".ci" / "with-postgres"), sys.executable, "-m", "bench.idea_burst"], env
    )
    for line in out.splitlines():
        if line.startswith("  ["):
            print(line)
    if status != 0:
        message = (err.strip().splitlines() or ["no message"])[-1]
        if "not installed" in err:
            print(f"  [postgresql] skipped: {message}")
            return
        raise RuntimeError(f"the PostgreSQL part failed: {message[:300]}")


def run_child(command: list[str], env: dict[str, str]) -> tuple[str, str, int]:
    """Run the PostgreSQL part in its own process group; on a time-out or an interruption the
    whole group is terminated (the child stops its server, the cluster script removes the
    cluster), then killed if it does not go."""
    child = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = child.communicate(timeout=CHILD_TIMEOUT)
    except BaseException as error:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGTERM)
        try:
            child.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
        if isinstance(error, subprocess.TimeoutExpired):
            raise RuntimeError(f"the PostgreSQL part took over {CHILD_TIMEOUT:.0f} s") from None
        raise
    return out, err, child.returncode


def _terminate(signum, _frame) -> None:
    """SIGTERM: leave through the `finally` blocks, so every server started is stopped."""
    raise SystemExit(128 + signum)


def main() -> None:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        run_all()
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_all() -> None:
    sizes = QUICK if os.environ.get("BENCH_QUICK") else FULL
    phones, count, seconds = sizes
    if os.environ.get(PART):  # the child inside a throwaway PostgreSQL cluster
        postgres_part(json.loads(os.environ[BARE_FIGURES]), sizes)
        return
    random.seed()
    print(
        f"idea_burst: {phones} phones (one IP, each its own X-Device) post {count} ideas spread"
        f" over {seconds:.0f} s while a wall polls the list about once a second, then the same"
        f" number flat out; ours = the app (gunicorn as `make run`: 2 gthread workers of 4"
        f" threads), bare = Flask + one SQLite INSERT under the same gunicorn and load",
        flush=True,
    )
    ours = run_ours(None, "sqlite", *sizes)
    bare = run_bare(*sizes)
    report("sqlite", ours, bare, count / seconds)
    postgres_part(bare, sizes)


if __name__ == "__main__":
    main()
