"""Live polling: 300 phones and the wall follow the leader through a W2 workshop.

Sets up a throwaway SQLite database through the command line, serves the app with gunicorn as
`make run` does (2 gthread workers of 4 threads, tests/serverkit.py), and lets 300 phones poll
`GET /api/v1/workshops/CODE` about once a second (with If-None-Match, as the phone page does)
and the wall poll its own state, while the leader presses
"Next step" on the console every ten seconds. The same load then runs against a bare Flask
endpoint serving the same JSON with the same ETag logic and no database (bench/bare_state.py),
under the same gunicorn settings, and every figure is printed with its ratio to that baseline.

Run from the repository root: python -m bench.live_poll (BENCH_SECONDS=20 for a shorter run).
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import random
import re
import secrets
import shutil
import statistics
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path

from tests.serverkit import Server, app_env, flask_cli, percentile

PHONES = 300
DEFAULT_SECONDS = 60.0
MIN_SECONDS, MAX_SECONDS = 10.0, 60.0
FIRST_ADVANCE, ADVANCE_EVERY, SETTLE = 5.0, 10.0, 5.0
POLL_EVERY, POLL_JITTER = 1.0, 0.25  # as app/static/js/live.js: 1 s plus up to 250 ms
START_SPREAD = 1.0  # clients start at random moments within the first second
REQUEST_TIMEOUT = 10.0
MAX_POLLS = 1000  # per client: a bound on the loop whatever the clock does
JOIN_CONCURRENCY = 20
AIM_P95_SECONDS = 2.0
AIM_IDLE_BYTES = 1024
PROJECT = "bench-live"
LEADER = "leader@bench.example"


# --- A minimal HTTP/1.1 client on asyncio streams -------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    size: int  # status line + headers + body, as received


class Connection:
    """One client's connection to 127.0.0.1, kept open while the server allows it."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Answer:
        reused = self.writer is not None
        try:
            return await self._exchange(method, path, headers, body)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.close()
            if not reused:
                raise
        # The server closed an idle kept-alive connection: once more on a fresh one.
        return await self._exchange(method, path, headers, body)

    async def _exchange(self, method: str, path: str, headers: dict[str, str], body: bytes):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        reader = self.reader
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionResetError("closed before answering")
        size = len(status_line)
        status = int(status_line.split(b" ", 2)[1])
        answer_headers: dict[str, str] = {}
        while True:
            line = await reader.readline()
            size += len(line)
            if not line:
                raise ConnectionResetError("closed inside the headers")
            if line in (b"\r\n", b"\n"):
                break
            name, _sep, value = line.decode("latin-1").partition(":")
            answer_headers[name.strip().lower()] = value.strip()
        if "chunked" in answer_headers.get("transfer-encoding", "").lower():
            raise ValueError("chunked answers are not expected here")
        if status in (204, 304) or status < 200:
            content = b""
        elif "content-length" in answer_headers:
            content = await reader.readexactly(int(answer_headers["content-length"]))
        else:
            content = await reader.read(1 << 20)
            answer_headers["connection"] = "close"
        size += len(content)
        if answer_headers.get("connection", "").lower() == "close":
            self.close()
        return Answer(status, answer_headers, content, size)


# --- The servers ------------------------------------------------------------------------------


# --- The leader ------------------------------------------------------------------------------


def _csrf(html: str) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', html)
    value = re.search(r'value="([^"]+)"', tag.group(0)) if tag else None
    if value is None:
        raise RuntimeError("no CSRF token on the page")
    return value.group(1)


