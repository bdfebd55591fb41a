"""Wall bytes: what one poll costs the wall and a phone at 1,500 ideas (issue 13, "A wall for a room").

Sets up a throwaway SQLite database through the command line, serves the app with gunicorn as
`make run` does (2 gthread workers of 4 threads, tests/serverkit.py), starts a W2 workshop from
the console and posts 1,500 ideas (80-240 characters each) from 150 devices. Then one wall (the
leader's session cookie) and one phone (its own `X-Device`) poll as their pages do: the state
(`GET /w/CODE/state` for the wall, `GET /api/v1/workshops/CODE` with If-None-Match for the phone)
and the ideas (`GET /api/v1/workshops/CODE/ideas?since=CURSOR` with If-None-Match).

Bytes are counted as received: status line, headers and body. Figures, each over 20 polls:
- the whole list, which is what every poll that saw a change cost before the cursor (the baseline);
- an idle poll (nothing changed);
- a poll after one new idea;
- a poll after the leader's "Next step".
Every figure prints its ratio to the baseline. Aim: a change costs each client at most 5 KB.

Run from the repository root: python -m bench.wall_poll
"""

from __future__ import annotations

import http.client
import json
import random
import secrets
import shutil
import statistics
import tempfile
from pathlib import Path

from bench.live_poll import LEADER, PROJECT, Leader
from tests.serverkit import Server, app_env, flask_cli

IDEAS = 1500
DEVICES = 150
ROUNDS = 20
AIM_BYTES = 5 * 1024
WORDS = [
    "kanal",
    "sykkel",
    "båt",
    "sommer",
    "vinter",
    "lokalmat",
    "sauna",
    "fortelling",
    "guide",
    "padling",
    "kajakk",
    "lysløype",
    "overnatting",
    "festival",
    "marked",
    "kafé",
    "bryggeri",
    "museum",
    "sti",
    "fjord",
    "havn",
    "utsikt",
    "familie",
    "skole",
    "buss",
]


class Client:
    """One client's polls on a kept-alive connection, counting the bytes it receives."""

    def __init__(self, port: int, headers: dict[str, str]) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Accept": "application/json", **headers}
        self.etags: dict[str, str] = {}
        self.cursor: str | None = None

    def get(self, path: str, *, etag_key: str | None = None) -> tuple[int, int, bytes]:
        """(status, bytes received, body); remembers the ETag under `etag_key`."""
        headers = dict(self.headers)
        if etag_key and etag_key in self.etags:
            headers["If-None-Match"] = self.etags[etag_key]
        self.connection.request("GET", path, headers=headers)
        answer = self.connection.getresponse()
        body = answer.read()
        size = len(f"HTTP/1.1 {answer.status} {answer.reason}\r\n") + 2 + len(body)
        size += sum(len(name) + len(value) + 4 for name, value in answer.getheaders())
        if etag_key and answer.getheader("ETag"):
            self.etags[etag_key] = answer.getheader("ETag")
        return answer.status, size, body

    def ideas(self, code: str) -> tuple[int, int]:
        path = f"/api/v1/workshops/{code}/ideas"
        if self.cursor:
            path += f"?since={self.cursor}"
        status, size, body = self.get(path, etag_key="ideas")
        if status == 200:
            self.cursor = json.loads(body)["cursor"]
        return status, size


def _text(rng: random.Random, n: int) -> str:
    words = []
    while len(" ".join(words)) < rng.randint(80, 240):
        words.append(rng.choice(WORDS))
    return f"{n}: " + " ".join(words)


def _post(port: int, code: str, text: str, device: str) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/api/v1/workshops/{code}/ideas",
            body=json.dumps({"text": text}),
            headers={
                "Content-Type": "application/json",
                "X-Device": device,
                "Idempotency-Key": secrets.token_hex(8),
            },
        )
        answer = connection.getresponse()
        answer.read()
        if answer.status != 201:
            raise RuntimeError(f"posting an idea answered {answer.status}")
    finally:
        connection.close()


def _poll(client: Client, state_path: str, code: str, *, etag_state: bool) -> int:
    status, state_bytes, _ = client.get(state_path, etag_key="state" if etag_state else None)
    _, idea_bytes = client.ideas(code)
    return state_bytes + idea_bytes


def measure(port: int, code: str, leader: Leader) -> dict[str, dict[str, float]]:
    wall = Client(port, {"Cookie": leader.cookie()})
    phone = Client(port, {"X-Device": "bench-wall-phone-" + secrets.token_hex(6)})
    clients = {
        "wall": (wall, f"/w/{code}/state", False),
        "phone": (phone, f"/api/v1/workshops/{code}", True),
    }
    full = {}
    for name, (client, _path, _etag) in clients.items():
        _, size = client.ideas(code)
        full[name] = size
    figures: dict[str, dict[str, list[int]]] = {name: {} for name in clients}
    rng = random.Random(13)
    for n in range(ROUNDS):
        for name, (client, path, etag) in clients.items():
            figures[name].setdefault("idle", []).append(_poll(client, path, code, etag_state=etag))
        _post(port, code, _text(rng, IDEAS + n), f"bench-new-{n:03d}-{secrets.token_hex(4)}")
        for name, (client, path, etag) in clients.items():
            figures[name].setdefault("new idea", []).append(
                _poll(client, path, code, etag_state=etag)
            )
        if n % 4 == 0:  # W2 has a handful of steps: press "Next step" five times
            leader.press("next")
            for name, (client, path, etag) in clients.items():
                figures[name].setdefault("next step", []).append(
                    _poll(client, path, code, etag_state=etag)
                )
    return {
        name: {"whole list": full[name]}
        | {kind: statistics.mean(sizes) for kind, sizes in kinds.items()}
        | {"max change": max(max(kinds["new idea"]), max(kinds["next step"]))}
        for name, kinds in figures.items()
    }


def main() -> None:
    scratch = Path(tempfile.mkdtemp(prefix="kraftverk-wall-"))
    password = secrets.token_urlsafe(12)
    env = app_env(scratch, f"sqlite:///{scratch / 'wall.sqlite3'}")
    server = None
    try:
        flask_cli(env, "db", "upgrade")
        flask_cli(env, "create-leader", LEADER, "--name", "Bench Leader", stdin=password + "\n")
        flask_cli(env, "create-project", PROJECT, "--name", "Wall bench", "--leader", LEADER)
        out = flask_cli(
            env, "create-workshop", "--project", PROJECT, "--title", "Wall", "--template", "W2"
        )
        code = out.strip().splitlines()[-1].strip()
        server = Server("run:app", env, scratch, "wall")
        server.start()
        leader = Leader(server.port, code, password)
        leader.press("start")
        rng = random.Random(1500)
        for n in range(IDEAS):
            _post(server.port, code, _text(rng, n), f"bench-device-{n % DEVICES:03d}")
        results = measure(server.port, code, leader)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"wall_poll: {IDEAS} ideas, {ROUNDS} rounds; bytes received per poll (state + ideas)")
    for name, figures in results.items():
        baseline = figures["whole list"]
        for kind, value in figures.items():
            print(
                f"  {name:5} {kind:10} {value:9.0f} B   ratio to the whole list {value / baseline:.3f}"
            )
        verdict = "within" if figures["max change"] <= AIM_BYTES else "OVER"
        print(
            f"  {name:5} largest change {figures['max change']:.0f} B: {verdict} the aim of {AIM_BYTES} B"
        )


if __name__ == "__main__":
    main()
