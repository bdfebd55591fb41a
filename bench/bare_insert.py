"""The baseline of the idea burst: a bare Flask endpoint that inserts one row into SQLite.

`POST /api/v1/workshops/CODE/ideas` with `{"text"}` and an `Idempotency-Key` header answers
`201 {"id", "created_at"}` once the row is committed, as the app does, but with nothing else: no
extensions, no workshop lookup, no rate limit, no device; one INSERT on a connection kept per
thread, with the app's SQLite settings (WAL, busy timeout, synchronous NORMAL). The key is unique
(a retry gets its first row back), so the baseline loses and doubles nothing either.

Served by the same gunicorn command as the app: gunicorn ... bench.bare_insert:app, with the
database file in BARE_DATABASE. `GET /healthz` answers 200.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()

SCHEMA = """
CREATE TABLE IF NOT EXISTS idea (
    id INTEGER PRIMARY KEY,
    code VARCHAR(16) NOT NULL,
    idempotency_key VARCHAR(200) UNIQUE,
    text TEXT NOT NULL,
    created_at DATETIME NOT NULL
)
"""


def connection() -> sqlite3.Connection:
    """This thread's connection, with the app's pragmas."""
    found = getattr(_local, "connection", None)
    if found is None:
        found = sqlite3.connect(os.environ["BARE_DATABASE"], isolation_level=None)
        found.execute("PRAGMA journal_mode=WAL")
        found.execute("PRAGMA busy_timeout=10000")
        found.execute("PRAGMA synchronous=NORMAL")
        _local.connection = found
    return found


def create_schema(path: str) -> None:
    """Make the table (before the server starts)."""
    with sqlite3.connect(path) as made:
        made.execute("PRAGMA journal_mode=WAL")
        made.execute(SCHEMA)
    made.close()


@app.get("/healthz")
def healthz():
    connection().execute("SELECT 1").fetchone()
    return {"status": "ok"}


@app.post("/api/v1/workshops/<code>/ideas")
def post_idea(code: str):
    data = request.get_json(silent=True)
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        return {"error": "invalid_text", "message": "Write an idea."}, 422
    key = request.headers.get("Idempotency-Key")
    now = datetime.now(UTC).replace(tzinfo=None)
    db = connection()
    # fetchall: the statement runs to its end, so the autocommit is done before the answer.
    rows = db.execute(
        "INSERT INTO idea (code, idempotency_key, text, created_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at",
        (code, key, text, now.isoformat(sep=" ")),
    ).fetchall()
    if not rows:  # a retry: the first answer again
        rows = db.execute(
            "SELECT id, created_at FROM idea WHERE idempotency_key = ?", (key,)
        ).fetchall()
    row = rows[0]
    stamp = datetime.fromisoformat(row[1]).isoformat(timespec="seconds") + "Z"
    return {"id": row[0], "created_at": stamp}, 201
