"""The baseline for bench.live_poll: a bare Flask endpoint with the live state's JSON and ETag.

Served by the same gunicorn command as the app (`gunicorn ... bench.bare_state:app`). No database,
no extensions: the state is one small file (its version on the first line, the JSON after it),
so every worker answers the same, as the app's workers do through the database. The benchmark
writes the first state into the file and moves it on with `POST /advance` (the JSON as body).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import Flask, Response, request

STATE_FILE = Path(os.environ.get("BARE_STATE_FILE", "bare-state.txt"))

app = Flask(__name__)
_cache: dict = {"key": None, "version": 0, "body": b""}


def write_state(path: Path, version: int, body: bytes) -> None:
    """Replace the state file atomically, so a reader never sees half a state."""
    scratch = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    scratch.write_bytes(f"{version}\n".encode() + body)
    os.replace(scratch, path)


def _current() -> tuple[int, bytes]:
    """The state's version and JSON, re-read only when the file changed."""
    info = os.stat(STATE_FILE)
    key = (info.st_ino, info.st_mtime_ns, info.st_size)
    if key != _cache["key"]:
        version, _sep, body = STATE_FILE.read_bytes().partition(b"\n")
        _cache.update(key=key, version=int(version), body=body)
    return _cache["version"], _cache["body"]


def _etag(code: str, version: int) -> str:
    return hashlib.blake2s(f"{code}:{version}:".encode(), digest_size=8).hexdigest()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.get("/api/v1/workshops/<code>")
def live_state(code: str):
    """The same contract as the app's: ETag over the state, 304 when unchanged."""
    version, body = _current()
    tag = _etag(code, version)
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = Response(body, mimetype="application/json")
    response.set_etag(tag)
    response.headers["Cache-Control"] = "no-cache"
    return response


@app.post("/advance")
def advance():
    """The leader's press: the request body becomes the new state."""
    version, _body = _current()
    write_state(STATE_FILE, version + 1, request.get_data())
    return Response(status=204)
