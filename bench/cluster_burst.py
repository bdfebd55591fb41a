"""A regional host under load: PostgreSQL, two app servers and nginx, as `make cluster` starts them.

ours: app/cluster.py's Cluster (a throwaway PostgreSQL, two gunicorn app servers with gthread
workers as `make run` starts them, nginx round-robin in front).
bare: bench/bare_pg.py (Flask and one INSERT per write on the same PostgreSQL server, its own
tables) served by two app servers with the same gunicorn command behind an nginx with the same
site file, started in the same run.

Phases, each against ours and then bare through nginx:
1. ideas flat out: 1,500 ideas (600 in BENCH_QUICK), 64 requests in flight, new phones; ideas/s;
   in four slices taking turns (ours, bare, bare, ours), so a change in the machine's load
   during the run weighs on both alike;
2. ideas paced: the same number spread evenly over 10 s from 600 phones (240), each phone's ideas
   4 s apart; latency p50/p95/p99 from the first try to the 201, retries after errors;
3. evaluation answers as a host gets them: 15 open forms of workshop size (15 workshops), each
   device answering one form (device n answers form n mod 15): 300 respondents (120) flat out
   (32 in flight, 20 per form; in halves taking turns ours, bare, bare, ours), then 1,500 (600)
   more paced evenly over 10 s (100 per form, so each form ends with 120 responses), ours and
   then bare; then the WORST CASE, labelled as such: the same two phases all to ONE further
   form (ending with 1,800 responses); acknowledged against stored. The bare baseline gets the
   same posts to the same form tokens;
4. ten workshops live at once (ours only), 30 phones and a wall each polling the live state every
   second with If-None-Match; a leader presses "next" in each workshop in turn (three presses
   each); press-to-every-client is the time from the press's answer until the last of the 31
   clients of that workshop has seen the new step; p95 over the presses.
The load generator's own CPU seconds and the machine's load average are printed with each phase.
Aims (issue 18): ideas flat out at least 0.5x bare; paced p95 at most 300 ms; the same for evaluation
answers; press to every phone p95 at most 2 s.

Run from the repository root: python -m bench.cluster_burst (BENCH_QUICK=1 for a smaller run,
BENCH_ONLY=evaluations for phase 3 alone, BENCH_ONLY=ideas for phases 1 and 2 alone).
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
from concurrent.futures import ThreadPoolExecutor
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
EVAL_FORMS = 15  # open forms of workshop size; device n answers form n % EVAL_FORMS
EVAL_PACED = 600 if QUICK else 1500
ONLY_EVALUATIONS = os.environ.get("BENCH_ONLY") == "evaluations"
ONLY_IDEAS = os.environ.get("BENCH_ONLY") == "ideas"
IDEA_SLICES = ("ours", "bare", "bare", "ours")
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


def idea_phases(ports: dict[str, int], idea_maker) -> dict[str, dict[str, Phase]]:
    """Ideas flat out in slices taking turns between ours and bare, then paced for each."""
    flat = {name: Phase() for name in ports}
    per_slice = IDEAS // IDEA_SLICES.count("ours")
    for n, name in enumerate(IDEA_SLICES):
        part = asyncio.run(flat_out(ports[name], per_slice, 64, idea_maker(f"{name}-flat{n}")))
        total = flat[name]
        total.latencies += part.latencies
        total.errors += part.errors
        total.acknowledged += part.acknowledged
        total.seconds += part.seconds
        total.cpu += part.cpu
    return {
        name: {
            "flat": flat[name],
            "paced": asyncio.run(paced(port, IDEAS, SECONDS, idea_maker(f"{name}-paced"))),
        }
        for name, port in ports.items()
    }


def _print_ideas(o: dict, b: dict, database_url: str, burst_id: int) -> None:
    print(f"  ideas flat out ({IDEAS}, 64 in flight, slices {'/'.join(IDEA_SLICES)}):")
    print(
        _line(
            "ideas/s",
            o["flat"].acknowledged / o["flat"].seconds,
            b["flat"].acknowledged / b["flat"].seconds,
            "/s",
        )
        + " (aim ratio >= 0.5)"
    )
    print(f"  ideas paced ({IDEAS} over {SECONDS:.0f} s from {PHONES} phones):")
    print(f"    ours {_latency(o['paced'])}")
    print(f"    bare {_latency(b['paced'])} (aim ours p95 <= 300 ms)")
    stored = _sql(database_url, "SELECT count(*) FROM idea WHERE workshop_id=%s", burst_id)[0][0]
    acked = o["flat"].acknowledged + o["paced"].acknowledged
    print(f"  ideas acknowledged {acked}, stored {stored}; load {os.getloadavg()[0]:.1f}")


def evaluation_phases(ports: dict[str, int], answer_maker) -> dict[str, dict[str, Phase]]:
    """Spread over EVAL_FORMS forms, then to one form: RESPONDENTS flat out in halves taking turns
    between ours and bare (IDEA_SLICES), then EVAL_PACED paced, ours and then bare."""
    phases: dict[str, dict[str, Phase]] = {name: {} for name in ports}
    half = RESPONDENTS // 2
    for shape in ("spread", "one"):
        make = {name: answer_maker(f"{name}-{shape}", shape) for name in ports}
        flat = {name: Phase() for name in ports}
        offset = dict.fromkeys(ports, 0)
        for name in IDEA_SLICES:
            start = offset[name]
            part = asyncio.run(
                flat_out(ports[name], half, 32, lambda n, m=make[name], s=start: m(n + s))
            )
            offset[name] += half
            total = flat[name]
            total.latencies += part.latencies
            total.errors += part.errors
            total.acknowledged += part.acknowledged
            total.seconds += part.seconds
            total.cpu += part.cpu
        for name, port in ports.items():
            phases[name][f"{shape}_flat"] = flat[name]
            phases[name][f"{shape}_paced"] = asyncio.run(
                paced(port, EVAL_PACED, SECONDS, lambda n, m=make[name]: m(RESPONDENTS + n))
            )
    return phases


def _print_evaluations(o: dict, b: dict, database_url: str, tokens: list[str]) -> None:
    where = {
        "spread": f"spread over {EVAL_FORMS} open forms, each device answering one form",
        "one": "WORST CASE: all to ONE form",
    }
    for shape in ("spread", "one"):
        flat, pace = f"{shape}_flat", f"{shape}_paced"
        print(
            f"  evaluation answers flat out ({RESPONDENTS}, 32 in flight, slices "
            f"{'/'.join(IDEA_SLICES)}, {where[shape]}):"
        )
        print(
            _line(
                "answers/s",
                o[flat].acknowledged / o[flat].seconds,
                b[flat].acknowledged / b[flat].seconds,
                "/s",
            )
            + " (aim ratio >= 0.5)"
        )
        print(f"  evaluation answers paced ({EVAL_PACED} over {SECONDS:.0f} s, {where[shape]}):")
        print(f"    ours {_latency(o[pace])}")
        print(f"    bare {_latency(b[pace])} (aim ours p95 <= 300 ms)")
        forms = tokens[:EVAL_FORMS] if shape == "spread" else tokens[EVAL_FORMS:]
        stored = _sql(
            database_url,
            "SELECT coalesce(sum(s.count), 0) FROM evaluation_response_set s JOIN evaluation_form f"
            " ON f.id = s.form_id WHERE f.token = ANY(%s)",
            forms,
        )[0][0]
        acked = o[flat].acknowledged + o[pace].acknowledged
        print(
            f"  evaluation answers acknowledged {acked}, stored {stored}; "
            f"load {os.getloadavg()[0]:.1f}"
        )


def _open_forms(ours: Cluster, workshop_ids: list[int]) -> tuple[list[str], dict[str, dict]]:
    """Open the workshops' evaluation forms; their tokens in that order and an answer for each."""
    tokens, answers = [], {}
    for workshop_id in workshop_ids:
        _sql(
            ours.database_url,
            "UPDATE evaluation_form SET status='open' WHERE workshop_id=%s",
            workshop_id,
        )
        (token,) = _sql(
            ours.database_url, "SELECT token FROM evaluation_form WHERE workshop_id=%s", workshop_id
        )[0]
        form = requests.get(f"{ours.url}/api/v1/evaluations/{token}", timeout=30).json()
        tokens.append(token)
        answers[token] = {
            q["id"]: ([q["options"][0]["id"]] if q["type"] == "multiple" else q["options"][0]["id"])
            for q in form["questions"]
            if q["type"] != "text"
        }
    return tokens, answers


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
        tokens, answers = [], {}
        if not ONLY_IDEAS:
            with ThreadPoolExecutor(4) as pool:
                made = list(pool.map(workshop, [f"Evaluation {n + 1}" for n in range(EVAL_FORMS)]))
            tokens, answers = _open_forms(ours, [wid for _code, wid in made] + [burst_id])
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

        def answer_maker(tag, shape):
            def make(n):
                token = tokens[n % EVAL_FORMS] if shape == "spread" else tokens[EVAL_FORMS]
                headers = {
                    "Content-Type": "application/json",
                    "X-Device": f"{tag}-{n}-{secrets.token_hex(6)}",
                }
                return f"/api/v1/evaluations/{token}", {"answers": answers[token]}, headers

            return make

        print(
            f"cluster_burst: 2 app servers (gunicorn gthread 2x4, as make run) behind nginx, PostgreSQL; load {os.getloadavg()[0]:.1f}"
        )
        results = {"ours": {}, "bare": {}}
        if not ONLY_EVALUATIONS:
            ideas = idea_phases({"ours": ours.port, "bare": bare.port}, idea_maker)
            for name, phases in ideas.items():
                results[name] |= phases
        if not ONLY_IDEAS:
            answered = evaluation_phases({"ours": ours.port, "bare": bare.port}, answer_maker)
            for name, phases in answered.items():
                results[name] |= phases
        o, b = results["ours"], results["bare"]
        if not ONLY_EVALUATIONS:
            _print_ideas(o, b, ours.database_url, burst_id)
        if not ONLY_IDEAS:
            _print_evaluations(o, b, ours.database_url, tokens)
        if ONLY_EVALUATIONS or ONLY_IDEAS:
            return
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
