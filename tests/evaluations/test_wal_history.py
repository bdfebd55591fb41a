"""SQLite keeps no earlier state of a form's responses beside the database file.

Every answer rewrites the form's one row of responses (evaluations/store.py). In WAL mode each
commit appends the changed pages to the -wal file, so without a checkpoint the file would hold
every state of the row in answering order, and a reader of the files who watched the room could
tell whose answers are whose (a walk found exactly that). Soon after answers the log is emptied.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from app.db import forget_old_versions
from app.extensions import db as _db
from evaluations import store
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db


def _answers(form, n: int) -> dict:
    return {
        qid(form, 0): option_id(form, 0, n % 3),
        qid(form, 1): option_id(form, 1, 0),
        qid(form, 2): 1 + n % 5,
        qid(form, 3): [option_id(form, 3, 0)],
        qid(form, 4): f"answer text number {n:03d}",
    }


def _log_bytes(wal: Path) -> bytes:
    """What the log file holds (SQLite deletes it when its last connection closes)."""
    return wal.read_bytes() if wal.exists() else b""


def _files(app) -> tuple[Path, Path]:
    database = Path(_db.engine.url.database)
    return database, database.with_name(database.name + "-wal")


def test_the_log_holds_no_earlier_state_of_the_responses_after_answers(
    app, custom_form, make_phone
):
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write-ahead log; PostgreSQL keeps row versions in its tables")
    database, wal = _files(app)

    for n in range(6):
        response = make_phone(f"phone-{n:016d}").answer(custom_form.token, _answers(custom_form, n))
        assert response.status_code == 201

    stored = store.responses(custom_form.id)
    assert len(stored) == 6
    # Emptied (not only checkpointed) by a timer half a second after the answers.
    deadline = time.monotonic() + 10
    while _log_bytes(wal) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _log_bytes(wal) == b""
    assert all(f"number {n:03d}".encode() in database.read_bytes() for n in range(6))


def test_a_reader_in_the_way_delays_the_emptying_and_a_later_try_does_it(app, custom_form):
    """While a reader holds a snapshot the log cannot be emptied: the answer is kept, False is
    returned, and a try after the reader is gone empties it."""
    if _db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's write-ahead log")
    database, wal = _files(app)
    reader_ready, reader_done = threading.Event(), threading.Event()

    def read_and_hold():
        reading = sqlite3.connect(database, isolation_level=None)
        reading.execute("BEGIN")
        reading.execute("SELECT count(*) FROM evaluation_form").fetchone()  # a snapshot
        reader_ready.set()
        reader_done.wait(10)
        reading.execute("COMMIT")
        reading.close()

    store.add(custom_form.id, [store.StoredResponse(store.new_id(), date(2026, 5, 1))])
    _db.session.commit()
    reader = threading.Thread(target=read_and_hold)
    reader.start()
    try:
        reader_ready.wait(10)
        store.add(custom_form.id, [store.StoredResponse(store.new_id(), date(2026, 5, 1))])
        _db.session.commit()

        assert forget_old_versions(_db.engine, retries=()) is False
        assert b"2026-05-01" in _log_bytes(wal)  # the rewritten row, still in the log
    finally:
        reader_done.set()
        reader.join(10)

    assert forget_old_versions(_db.engine, retries=()) is True
    assert _log_bytes(wal) == b""
    assert store.count(custom_form.id) == 2
