"""Public load: 8 anonymous clients loop over the public pages while a phone polls its workshop.

Anyone on the venue network can fetch the public pages and files as fast as they like. This
benchmark serves the app with gunicorn as `make run` does (2 gthread workers of 4 threads,
tests/serverkit.py) on a throwaway SQLite database, lets one phone poll
`GET /api/v1/workshops/CODE` (with If-None-Match, as the phone page does) every POLL_EVERY
seconds, first alone (the baseline), then while 8 anonymous clients without cookies fetch, in
loops and without pause, the method PDF in the five languages, the method page, the calendar and
its feed. Every public page and file is fetched once before the loops start ("after its first
request"); the time of that warm-up is printed too.

Figures: the phone's poll p50/p95/max alone and under load (aim: p95 at most 300 ms, no error),
and the public requests served per second with their status codes.

Run from the repository root: python -m bench.public_load (BENCH_SECONDS=10 for a shorter run).
"""

from __future__ import annotations

import http.client as httplib
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

from tests.serverkit import NETWORK_ERRORS, Server, app_env, flask_cli, percentile

CLIENTS = 8
DEFAULT_SECONDS = 30.0
BASELINE_SECONDS = 8.0
POLL_EVERY = 0.25
AIM_P95_SECONDS = 0.3
LANGUAGES = ("nb", "sv", "da", "fi", "en")
PUBLIC = [
    *(f"/method.pdf?lang={lang}" for lang in LANGUAGES),
    *(f"/method?lang={lang}" for lang in LANGUAGES),
    "/calendar",
    "/calendar.ics",
]
PROJECT = "public-load"
LEADER = "leader@bench.example"


def fetch(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict, bytes]:
    """One GET on a fresh connection: status, headers (lower-case), body."""
    connection = httplib.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers=headers or {})
        answer = connection.getresponse()
        body = answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, body
    finally:
        connection.close()


def setup(env: dict[str, str]) -> str:
    """The schema, a leader, a project and a W2 workshop started; the workshop's join code."""
    flask_cli(env, "db", "upgrade", "heads")
    flask_cli(
        env, "create-leader", LEADER, "--name", "Bench", stdin=secrets.token_urlsafe(12) + "\n"
    )
    flask_cli(env, "create-project", PROJECT, "--name", "Public load", "--leader", LEADER)
    out = flask_cli(
        env, "create-workshop", "--project", PROJECT, "--title", "Live", "--template", "W2"
    )
    return out.strip().splitlines()[-1].strip()


class Phone:
    """A phone that joined the workshop and polls its state."""

    def __init__(self, port: int, code: str) -> None:
        self.port, self.code = port, code
        self.device = secrets.token_urlsafe(24)
        self.etag = ""
        self.times: list[float] = []
        self.errors: list[str] = []

    def poll(self) -> None:
        headers = {"X-Device": self.device, "Accept": "application/json"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        started = time.perf_counter()
        try:
            status, found, _body = fetch(self.port, f"/api/v1/workshops/{self.code}", headers)
        except NETWORK_ERRORS as error:
            self.errors.append(type(error).__name__)
            return
        self.times.append(time.perf_counter() - started)
        if status == 200:
            self.etag = found.get("etag", "")
        elif status != 304:
            self.errors.append(str(status))

    def run(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            began = time.monotonic()
            self.poll()
            time.sleep(max(0.0, POLL_EVERY - (time.monotonic() - began)))


def crowd(port: int, stop: threading.Event, statuses: Counter, lock: threading.Lock, n: int):
    """One anonymous client: the public pages in a loop, no cookies, no pause."""
    k = n
    while not stop.is_set():
        path = PUBLIC[k % len(PUBLIC)]
        k += 1
        try:
            status, _headers, _body = fetch(port, path)
        except NETWORK_ERRORS as error:
            status = type(error).__name__
        with lock:
            statuses[status] += 1


def figures(times: list[float]) -> str:
    ms = [t * 1000 for t in times]
    return (
        f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"max {max(ms, default=float('nan')):.0f} ms ({len(ms)} polls)"
    )


def main() -> None:
    seconds = float(os.environ.get("BENCH_SECONDS", DEFAULT_SECONDS))
    scratch = Path(tempfile.mkdtemp(prefix="kv-public-load-"))
    server = None
    try:
        env = app_env(scratch, f"sqlite:///{scratch}/bench.sqlite3")
        code = setup(env)
        server = Server("run:app", env, scratch, "public-load")
        server.start()
        phone = Phone(server.port, code)
        status, _h, _b = fetch(server.port, f"/j/{code}", {"Cookie": f"kv_device={phone.device}"})
        phone.run(BASELINE_SECONDS)
        alone = list(phone.times)
        phone.times.clear()

        started = time.monotonic()
        warm = Counter()
        for _round in range(2):  # both workers, most likely
            for path in PUBLIC:
                warm[fetch(server.port, path)[0]] += 1
        warm_seconds = time.monotonic() - started

        stop, lock, statuses = threading.Event(), threading.Lock(), Counter()
        threads = [
            threading.Thread(target=crowd, args=(server.port, stop, statuses, lock, n))
            for n in range(CLIENTS)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        phone.run(seconds)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        elapsed = time.monotonic() - started
        loaded = list(phone.times)
        served = sum(statuses.values())
        p95 = percentile(loaded, 95)

        print(
            f"public_load: {CLIENTS} anonymous clients loop over {len(PUBLIC)} public pages and "
            f"files (method PDF and page in 5 languages, calendar, feed) for {seconds:.0f} s, "
            f"gunicorn as `make run`; a phone polls its workshop every {POLL_EVERY} s",
            flush=True,
        )
        print(f"  warm-up: every page once per worker in {warm_seconds:.1f} s {dict(warm)}")
        print(f"  phone poll alone:      {figures(alone)}")
        print(f"  phone poll under load: {figures(loaded)}; errors {len(phone.errors)}")
        print(
            f"  public requests: {served} in {elapsed:.0f} s ({served / elapsed:.0f}/s), "
            f"statuses {dict(statuses)}"
        )
        verdict = "met" if p95 <= AIM_P95_SECONDS and not phone.errors else "NOT met"
        print(f"  aim (poll p95 <= {AIM_P95_SECONDS * 1000:.0f} ms, no errors): {verdict}")
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
