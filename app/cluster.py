"""A regional host on one machine: PostgreSQL, several app servers and nginx in front (`make cluster`).

`python -m app.cluster` starts, in a throwaway folder:
- a PostgreSQL cluster of its own on a free local port (or uses `DATABASE_URL` when it is set);
- N app servers (gunicorn, configured as `make run` configures it: gthread workers), each on its
  own port with an instance folder of its own, so nothing one host keeps locally can be relied on;
- Debian's nginx on `PORT` (default 8080), round-robin over the app servers, passing
  `X-Forwarded-*` (the app trusts exactly one proxy), serving the static folders of every blueprint
  itself with the app's security headers, and answering with a short page when no app server is up.

It restarts an app server that dies (as systemd's `Restart=always` would), prints the address and
stops everything on Ctrl+C. The tests (tests/cluster/) drive the same class. docs/deploy.md shows
how the same pieces are laid out on several hosts.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from app import create_app
from app.security import CSP

ROOT = Path(__file__).resolve().parent.parent
NGINX_TEMPLATE = ROOT / "docs" / "deploy" / "nginx-site.conf"
OFFLINE_PAGE = ROOT / "docs" / "deploy" / "offline.html"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, timeout: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the process on port {port} ended with code {process.returncode}")
        with socket.socket() as sock:
            sock.settimeout(0.5)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port} within {timeout:.0f} s")


def _wait_until_healthy(port: int, timeout: float, process: subprocess.Popen) -> None:
    """Until /healthz answers 200: the port opens before the workers have loaded the app."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the app server on port {port} ended with code {process.returncode}"
            )
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"/healthz on port {port} did not answer within {timeout:.0f} s")


def _as_postgres_user() -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() != 0:
        return []
    subprocess.run(  # noqa: S603  # nosec B603
        [
            "/bin/sh",
            "-c",
            "id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres",
        ],
        check=True,
    )
    return ["runuser", "-u", "postgres", "--"]


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name)
    for folder in reversed(versions):
        if (folder / "initdb").exists():
            return folder
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    raise RuntimeError("PostgreSQL is not installed (initdb not found): see README, make cluster")