class Leader:
    """The process leader on the console, through HTTP with a session cookie (no browser)."""

    def __init__(self, port: int, code: str, password: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.code = code
        self.jar = CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        html = self._get("/login")
        form = {"email": LEADER, "password": password, "csrf_token": _csrf(html)}
        with self._open("/login", form) as answer:
            if urllib.parse.urlsplit(answer.geturl()).path == "/login":
                raise RuntimeError("the leader could not log in")
        listing = self._get(f"/projects/{PROJECT}/workshops")
        found = re.search(rf"/projects/{PROJECT}/workshops/(\d+)/console", listing)
        if found is None:
            raise RuntimeError("no console link on the project's workshop list")
        self.console = f"/projects/{PROJECT}/workshops/{found.group(1)}/console"
        self.actions = self.console.removesuffix("/console") + "/live/"

    def _open(self, path: str, form: dict | None = None, accept: str = "text/html"):
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Accept": accept})
        return self.http.open(request, timeout=30)

    def _get(self, path: str) -> str:
        with self._open(path) as answer:
            return answer.read().decode()

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def step_id(self) -> int | None:
        with self._open(f"/api/v1/workshops/{self.code}", accept="application/json") as answer:
            step = json.loads(answer.read())["step"]
        return step["id"] if step else None

    def press(self, action: str) -> tuple[float, int]:
        """Open the console, press a button; (the moment of the press, the step now current)."""
        html = self._get(self.console)
        leaving = re.search(r'name="leaving" value="(\d*)"', html)
        form = {"csrf_token": _csrf(html), "leaving": leaving.group(1) if leaving else ""}
        pressed = time.monotonic()
        with self._open(self.actions + action, form, accept="application/json") as answer:
            answer.read()
        now = self.step_id()
        if now is None or (leaving and leaving.group(1) and now == int(leaving.group(1))):
            raise RuntimeError(f"'{action}' on the console did not move the workshop")
        return pressed, now


class BareLeader:
    """The baseline's press: the next state (the JSON the app gave for that step) is posted."""

    def __init__(self, port: int, bodies: list[bytes]) -> None:
        self.port, self.bodies = port, list(bodies)

    def press(self, _action: str) -> tuple[float, int]:
        body = self.bodies.pop(0)
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}/advance", data=body, method="POST"
        )
        pressed = time.monotonic()
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        return pressed, json.loads(body)["step"]["id"]


# --- The clients -----------------------------------------------------------------------------


@dataclass
class Client:
    name: str
    path: str
    headers: dict[str, str]
    seen: dict = field(default_factory=dict)  # step id -> when this client first showed it


@dataclass
class Tally:
    statuses: dict[int, int] = field(default_factory=dict)
    idle_sizes: list[int] = field(default_factory=list)
    response_times: list[float] = field(default_factory=list)
    failures: int = 0
    bodies: dict = field(default_factory=dict)  # step id -> the first phone body showing it


async def poll(client: Client, port: int, end: float, tally: Tally, rng: random.Random):
    await asyncio.sleep(rng.uniform(0, START_SPREAD))
    connection = Connection(port)
    etag = None
    failures = 0
    try:
        for _ in range(MAX_POLLS):
            if time.monotonic() >= end:
                break
            headers = dict(client.headers)
            if etag:
                headers["If-None-Match"] = etag
            sent = time.monotonic()
            try:
                answer = await asyncio.wait_for(
                    connection.request("GET", client.path, headers), REQUEST_TIMEOUT
                )
            except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError):
                connection.close()
                answer = None
            got = time.monotonic()
            if answer is not None:
                tally.statuses[answer.status] = tally.statuses.get(answer.status, 0) + 1
            if answer is None or answer.status not in (200, 304):
                tally.failures += 1
                failures += 1
                pause = min(10.0, 2.0**failures)  # back off as the phone page does
            else:
                failures = 0
                tally.response_times.append(got - sent)
                if answer.status == 304:
                    tally.idle_sizes.append(answer.size)
                else:
                    etag = answer.headers.get("etag", etag)
                    step = json.loads(answer.body).get("step")
                    step_id = step["id"] if step else None
                    client.seen.setdefault(step_id, got)
                    if "X-Device" in client.headers:
                        tally.bodies.setdefault(step_id, answer.body)
                pause = POLL_EVERY + rng.uniform(0, POLL_JITTER)
            await asyncio.sleep(max(0.0, min(pause, end - time.monotonic())))
    finally:
        connection.close()


async def join_all(port: int, code: str, phones: list[Client]) -> None:
    """Every phone joins the workshop first, as a phone opening /j/CODE does."""
    gate = asyncio.Semaphore(JOIN_CONCURRENCY)

    async def join(phone: Client) -> None:
        async with gate:
            connection = Connection(port)
            headers = {"X-Device": phone.headers["X-Device"], "Content-Type": "application/json"}
            try:
                answer = await asyncio.wait_for(
                    connection.request("POST", f"/api/v1/workshops/{code}/join", headers, b"{}"),
                    REQUEST_TIMEOUT,
                )
            finally:
                connection.close()
            if answer.status != 200:
                raise RuntimeError(f"a phone could not join: HTTP {answer.status}")

    await asyncio.gather(*(join(phone) for phone in phones))


