"""Serve the app as `make run` does, on a throwaway database, and talk raw HTTP to it.

Shared by the idea burst benchmark (bench/idea_burst.py) and the crash test
(tests/workshops/ideas/test_idea_crash.py):

- `prepare(env, ...)` makes the database through the command line (`db upgrade`, a leader, a
  project, W2 workshops) and returns the workshops' join codes;
- `Server` runs gunicorn (2 sync workers, as `make run`) on 127.0.0.1 in its own process group,
  so that `kill_hard()` can kill -9 the master and its workers at once and `start()` can bring it
  back on the same port; `stop()` ends it (terminate, then kill) whatever happened;
- `fresh_postgres(url)` gives a new, empty database on the server of a PostgreSQL URL and drops it
  afterwards, so `db upgrade` never meets tables made by other tests;
- `http(...)` is one HTTP/1.1 exchange on a fresh connection, for asyncio clients.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client as httplib
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
NETWORK_ERRORS = (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError)


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


def flask_cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Run one `flask --app run` command; its standard output, or an error naming it."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "run", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
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
    """gunicorn as `make run` starts it (2 sync workers), on one port of 127.0.0.1."""

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
        command = [sys.executable, "-m", "gunicorn", "--workers", "2"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--access-logfile", "-"]
        command += ["--forwarded-allow-ips", ""]
        command += ["--control-socket", str(self.scratch / f"{self.name}-{self.starts}.ctl")]
        self.process = subprocess.Popen(
            [*command, self.app],
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
                return
            time.sleep(0.1)
        raise RuntimeError(f"/healthz did not answer within {timeout:.0f} s: {self.log_tail()}")

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
    """One HTTP/1.1 exchange with 127.0.0.1 on a fresh connection (gunicorn's sync workers
    close it after each answer anyway). Raises one of NETWORK_ERRORS when it fails."""

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
