"""The baseline of the evaluation API burst: a bare Flask endpoint that inserts one row into SQLite.

`POST /answer/TOKEN` with a JSON body and an `X-Device` header stores the body under the device
(one row per device, with the token, so the posts can be spread over forms as the app's are) and
answers `201`; nothing else: no extensions, no form lookup, no checks. Served by the same
gunicorn command as the app (`gunicorn ... bench.bare_answer:app`, tests/serverkit.py), with the
database file in BARE_DATABASE. `GET /healthz` answers 200.
"""

from __future__ import annotations

import json
import os
import sqlite3

from flask import Flask, request

app = Flask(__name__)


def create_schema(path: str) -> None:
    """Make the table (before the server starts)."""
    made = sqlite3.connect(path)
    with made:
        made.execute("PRAGMA journal_mode=WAL")
        made.execute("CREATE TABLE answer (device TEXT PRIMARY KEY, token TEXT, body TEXT)")
    made.close()


@app.get("/healthz")
def healthz():
    return {"status": "ok"}


@app.post("/answer/<token>")
def answer(token: str):
    connection = sqlite3.connect(os.environ["BARE_DATABASE"], timeout=10)
    with connection:
        connection.execute(
            "INSERT INTO answer VALUES (?, ?, ?)",
            (request.headers["X-Device"], token, json.dumps(request.get_json())),
        )
    connection.close()
    return {"status": "stored"}, 201