@dataclass
class Run:
    seconds: float
    clients: int
    polls: int
    share_304: float
    idle_bytes: int | None
    cpu_per_client_minute: float
    cpu_ms_per_poll: float
    latencies: list[float]  # press -> a client shows the new step, every client and advance
    last_client: list[float]  # press -> the last client shows it, per advance
    wall: list[float]  # press -> the wall shows it, per advance
    unseen: int  # (client, advance) pairs that never showed the new step before the end
    failures: int
    response_p95: float
    advances: int
    cpu: float  # server CPU seconds
    cpu_wait: float  # server seconds runnable but waiting for a CPU (a busy machine)
    loadgen_cpu: float  # CPU seconds of this process, which plays the clients
    load_average: float  # the machine's 1-minute load average at the start
    bodies: list[bytes]  # the phones' JSON for the first step and after each advance


async def load(server: Server, leader, clients: list[Client], seconds: float, advances: int):
    tally = Tally()
    rng = random.Random(4)
    presses: list[tuple[float, int]] = []
    start = time.monotonic()
    end = start + seconds
    cpu_before, wait_before = server.usage()
    own_before = sum(os.times()[:2])
    load_average = os.getloadavg()[0]

    async def lead() -> None:
        for n in range(advances):
            await asyncio.sleep(
                max(0.0, start + FIRST_ADVANCE + n * ADVANCE_EVERY - time.monotonic())
            )
            presses.append(await asyncio.to_thread(leader.press, "next"))

    runs = [poll(c, server.port, end, tally, random.Random(rng.random())) for c in clients]
    await asyncio.wait_for(asyncio.gather(lead(), *runs), seconds + 60)
    elapsed = time.monotonic() - start
    cpu_after, wait_after = server.usage()
    cpu, wait = cpu_after - cpu_before, wait_after - wait_before
    own = sum(os.times()[:2]) - own_before
    latencies, last, wall, unseen = [], [], [], 0
    for pressed, step_id in presses:
        times = []
        for client in clients:
            if step_id in client.seen:
                times.append(client.seen[step_id] - pressed)
                if client.name == "wall":
                    wall.append(times[-1])
            else:
                unseen += 1
        latencies += times
        if times:
            last.append(max(times))
    polls = sum(tally.statuses.values())
    first = next(iter(tally.bodies), None)
    bodies = [tally.bodies.get(first, b"")] + [tally.bodies.get(s, b"") for _p, s in presses]
    return Run(
        seconds=elapsed,
        clients=len(clients),
        polls=polls,
        share_304=tally.statuses.get(304, 0) / polls if polls else 0.0,
        idle_bytes=round(statistics.median(tally.idle_sizes)) if tally.idle_sizes else None,
        cpu_per_client_minute=cpu / len(clients) / (elapsed / 60),
        cpu_ms_per_poll=1000 * cpu / polls if polls else 0.0,
        latencies=latencies,
        last_client=last,
        wall=wall,
        unseen=unseen,
        failures=tally.failures,
        response_p95=percentile(tally.response_times, 95),
        advances=len(presses),
        cpu=cpu,
        cpu_wait=wait,
        loadgen_cpu=own,
        load_average=load_average,
        bodies=bodies,
    )


# --- Set-up, runs and figures ----------------------------------------------------------------


def make_clients(code: str, wall_path: str, wall_headers: dict[str, str]) -> list[Client]:
    path = f"/api/v1/workshops/{code}"
    phones = [
        Client(
            f"phone {n}",
            path,
            {
                "Accept": "application/json",
                "X-Device": f"bench-phone-{n:04d}-{secrets.token_hex(4)}",
            },
        )
        for n in range(PHONES)
    ]
    return phones + [Client("wall", wall_path, {"Accept": "application/json", **wall_headers})]


def run_ours(scratch: Path, seconds: float, advances: int) -> Run:
    password = secrets.token_urlsafe(12)
    env = app_env(scratch, f"sqlite:///{scratch / 'live.sqlite3'}")
    flask_cli(env, "db", "upgrade")
    flask_cli(env, "create-leader", LEADER, "--name", "Bench Leader", stdin=password + "\n")
    flask_cli(env, "create-project", PROJECT, "--name", "Live bench", "--leader", LEADER)
    out = flask_cli(
        env, "create-workshop", "--project", PROJECT, "--title", "Live", "--template", "W2"
    )
    code = out.strip().splitlines()[-1].strip()
    server = Server("run:app", env, scratch, "ours")
    try:
        server.start()
        leader = Leader(server.port, code, password)
        leader.press("start")
        # The wall polls the leader's state, as the wall page does, with the leader's cookie.
        clients = make_clients(code, f"/w/{code}/state", {"Cookie": leader.cookie()})
        asyncio.run(join_all(server.port, code, clients[:PHONES]))
        return asyncio.run(load(server, leader, clients, seconds, advances))
    except Exception as error:
        raise RuntimeError(f"{error} (server log: {server.log_tail()})") from error
    finally:
        server.stop()


