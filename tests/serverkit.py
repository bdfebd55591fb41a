"""Serve the app as `make run` does, on a throwaway database, and talk raw HTTP to it.

The one gunicorn harness, shared by the benchmarks (bench/idea_burst.py, bench/live_poll.py) and
the fault tests (tests/workshops/test_faults.py, tests/workshops/ideas/test_idea_crash.py). It
lives under tests/ because tests never import from bench/:

- `app_env(scratch, url)` is the environment of the app's processes, and `flask_run()` /
  `flask_cli()` run one `flask --app run` command in it;
- `prepare(env, ...)` makes the database through the command line (`db upgrade`, a leader, a
  project, W2 workshops) and returns the workshops' join codes;
- `Server` runs gunicorn with the command of `make run` (`gunicorn_command()`: 2 gthread workers
  of 4 threads; tests/test_serverkit.py compares it with the Makefile) on 127.0.0.1 in its own
  process group, so that `kill_hard()` can kill -9 the master and its workers at once and
  `start()` can bring it back on the same port; `stop()` ends it (terminate, then kill) whatever
  happened;
- `fresh_postgres(url)` gives a new, empty database on the server of a PostgreSQL URL and drops it
  afterwards, so `db upgrade` never meets tables made by other tests;
- `request(...)` (blocking, JSON) and `http(...)` (asyncio) are one HTTP/1.1 exchange on a fresh
  connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client as httplib
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEADER = "leader@bench.example"
PROJECT = "idea-burst"
NETWORK_ERRORS = (
    OSError,
    httplib.HTTPException,
    asyncio.IncompleteReadError,
    TimeoutError,
    ValueError,
)
WORKERS, THREADS = 2, 4  # the Makefile's defaults for `make run`


def gunicorn_command(app: str, port: int) -> list[str]:
    """gunicorn's command line as `make run` has it, on 127.0.0.1:port."""
    command = [sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_conf"]
    command += ["--workers", str(WORKERS)]
    command += ["--worker-class", "gthread", "--threads", str(THREADS)]
    command += ["--bind", f"127.0.0.1:{port}", "--access-logfile", "-"]
    command += ["--forwarded-allow-ips", "", app]
    return command


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def is_postgres(url: str | None) -> bool:
    return bool(url) and url.split(":", 1)[0].split("+", 1)[0] in ("postgresql", "postgres")


def app_env(scratch: Path, database_url: str) -> dict[str, str]:
    """The environment of the app's processes: their own instance folder and database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(32),  # the same for every restart: device hashes agree
        KRAFTVERK_INSTANCE=str(scratch / "instance"),
        PYTHONUNBUFFERED="1",
    )
    return env


def flask_run(
    env: dict[str, str], *args: str, stdin: str = "", timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run one `flask --app run` command with this Python; never raises on its exit status."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "run", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def flask_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run one `flask --app run` command; its standard output, or an error naming it."""
    done = flask_run(env, *args, stdin=stdin)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or ["no message"]
        last = next((x for x in reversed(lines) if "Error" in x), lines[-1])[:300]
        raise RuntimeError(f"flask {' '.join(args[:2])} failed: {last}")
    return done.stdout


def prepare(env: dict[str, str], workshops: int = 1) -> list[str]:
    """Make the schema, a leader, a project and W2 workshops; the workshops' join codes."""
    flask_cli(env, "db", "upgrade")
    flask_cli(
        env,
        "create-leader",
        LEADER,
        "--name",
        "Bench Leader",
        stdin=secrets.token_urlsafe(12) + "\n",
    )
    flask_cli(env, "create-project", PROJECT, "--name", "Idea burst", "--leader", LEADER)
    codes = []
    for n in range(workshops):
        out = flask_cli(
            env,
            "create-workshop",
            "--project",
            PROJECT,
            "--title",
            f"Ideas {n + 1}",
            "--template",
            "W2",
        )
        codes.append(out.strip().splitlines()[-1].strip())
    return codes


@contextlib.contextmanager
def fresh_postgres(url: str, prefix: str) -> Iterator[str]:
    """A new empty database on the server of `url` (a URL for it), dropped afterwards."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(url).set(drivername="postgresql")
    name = f"{prefix}_{secrets.token_hex(4)}"
    conninfo = server.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name, drivername="postgresql+psycopg").render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(conninfo, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Server:
    """gunicorn as `make run` starts it (2 gthread workers of 4 threads), on one port of
    127.0.0.1, in its own process group, with its own log."""

    def __init__(self, app: str, env: dict[str, str], scratch: Path, name: str) -> None:
        self.app, self.env, self.scratch, self.name = app, env, scratch, name
        self.port = free_port()
        self.log_path = scratch / f"{name}-gunicorn.log"
        self.process: subprocess.Popen | None = None
        self.log = None
        self.starts = 0

    def start(self, timeout: float = 60.0, *, healthy: bool = True) -> None:
        """Start gunicorn (in a new process group) and wait until /healthz answers 200, or, with
        `healthy=False`, only until its port takes connections (a health check would queue behind
        the clients' requests; the workers may still be loading the app)."""
        self.starts += 1
        self.log = self.log_path.open("ab")
        # The control socket (a file beside the app) stays off: a killed master leaves it behind.
        command = gunicorn_command(self.app, self.port)
        command[-1:-1] = ["--no-control-socket"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start: {self.log_tail()}")
            if self._healthy() if healthy else self._listening():
                break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"not ready within {timeout:.0f} s: {self.log_tail()}")
        for _ in range(50 if healthy else 0):  # every worker booted, so usage() counts them all
            if len(children_of(self.process.pid)) >= WORKERS:
                return
            time.sleep(0.1)

    def _listening(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def _healthy(self) -> bool:
        connection = httplib.HTTPConnection("127.0.0.1", self.port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            answer = connection.getresponse()
            answer.read()
            return answer.status == 200
        except (OSError, httplib.HTTPException):
            return False
        finally:
            connection.close()

    def _signal_group(self, signum: int) -> None:
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)

    def kill_hard(self) -> None:
        """kill -9 the master and every worker at once, as a crash would."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(10)
        self._close_log()
        for _ in range(100):  # until the dying workers' copies of the socket are gone too
            if not self._listening():
                return
            time.sleep(0.05)

    def stop(self) -> None:
        """Terminate gunicorn and its workers; kill them if they do not go within 15 s."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self._signal_group(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.process.wait(5)
        self._signal_group(signal.SIGKILL)  # a worker the master left behind
        self.process = None
        self._close_log()

    def _close_log(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None

    def usage(self) -> tuple[float, float]:
        """CPU seconds used so far by the master and its live workers, and the seconds they
        were ready to run but waited for a CPU (large: another program was competing)."""
        if self.process is None:
            return 0.0, 0.0
        pids = [self.process.pid, *children_of(self.process.pid)]
        return sum(map(cpu_seconds, pids)), sum(map(cpu_wait_seconds, pids))

    def log_tail(self, lines: int = 5) -> str:
        if self.log is not None:
            self.log.flush()
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(line for line in text[-lines:] if line.strip())


@contextlib.contextmanager
def serving(env: dict[str, str], scratch: Path, app: str = "run:app") -> Iterator[Server]:
    """A started Server for the duration of the block; stopped whatever happens."""
    server = Server(app, env, scratch, app.split(":")[0].replace(".", "-"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU of one process, from /proc (0 when it is gone)."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = raw.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_wait_seconds(pid: int) -> float:
    """Time one process spent runnable but waiting for a CPU (from /proc, 0 when unknown)."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[1]) / 1e9
    except (OSError, IndexError, ValueError):
        return 0.0


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            raw = (entry / "stat").read_text()
        except OSError:
            continue
        if int(raw.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def request(
    port: int,
    method: str,
    path: str,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], dict]:
    """One exchange with 127.0.0.1 on a fresh connection: status, headers, JSON body ({} if none).
    Raises one of NETWORK_ERRORS when no answer comes."""
    connection = httplib.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        sent = {"Accept": "application/json", **(headers or {})}
        if payload is not None:
            sent["Content-Type"] = "application/json"
        connection.request(method, path, body=payload, headers=sent)
        answer = connection.getresponse()
        raw = answer.read()
        try:
            parsed = json.loads(raw) if raw else {}
        except ValueError:
            parsed = {}
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, parsed
    finally:
        connection.close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


async def http(
    port: int,
    method: str,
    path: str,
    headers: dict[str, str] | None = None,
    body: bytes = b"",
    timeout: float = 10.0,
) -> Reply:
    """One HTTP/1.1 exchange with 127.0.0.1 on a fresh connection, closed after the answer.
    Raises one of NETWORK_ERRORS when it fails."""

    async def exchange() -> Reply:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
            if body or method in ("POST", "PUT", "PATCH"):
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
            await writer.drain()
            status_line = await reader.readline()
            if not status_line:
                raise ConnectionResetError("closed before answering")
            status = int(status_line.split(b" ", 2)[1])
            found: dict[str, str] = {}
            for _ in range(200):
                line = await reader.readline()
                if not line:
                    raise ConnectionResetError("closed inside the headers")
                if line in (b"\r\n", b"\n"):
                    break
                name, _sep, value = line.decode("latin-1").partition(":")
                found[name.strip().lower()] = value.strip()
            if status in (204, 304) or status < 200 or method == "HEAD":
                content = b""
            elif "content-length" in found:
                content = await reader.readexactly(int(found["content-length"]))
            else:
                content = await reader.read()
            return Reply(status, found, content)
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    return await asyncio.wait_for(exchange(), timeout)
