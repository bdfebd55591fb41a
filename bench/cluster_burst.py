"""A regional host under load: PostgreSQL, two app servers and nginx, as `make cluster` starts them.

ours: app/cluster.py's Cluster (a throwaway PostgreSQL, two gunicorn app servers with gthread
workers as `make run` starts them, nginx round-robin in front).
bare: bench/bare_pg.py (Flask and one INSERT per write on the same PostgreSQL server, its own
tables) served by two app servers with the same gunicorn command behind an nginx with the same
site file, started in the same run.

Phases, each against ours and then bare through nginx:
1. ideas flat out: 1,500 ideas (600 in BENCH_QUICK), 64 requests in flight, new phones; ideas/s;
2. ideas paced: the same number spread evenly over 10 s from 600 phones (240), each phone's ideas
   4 s apart; latency p50/p95/p99 from the first try to the 201, retries after errors;
3. evaluation answers: 300 respondents (120) flat out (32 in flight), then paced over 10 s;
4. ten workshops live at once (ours only), 30 phones and a wall each polling the live state every
   second with If-None-Match; a leader presses "next" in each workshop in turn (three presses
   each); press-to-every-client is the time from the press's answer until the last of the 31
   clients of that workshop has seen the new step; p95 over the presses.
The load generator's own CPU seconds and the machine's load average are printed with each phase.
Aims (issue 18): ideas flat out at least 0.5x bare; paced p95 at most 300 ms; the same for evaluation
answers; press to every phone p95 at most 2 s.

Run from the repository root: python -m bench.cluster_burst (BENCH_QUICK=1 for a smaller run).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests

from app.cluster import Cluster
from bench import bare_pg
from tests.serverkit import NETWORK_ERRORS, http, percentile

QUICK = bool(os.environ.get("BENCH_QUICK"))
IDEAS = 600 if QUICK else 1500
PHONES = 240 if QUICK else 600
RESPONDENTS = 120 if QUICK else 300
SECONDS = 10.0
LIVE_WORKSHOPS, LIVE_PHONES, PRESSES = 10, 30, 3
LEADER = "leader@cluster-bench.example"
PASSWORD = "bench-" + secrets.token_urlsafe(12)
SLUG = "cluster-bench"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    acknowledged: int = 0
    seconds: float = 0.0
    cpu: float = 0.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _write(port: int, path: str, body: dict, headers: dict, phase: Phase) -> None:
    started = time.monotonic()
    data = json.dumps(body).encode()
    for _attempt in range(8):
        try:
            reply = await http(port, "POST", path, headers, data, timeout=30)
        except NETWORK_ERRORS:
            phase.errors += 1
            await asyncio.sleep(0.2)
            continue
        if reply.status in (200, 201):
            phase.latencies.append(time.monotonic() - started)
            phase.acknowledged += 1
            return
        phase.errors += 1
        await asyncio.sleep(1.0 if reply.status in (429, 503) else 0.2)


def _idea(n: int, tag: str) -> tuple[dict, dict]:
    device = f"{tag}-phone-{n % PHONES}-{secrets.token_hex(4)}"
    headers = {
        "Content-Type": "application/json",
        "X-Device": device,
        "Idempotency-Key": f"{tag}-{n}-{secrets.token_hex(6)}",
    }
    return {"text": f"Idé {n} for {tag}"}, headers


async def flat_out(port: int, count: int, in_flight: int, make) -> Phase:
    phase, queue = Phase(), asyncio.Queue()
    for n in range(count):
        queue.put_nowait(n)

    async def worker() -> None:
        while not queue.empty():
            n = queue.get_nowait()
            path, body, headers = make(n)
            await _write(port, path, body, headers, phase)

    cpu, started = _cpu(), time.monotonic()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    phase.seconds, phase.cpu = time.monotonic() - started, _cpu() - cpu
    return phase


async def paced(port: int, count: int, seconds: float, make) -> Phase:
    phase = Phase()
    cpu, started = _cpu(), time.monotonic()

    async def one(n: int) -> None:
        await asyncio.sleep(seconds * n / count)
        path, body, headers = make(n)
        await _write(port, path, body, headers, phase)

    await asyncio.gather(*(one(n) for n in range(count)))
    phase.seconds, phase.cpu = time.monotonic() - started, _cpu() - cpu
    return phase


def _leader_session(base: str) -> requests.Session:
    session = requests.Session()
    token = CSRF.search(session.get(f"{base}/login", timeout=30).text).group(1)
    session.post(
        f"{base}/login",
        data={"csrf_token": token, "email": LEADER, "password": PASSWORD},
        timeout=30,
    )
    return session


def _sql(url: str, statement: str, *params):
    with psycopg.connect(
        url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
    ) as c:
        rows = c.execute(statement, params)
        return rows.fetchall() if rows.description else None


async def live_room(cluster: Cluster, codes: list[tuple[str, int]]) -> tuple[list[float], float]:
    """Ten workshops live, 31 clients each; the delays from each press to its last client."""
    port = cluster.port
    seen: dict[str, dict[str, str]] = {code: {} for code, _ in codes}
    stop = asyncio.Event()
    errors = 0

    async def client(code: str, name: str) -> None:
        nonlocal errors
        tag = None
        headers = {"X-Device": f"{name}-{secrets.token_hex(6)}"}
        while not stop.is_set():
            try:
                reply = await http(
                    port,
                    "GET",
                    f"/api/v1/workshops/{code}",
                    {**headers, **({"If-None-Match": tag} if tag else {})},
                    timeout=10,
                )
                if reply.status == 200:
                    tag = reply.headers.get("etag")
                    step = json.loads(reply.body).get("step") or {}
                    seen[code][name] = str(step.get("id") if isinstance(step, dict) else step)
            except NETWORK_ERRORS:
                errors += 1
            await asyncio.sleep(1.0)

    leader = _leader_session(cluster.url)
    console = leader.get(
        f"{cluster.url}/projects/{SLUG}/workshops/{codes[0][1]}/console", timeout=30
    ).text
    token = CSRF.search(console).group(1)

    def press(workshop_id: int, action: str) -> None:
        code = next(c for c, w in codes if w == workshop_id)
        step = requests.get(f"{cluster.url}/api/v1/workshops/{code}", timeout=30).json()["step"]
        leaving = str(step["id"]) if step else ""  # the step the console shows as current
        leader.post(
            f"{cluster.url}/projects/{SLUG}/workshops/{workshop_id}/live/{action}",
            data={"csrf_token": token, "leaving": leaving},
            headers={"Accept": "application/json"},
            timeout=30,
        )

    loop = asyncio.get_running_loop()
    for _code, workshop_id in codes:
        await loop.run_in_executor(None, press, workshop_id, "start")
    clients = [
        asyncio.create_task(client(code, name))
        for code, _ in codes
        for name in [f"wall-{code}"] + [f"phone-{code}-{n}" for n in range(LIVE_PHONES)]
    ]
    await asyncio.sleep(3)
    delays = []
    cpu = _cpu()
    for _round in range(PRESSES):
        for code, workshop_id in codes:
            before = dict(seen[code])
            await loop.run_in_executor(None, press, workshop_id, "next")
            pressed = time.monotonic()
            while time.monotonic() - pressed < 10:
                if all(seen[code].get(name) != before.get(name) for name in before):
                    break
                await asyncio.sleep(0.05)
            delays.append(time.monotonic() - pressed)
            await asyncio.sleep(0.3)
    stop.set()
    await asyncio.gather(*clients, return_exceptions=True)
    return delays, _cpu() - cpu


def _line(label: str, ours: float, bare: float, unit: str) -> str:
    ratio = ours / bare if bare else float("nan")
    return f"  {label}: ours {ours:.1f} {unit}, bare {bare:.1f} {unit}, ratio {ratio:.2f}"


def _latency(phase: Phase) -> str:
    ms = [1000 * x for x in phase.latencies]
    return (
        f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"p99 {percentile(ms, 99):.0f} ms, acknowledged {phase.acknowledged}, "
        f"errors/retries {phase.errors}, load generator CPU {phase.cpu:.1f} s"
    )


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="kraftverk-cluster-bench-"))
    ours = Cluster(folder / "ours", demo=False)
    bare = None
    try:
        ours.start()
        env = dict(ours.servers[0].env)
        import subprocess
        import sys

        subprocess.run(  # noqa: S603
            [sys.executable, "-m", "flask", "--app", "run", "create-leader", LEADER],
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            input=PASSWORD + "\n",
            text=True,
            capture_output=True,
            check=True,
        )
        ours.flask("create-project", SLUG, "--name", "Cluster bench", "--leader", LEADER)

        def workshop(title: str) -> tuple[str, int]:
            out = ours.flask(
                "create-workshop", "--project", SLUG, "--title", title, "--template", "W2"
            )
            code = out.strip().splitlines()[-1].strip()
            (wid,) = _sql(ours.database_url, "SELECT id FROM workshop WHERE join_code=%s", code)[0]
            return code, wid

        burst_code, burst_id = workshop("Burst")
        _sql(
            ours.database_url,
            "UPDATE evaluation_form SET status='open' WHERE workshop_id=%s",
            burst_id,
        )
        (form_token,) = _sql(
            ours.database_url, "SELECT token FROM evaluation_form WHERE workshop_id=%s", burst_id
        )[0]
        form = requests.get(f"{ours.url}/api/v1/evaluations/{form_token}", timeout=30).json()
        answers = {
            q["id"]: ([q["options"][0]["id"]] if q["type"] == "multiple" else q["options"][0]["id"])
            for q in form["questions"]
            if q["type"] != "text"
        }
        live_codes = [workshop(f"Live {n + 1}") for n in range(LIVE_WORKSHOPS)]

        bare_pg.create_schema(ours.database_url)
        bare = Cluster(
            folder / "bare", database_url=ours.database_url, app="bench.bare_pg:app", demo=False
        )
        bare.start()

        def idea_maker(tag):
            def make(n):
                body, headers = _idea(n, tag)
                return f"/api/v1/workshops/{burst_code}/ideas", body, headers

            return make

        def answer_maker(tag):
            def make(n):
                headers = {
                    "Content-Type": "application/json",
                    "X-Device": f"{tag}-{n}-{secrets.token_hex(6)}",
                }
                return f"/api/v1/evaluations/{form_token}", {"answers": answers}, headers

            return make

        print(
            f"cluster_burst: 2 app servers (gunicorn gthread 2x4, as make run) behind nginx, PostgreSQL; load {os.getloadavg()[0]:.1f}"
        )
        results = {}
        for name, target in (("ours", ours), ("bare", bare)):
            results[name] = {
                "flat": asyncio.run(flat_out(target.port, IDEAS, 64, idea_maker(f"{name}-flat"))),
                "paced": asyncio.run(
                    paced(target.port, IDEAS, SECONDS, idea_maker(f"{name}-paced"))
                ),
                "eval_flat": asyncio.run(
                    flat_out(target.port, RESPONDENTS, 32, answer_maker(f"{name}-ef"))
                ),
                "eval_paced": asyncio.run(
                    paced(target.port, RESPONDENTS, SECONDS, answer_maker(f"{name}-ep"))
                ),
            }
        o, b = results["ours"], results["bare"]
        print(f"  ideas flat out ({IDEAS}, 64 in flight):")
        print(
            _line(
                "ideas/s",
                o["flat"].acknowledged / o["flat"].seconds,
                b["flat"].acknowledged / b["flat"].seconds,
                "/s",
            )
            + " (aim ratio >= 0.5)"
        )
        print(
            f"  ideas paced ({IDEAS} over {SECONDS:.0f} s from {PHONES} phones): ours {_latency(o['paced'])}"
        )
        print(
            f"                                         bare {_latency(b['paced'])} (aim ours p95 <= 300 ms)"
        )
        print(f"  evaluation answers flat out ({RESPONDENTS}, 32 in flight):")
        print(
            _line(
                "answers/s",
                o["eval_flat"].acknowledged / o["eval_flat"].seconds,
                b["eval_flat"].acknowledged / b["eval_flat"].seconds,
                "/s",
            )
            + " (aim ratio >= 0.5)"
        )
        print(f"  evaluation answers paced: ours {_latency(o['eval_paced'])}")
        print(
            f"                            bare {_latency(b['eval_paced'])} (aim ours p95 <= 300 ms)"
        )
        stored = _sql(
            ours.database_url, "SELECT count(*) FROM idea WHERE workshop_id=%s", burst_id
        )[0][0]
        acked = o["flat"].acknowledged + o["paced"].acknowledged
        print(f"  ideas acknowledged {acked}, stored {stored}")
        delays, cpu = asyncio.run(live_room(ours, live_codes))
        ms = [1000 * d for d in delays]
        print(
            f"  {LIVE_WORKSHOPS} workshops live, {LIVE_PHONES} phones + a wall each: press to every client "
            f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, max {max(ms):.0f} ms "
            f"over {len(ms)} presses (aim p95 <= 2000 ms); load generator CPU {cpu:.1f} s; "
            f"load {os.getloadavg()[0]:.1f}"
        )
    finally:
        if bare is not None:
            bare.stop()
        ours.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