def run_bare(scratch: Path, seconds: float, bodies: list[bytes]) -> Run:
    from bench.bare_state import write_state

    state_file = scratch / "bare-state.txt"
    write_state(state_file, 1, bodies[0])
    env = dict(os.environ, BARE_STATE_FILE=str(state_file))
    code = json.loads(bodies[0])["code"]
    server = Server("bench.bare_state:app", env, scratch, "bare")
    try:
        server.start()
        clients = make_clients(code, f"/api/v1/workshops/{code}", {})
        return asyncio.run(
            load(server, BareLeader(server.port, bodies[1:]), clients, seconds, len(bodies) - 1)
        )
    except Exception as error:
        raise RuntimeError(f"{error} (server log: {server.log_tail()})") from error
    finally:
        server.stop()


FIGURES = (  # label, the figure from a run, unit, decimals
    ("press -> a client shows new step, p50", lambda r: percentile(r.latencies, 50), "s", 2),
    ("press -> a client shows new step, p95", lambda r: percentile(r.latencies, 95), "s", 2),
    ("press -> a client shows new step, max", lambda r: max(r.latencies, default=math.nan), "s", 2),
    ("press -> every client shows it, p95 of advances", lambda r: percentile(r.last_client, 95),
     "s", 2),
    ("press -> the wall shows it, max of advances", lambda r: max(r.wall, default=math.nan), "s", 2),
    ("poll answer time, p95", lambda r: r.response_p95, "s", 3),
    ("polls served per second", lambda r: r.polls / r.seconds, "/s", 1),
    ("share of polls answered 304", lambda r: 100 * r.share_304, "%", 1),
    ("bytes per idle poll (304, headers included)", lambda r: r.idle_bytes or math.nan, "B", 0),
    ("server CPU per client per minute", lambda r: r.cpu_per_client_minute, "s", 4),
    ("server CPU per poll", lambda r: r.cpu_ms_per_poll, "ms", 3),
)  # fmt: skip


def report(ours: Run, bare: Run) -> None:
    for label, figure, unit, digits in FIGURES:
        mine, base = figure(ours), figure(bare)
        ratio = mine / base if base else math.nan
        print(
            f"  {label:<48} ours {mine:>8.{digits}f} {unit:<3} bare {base:>8.{digits}f} {unit:<3}"
            f" ratio (ours / bare) {ratio:.2f}"
        )
    for name, run in (("ours", ours), ("bare", bare)):
        print(
            f"  {name}: server CPU {run.cpu:.1f} s, its processes waited {run.cpu_wait:.1f} s for"
            f" a CPU; the clients used {run.loadgen_cpu:.1f} CPU s; load average at start"
            f" {run.load_average:.1f} on {os.cpu_count()} CPUs"
        )
        if run.failures or run.unseen:
            print(f"  {name}: {run.failures} failed polls, {run.unseen} client views never updated")
    p95 = percentile(ours.latencies, 95)
    every = percentile(ours.last_client, 95)
    met = "met" if p95 < AIM_P95_SECONDS and not ours.unseen else "NOT met"
    print(f"  aim: p95 press -> client shows new step under {AIM_P95_SECONDS:.0f} s: {met}"
          f" ({p95:.2f} s; every client: {every:.2f} s)")  # fmt: skip
    size = ours.idle_bytes
    met = "met" if size is not None and size <= AIM_IDLE_BYTES else "NOT met"
    print(f"  aim: idle poll at most {AIM_IDLE_BYTES} bytes: {met} ({size} B)")


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS") or DEFAULT_SECONDS)
    seconds = min(MAX_SECONDS, max(MIN_SECONDS, seconds))
    advances = min(7, int((seconds - SETTLE - FIRST_ADVANCE) // ADVANCE_EVERY) + 1)
    print(
        f"live_poll: {PHONES} phones + 1 wall polling about once a second for {seconds:.0f} s,"
        f" leader presses next {advances} times; ours = the app (SQLite, gunicorn as `make run`:"
        f" 2 gthread workers of 4 threads), bare = Flask with the same JSON and ETag, no database",
        flush=True,
    )
    scratch = Path(tempfile.mkdtemp(prefix="kraftverk-live-poll-"))
    try:
        ours = run_ours(scratch, seconds, advances)
        if ours.advances < advances or not all(ours.bodies):
            raise RuntimeError("the app's run did not show every step to the phones")
        bare = run_bare(scratch, seconds, ours.bodies)
        report(ours, bare)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