@dataclass
class Postgres:
    """A throwaway PostgreSQL cluster in `folder`, listening on 127.0.0.1:`port` only."""

    folder: Path
    port: int = field(default_factory=free_port)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://kraftverk@127.0.0.1:{self.port}/kraftverk"

    def start(self) -> None:
        bindir, run_as = _postgres_bin(), _as_postgres_user()
        self.folder.mkdir(parents=True, exist_ok=True)
        if run_as:
            shutil.chown(self.folder, "postgres")
        data = self.folder / "data"
        if not data.exists():
            subprocess.run(  # noqa: S603  # nosec B603
                [*run_as, str(bindir / "initdb"), "-D", str(data), "-U", "kraftverk"]
                + ["--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                check=True,
                capture_output=True,
            )
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        subprocess.run(  # noqa: S603  # nosec B603
            [*run_as, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "log")]
            + ["-w", "-o", options, "start"],
            check=True,
            capture_output=True,
        )
        subprocess.run(  # noqa: S603  # nosec B603
            [*run_as, str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", "kraftverk", "kraftverk"],
            check=False,
            capture_output=True,
        )

    def stop(self, mode: str = "fast") -> None:
        data = self.folder / "data"
        if data.exists():
            subprocess.run(  # noqa: S603  # nosec B603
                [*_as_postgres_user(), str(_postgres_bin() / "pg_ctl"), "-D", str(data)]
                + ["-m", mode, "stop"],
                check=False,
                capture_output=True,
            )


@dataclass
class AppServer:
    """One gunicorn, as `make run` starts it, in its own process group (so kill -9 takes all)."""

    name: str
    port: int
    env: dict[str, str]
    workers: int = 2
    threads: int = 4
    log: Path | None = None
    app: str = "run:app"
    process: subprocess.Popen | None = None
    restarts: int = 0

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "gunicorn", "--config", "python:app.gunicorn_conf",
            "--workers", str(self.workers),
            "--worker-class", "gthread", "--threads", str(self.threads),
            "--bind", f"127.0.0.1:{self.port}", "--forwarded-allow-ips", "127.0.0.1",
            # gunicorn's control socket defaults to one path per user: one each, or they collide.
            "--control-socket", str(self.control_socket()),
            self.app,
        ]  # fmt: skip

    def control_socket(self) -> Path:
        folder = self.log.parent if self.log else Path(tempfile.gettempdir())
        return folder / f"{self.name}-{self.port}.ctl"

    def start(self, timeout: float = 60) -> None:
        log = self.log or Path(os.devnull)
        with open(log, "ab") as output:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(  # noqa: S603  # nosec B603
                self.command(),
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        _wait_until_healthy(self.port, timeout, self.process)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_hard(self) -> None:
        """kill -9 the master and its workers at once, as a crashing host would."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill_hard()


def static_locations() -> list[tuple[str, Path]]:
    """(URL prefix, folder) of every static folder the app serves: nginx serves them itself."""
    os.environ.setdefault("KRAFTVERK_INSTANCE", tempfile.mkdtemp(prefix="kraftverk-static-"))

    app = create_app()
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static"):
            continue
        blueprint = (
            app.blueprints.get(rule.endpoint.rsplit(".", 1)[0]) if "." in rule.endpoint else app
        )
        folder = blueprint.static_folder if blueprint is not None else None
        if folder:
            prefix = rule.rule.split("<", 1)[0]
            found.append((prefix, Path(folder)))
    return sorted(found, key=lambda item: -len(item[0]))


def security_headers() -> list[tuple[str, str]]:
    """The headers the app puts on its own responses, for nginx to put on the static files."""
    return [
        ("Content-Security-Policy", CSP),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
    ]


def nginx_config(folder: Path, port: int, upstreams: list[int]) -> str:
    """The site of docs/deploy/nginx-site.conf, filled in for this machine and run as a whole."""
    headers = "".join(
        f'        add_header {name} "{value}" always;\n' for name, value in security_headers()
    )
    statics = "".join(
        f"    location ^~ {prefix} {{\n        alias {path}/;\n        expires 1h;\n{headers}    }}\n"
        for prefix, path in static_locations()
    )
    site = NGINX_TEMPLATE.read_text(encoding="utf-8")
    site = site.replace(
        "    server 127.0.0.1:8001 max_fails=1 fail_timeout=2s;\n"
        "    server 127.0.0.1:8002 max_fails=1 fail_timeout=2s;\n",
        "".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;\n" for p in upstreams),
    )
    site = site.replace("listen 80;", f"listen 127.0.0.1:{port};")
    site = site.replace("    # STATIC LOCATIONS (make cluster fills these in)\n", statics)
    site = site.replace("/srv/kraftverk/offline", str(OFFLINE_PAGE.parent))
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events { worker_connections 1024; }\n"
        "http {\n"
        "    include /etc/nginx/mime.types;\n"
        f"    access_log {folder}/access.log;\n"
        f"    client_body_temp_path {folder}/body;\n    proxy_temp_path {folder}/proxy;\n"
        f"    fastcgi_temp_path {folder}/fastcgi;\n    uwsgi_temp_path {folder}/uwsgi;\n"
        f"    scgi_temp_path {folder}/scgi;\n" + site + "}\n"
    )


class Cluster:
    """PostgreSQL + app servers + nginx; `start()`, `supervise_once()`, `stop()`."""

    def __init__(
        self,
        folder: Path,
        *,
        port: int | None = None,
        servers: int = 2,
        workers: int = 2,
        threads: int = 4,
        database_url: str | None = None,
        demo: bool = True,
        app: str = "run:app",
    ):
        self.folder = folder
        self.port = port or free_port()
        self.database_url = database_url
        # Its own folder under the system's temporary folder: PostgreSQL's user must reach it,
        # and a test's temporary folder is often private to the user running the tests.
        self.postgres = (
            None if database_url else Postgres(Path(tempfile.mkdtemp(prefix="kraftverk-pg-")))
        )
        self.demo = demo
        self.app = app
        self.servers = [
            AppServer(
                name=f"app{n + 1}",
                port=free_port(),
                env=self._env(n),
                workers=workers,
                threads=threads,
                log=folder / f"app{n + 1}.log",
                app=app,
            )
            for n in range(servers)
        ]
        self.nginx: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _env(self, n: int) -> dict[str, str]:
        env = dict(os.environ)
        # No SECRET_KEY of its own: unless the environment sets one, each app server generates one
        # in its own instance folder and they agree through the database (app/keys.py).
        env.update(
            TRUSTED_PROXIES="1",
            KRAFTVERK_INSTANCE=str(self.folder / f"instance-app{n + 1}"),
            PYTHONUNBUFFERED="1",
        )
        return env

    def flask(self, *args: str) -> str:
        env = self.servers[0].env
        done = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "flask", "--app", "run", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
        return done.stdout

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.postgres is not None:
            self.postgres.start()
            self.database_url = self.postgres.url
        for server in self.servers:
            server.env["DATABASE_URL"] = self.database_url
        if self.app == "run:app":
            self.flask("db", "upgrade")
            if self.demo:
                self.flask("demo", "--if-empty")
        for server in self.servers:
            server.start()
        self._start_nginx()

    def _start_nginx(self) -> None:
        folder = self.folder / "nginx"
        folder.mkdir(exist_ok=True)
        conf = folder / "nginx.conf"
        conf.write_text(nginx_config(folder, self.port, [s.port for s in self.servers]))
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        if not Path(binary).exists():
            raise RuntimeError("nginx is not installed: see README, make cluster")
        with open(folder / "stderr.log", "ab") as errors:
            self.nginx = subprocess.Popen(  # noqa: S603  # nosec B603
                [binary, "-p", str(folder), "-c", str(conf), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL,
                stderr=errors,
                start_new_session=True,
            )
        _wait_for_port(self.port, 15, self.nginx)

    def supervise_once(self) -> list[str]:
        """Restart every app server that died; the names of those restarted."""
        restarted = []
        for server in self.servers:
            if not server.alive():
                server.restarts += 1
                server.start()
                restarted.append(server.name)
        return restarted

    def stop(self) -> None:
        if self.nginx is not None and self.nginx.poll() is None:
            os.killpg(self.nginx.pid, signal.SIGQUIT)
            try:
                self.nginx.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.nginx.pid, signal.SIGKILL)
        for server in self.servers:
            server.stop()
        if self.postgres is not None:
            self.postgres.stop()
            shutil.rmtree(self.postgres.folder, ignore_errors=True)


def main() -> int:
    folder = Path(tempfile.mkdtemp(prefix="kraftverk-cluster-"))
    cluster = Cluster(
        folder,
        port=int(os.environ.get("PORT", "8080")),
        servers=int(os.environ.get("SERVERS", "2")),
        workers=int(os.environ.get("WORKERS", "2")),
        threads=int(os.environ.get("THREADS", "4")),
        database_url=os.environ.get("DATABASE_URL") or None,
    )
    stopping = False

    def _stop(*_args) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        cluster.start()
        ports = ", ".join(str(s.port) for s in cluster.servers)
        print(f"Kraftverk cluster: nginx on {cluster.url} in front of app servers on {ports}")
        print(f"Database: {cluster.database_url}; logs in {folder} (Ctrl+C stops everything)")
        while not stopping:
            for name in cluster.supervise_once():
                print(f"{name} had stopped: started again")
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
