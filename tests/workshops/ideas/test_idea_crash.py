"""Crash test (issue 5, "Measured"): kill -9 the server during a burst of ideas; nothing is lost.

gunicorn serves the app as `make run` does (2 gthread workers of 4 threads, tests/serverkit.py) on
a throwaway database made through the command line. 200 phones post 3 ideas each, spread over a
few seconds, each idea with its own Idempotency-Key; a phone retries an idea with the same key
until the server acknowledges it.
Meanwhile the master and both workers are killed with SIGKILL at once, three times, and gunicorn
is started again on the same port each time. Afterwards every acknowledged idea is stored exactly
once, with the id its 201 gave, every retry was answered with the same body, and (SQLite) the
database passes its integrity check. With TEST_DATABASE_URL on PostgreSQL the same runs there, in
a new database on that server.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
from sqlalchemy import create_engine, text

from config import normalise_database_url
from tests.serverkit import NETWORK_ERRORS, Server, app_env, fresh_postgres, http, is_postgres
from tests.serverkit import prepare as prepare_workshops

PHONES, PER_PHONE = 200, 3
SPREAD = 10.0  # seconds over which the ideas are first sent
KILLS = 3
MIN_ACKS_BETWEEN = 20  # the restarted server acknowledges at least this many before a kill
GIVE_UP = 40.0  # seconds without any acknowledgement or restart: the clients give up (a failure)
HARD_LIMIT = 150.0  # seconds from the start, whatever happens
REQUEST_TIMEOUT = 30.0  # a phone's fetch waits long: a short timeout would only add load
REPLAYS = 40  # acknowledged keys posted once more at the end

_TEST_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = _TEST_URL if is_postgres(_TEST_URL) else None


@dataclass
class Idea:
    device: str
    key: str
    text: str
    due: float
    answers: list = field(default_factory=list)  # every 201 body received for this key
    refused: list = field(default_factory=list)  # other final statuses (4xx but 429)
    failed: list = field(default_factory=list)  # what each failed try got: a status or an error
    tries: int = 0

    @property
    def acked(self) -> bool:
        return bool(self.answers)


@dataclass
class Kill:
    at: float
    acked_before: int
    restarted_in: float


def make_ideas() -> list[Idea]:
    devices = [f"crash-phone-{n:04d}-{secrets.token_hex(6)}" for n in range(PHONES)]
    total = PHONES * PER_PHONE
    ideas = []
    for n in range(total):
        key = f"crash-{n:04d}-{secrets.token_urlsafe(12)}"
        body = f"Idé {n}: felles lager for verktøy, æøå ÆØÅ 🌱\nlinje to ({key})"
        ideas.append(Idea(devices[n % PHONES], key, body, n * SPREAD / total))
    return ideas


@dataclass
class Clock:
    """When the clients give up: GIVE_UP after the last sign of progress (an acknowledgement or a
    restart), and never past a hard limit."""

    start: float
    deadline: float

    def progress(self) -> None:
        self.deadline = min(self.start + HARD_LIMIT, time.monotonic() + GIVE_UP)


async def post(port: int, code: str, idea: Idea, clock: Clock) -> None:
    """Post until acknowledged or refused, with the same key; short back-off while it is down."""
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-Device": idea.device,
        "Idempotency-Key": idea.key,
    }
    body = json.dumps({"text": idea.text}).encode()
    for attempt in range(1, 1000):
        left = clock.deadline - time.monotonic()
        if left <= 0:
            return
        idea.tries += 1
        try:
            answer = await http(
                port,
                "POST",
                f"/api/v1/workshops/{code}/ideas",
                headers,
                body,
                min(REQUEST_TIMEOUT, left),
            )
        except NETWORK_ERRORS as error:
            idea.failed.append(type(error).__name__)
            answer = None
        if answer is not None and answer.status == 201:
            idea.answers.append(json.loads(answer.body))
            clock.progress()
            return
        if answer is not None and answer.status < 500 and answer.status != 429:
            idea.refused.append((answer.status, answer.body[:200]))
            return
        if answer is not None:
            idea.failed.append(answer.status)
        pause = min(1.0, 0.05 * 2**attempt)
        if answer is not None and answer.headers.get("retry-after", "").isdigit():
            pause = min(2.0, float(answer.headers["retry-after"]))
        await asyncio.sleep(pause * random.uniform(0.5, 1.0))


async def phone(port: int, code: str, own: list[Idea], clock: Clock) -> None:
    for idea in own:
        await asyncio.sleep(max(0.0, clock.start + idea.due - time.monotonic()))
        await post(port, code, idea, clock)


async def killer(server: Server, ideas: list[Idea], clock: Clock) -> list[Kill]:
    """kill -9 master and workers as the acknowledgements pass 1/5, 2/5, 3/5 of the ideas (and
    the new server has answered some), then start gunicorn again on the same port."""
    kills: list[Kill] = []
    since_restart = 0
    for n in range(KILLS):
        threshold = len(ideas) * (n + 1) // (KILLS + 2)
        for _tick in range(20_000):
            acked = sum(i.acked for i in ideas)
            if acked >= max(threshold, since_restart + MIN_ACKS_BETWEEN) or acked == len(ideas):
                break
            if time.monotonic() > clock.deadline:
                return kills
            await asyncio.sleep(0.01)
        if acked == len(ideas):
            return kills  # the burst ended first: the test says so
        at = time.monotonic()
        server.kill_hard()
        await asyncio.to_thread(server.start, healthy=False)
        clock.progress()
        kills.append(Kill(at - clock.start, acked, time.monotonic() - at))
        since_restart = sum(i.acked for i in ideas)
    return kills


async def burst(server: Server, code: str, ideas: list[Idea]) -> tuple[list[Kill], list[Idea]]:
    now = time.monotonic()
    clock = Clock(now, now + GIVE_UP)
    by_device: dict[str, list[Idea]] = {}
    for idea in ideas:
        by_device.setdefault(idea.device, []).append(idea)
    phones = [phone(server.port, code, own, clock) for own in by_device.values()]
    kills, *_ = await asyncio.wait_for(
        asyncio.gather(killer(server, ideas, clock), *phones), HARD_LIMIT + 30
    )
    # Retries after the crashes: the same key still answers 201 with the same body.
    acked = [i for i in ideas if i.acked]
    replayed = random.sample(acked, min(REPLAYS, len(acked)))
    clock.progress()
    for idea in replayed:
        await post(server.port, code, idea, clock)
    return kills, replayed


def stored(database_url: str, code: str) -> list[tuple[int, str, str]]:
    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT idea.id, idea.text, idea.idempotency_key FROM idea JOIN workshop"
                    " ON workshop.id = idea.workshop_id WHERE workshop.join_code = :code"
                ),
                {"code": code},
            )
            return [tuple(row) for row in rows]
    finally:
        engine.dispose()


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.slow),
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.slow,
                pytest.mark.db,
                pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not PostgreSQL"),
            ],
        ),
    ]
)
def database_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    else:
        with fresh_postgres(POSTGRES_URL, "crash") as url:
            yield url


def run_in_thread(coroutine):
    """Run a coroutine on its own loop in a thread (a browser test may own this thread's loop)."""
    result = {}

    def target():
        result["value"] = asyncio.run(coroutine)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "value" not in result:
        raise RuntimeError("the burst did not finish")
    return result["value"]


def test_no_acknowledged_idea_is_lost_or_doubled_when_the_server_is_killed(database_url, tmp_path):
    env = app_env(tmp_path, database_url)
    (code,) = prepare_workshops(env)
    ideas = make_ideas()
    server = Server("run:app", env, tmp_path, "crash")
    try:
        server.start()
        kills, replayed = run_in_thread(burst(server, code, ideas))
    finally:
        server.stop()

    acked = sum(i.acked for i in ideas)
    assert len(kills) == KILLS, f"only {len(kills)} kills ({acked} of {len(ideas)} acknowledged)"
    assert all(k.acked_before < len(ideas) for k in kills), kills  # each during the burst
    assert [i.refused for i in ideas if i.refused] == []
    unacked = [i.key for i in ideas if not i.acked]
    failed = Counter(str(f) for i in ideas for f in i.failed)
    assert unacked == [], (
        f"{len(unacked)} ideas never acknowledged (nothing got through for {GIVE_UP:.0f} s);"
        f" failed tries: {dict(failed)}; kills: {kills}"
    )
    # A retry with the same key answers 201 with the same body, across the crashes too.
    assert all(len(i.answers) >= 2 for i in replayed)
    assert [i.answers for i in ideas if len({json.dumps(a) for a in i.answers}) != 1] == []

    rows = stored(database_url, code)
    by_id = {row[0]: row for row in rows}
    texts = [row[1] for row in rows]
    assert len(texts) == len(set(texts)), "an idea is stored twice"
    assert len(rows) == len(by_id) == len(ideas), (len(rows), len(ideas))
    lost = [i.key for i in ideas if by_id.get(i.answers[0]["id"], (0, None))[1] != i.text]
    assert lost == [], f"{len(lost)} acknowledged ideas missing or stored under another id"
    assert all(row[2] and row[2].endswith(":" + row[1].rsplit("(", 1)[1][:-1]) for row in rows)

    if database_url.startswith("sqlite"):
        path = database_url.removeprefix("sqlite:///")
        connection = sqlite3.connect(path)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
