"""The PostgreSQL baseline of the cluster benchmark: bare Flask, one INSERT per write.

`POST /api/v1/workshops/CODE/ideas` with `{"text"}` and an `Idempotency-Key` header answers
`201 {"id", "created_at"}` once the row is committed, as the app does, with nothing else: no
extensions, no workshop lookup, no rate limit, no device check; one INSERT ... ON CONFLICT on a
psycopg connection kept per thread. `POST /api/v1/evaluations/TOKEN` with `{"answers": {...}}`
stores one response row and one row per answer in one transaction and answers 201.

Served by the same gunicorn command as the app, behind the same nginx, on the same PostgreSQL
server (its own tables, prefixed `bare_`), with the database URL in BARE_DATABASE_URL.
"""

from __future__ import annotations

import os
import secrets
import threading
from datetime import UTC, datetime

import psycopg
from flask import Flask, request

app = Flask(__name__)
_local = threading.local()

SCHEMA = """
CREATE TABLE IF NOT EXISTS bare_idea (
    id SERIAL PRIMARY KEY,
    code VARCHAR(16) NOT NULL,
    idempotency_key VARCHAR(200) UNIQUE,
    text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE IF NOT EXISTS bare_response (
    id VARCHAR(32) PRIMARY KEY,
    token VARCHAR(64) NOT NULL,
    created_on DATE NOT NULL
);
CREATE TABLE IF NOT EXISTS bare_answer (
    id SERIAL PRIMARY KEY,
    response_id VARCHAR(32) NOT NULL REFERENCES bare_response (id),
    question VARCHAR(32) NOT NULL,
    value TEXT NOT NULL
);
"""


def _url() -> str:
    return os.environ.get("BARE_DATABASE_URL") or os.environ["DATABASE_URL"].replace(
        "postgresql+psycopg://", "postgresql://"
    )


def connection() -> psycopg.Connection:
    found = getattr(_local, "connection", None)
    if found is None or found.closed:
        found = psycopg.connect(_url(), autocommit=True)
        _local.connection = found
    return found


def create_schema(url: str) -> None:
    """Make the tables (before the servers start)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as made:
        made.execute(SCHEMA)


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
    row = db.execute(
        "INSERT INTO bare_idea (code, idempotency_key, text, created_at) VALUES (%s, %s, %s, %s)"
        " ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at",
        (code, key, text, now),
    ).fetchone()
    if row is None:  # a retry: the first answer again
        row = db.execute(
            "SELECT id, created_at FROM bare_idea WHERE idempotency_key = %s", (key,)
        ).fetchone()
    return {"id": row[0], "created_at": row[1].isoformat() + "Z"}, 201


@app.post("/api/v1/evaluations/<token>")
def post_answers(token: str):
    data = request.get_json(silent=True)
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return {"error": "invalid_answers", "message": "Send answers."}, 422
    response_id = secrets.token_hex(16)
    db = connection()
    with db.transaction():
        db.execute(
            "INSERT INTO bare_response (id, token, created_on) VALUES (%s, %s, CURRENT_DATE)",
            (response_id, token),
        )
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bare_answer (response_id, question, value) VALUES (%s, %s, %s)",
                [(response_id, str(q), str(v)) for q, v in answers.items()],
            )
    return {"status": "stored"}, 201
