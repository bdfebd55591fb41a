"""A wrong DATABASE_URL stops the app at start with one clear line, not a traceback later."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _start(tmp_path, database_url: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=database_url, KRAFTVERK_INSTANCE=str(tmp_path))
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "run", "db", "current"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("mysql://kraftverk@localhost/kraftverk", "names the engine 'mysql'"),
        ("postgresql://kraftverk@127.0.0.1:{port}/kraftverk", "cannot be reached"),
    ],
    ids=["other-engine", "unreachable"],
)
def test_a_wrong_database_url_is_one_clear_line(tmp_path, url, says):
    done = _start(tmp_path, url.format(port=_closed_port()))

    lines = done.stderr.strip().splitlines()
    assert done.returncode == 1
    assert len(lines) == 1
    assert lines[0].startswith("Error: cannot start:")
    assert says in lines[0]
    assert "Traceback" not in done.stderr
