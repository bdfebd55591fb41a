"""Faults on PostgreSQL (issue 18): the kill -9 burst of evaluation answers and votes and the
backup under writes of tests/workshops/test_faults.py, on a new database of TEST_DATABASE_URL's
server (skipped unless that is PostgreSQL; `make test` runs them in its PostgreSQL pass).

1. gunicorn (tests/serverkit.py, as `make run` starts it) serves a new database; 40 phones
   answer an evaluation form once and spend their dots, retrying on network errors and 5xx, while
   the whole process group is killed with SIGKILL three times and started again on the same port.
   Afterwards, read with SQLAlchemy: an evaluation is stored exactly for the devices told 201 (or
   409 already_answered after a try that got no answer), once each and with all its answers; each
   device's stored dots equal its votes, stay within its dots and lie between the dots
   acknowledged and those plus the dots whose answer was lost.
2. `flask backup FILE` (pg_dump) while a writer posts ideas, then `flask restore FILE`
   (pg_restore) into another new database: every idea acknowledged before the backup began is
   there; the copy is one moment of the live database (the writer's ideas up to the newest
   it holds, none missing in between); and the app serves the restored database.
"""

from __future__ import annotations

import os
import time

import pytest
from sqlalchemy import create_engine, text

from tests.serverkit import app_env, flask_run, fresh_postgres, is_postgres, serving
from tests.workshops.test_faults import (
    IdeaWriter,
    in_app,
    kill_9_burst,
    prepare,
)

_TEST_URL = os.environ.get("TEST_DATABASE_URL")
POSTGRES_URL = _TEST_URL if is_postgres(_TEST_URL) else None
DEVICES = 40  # fewer than on SQLite: the same kills and checks within the time of `make test`

pytestmark = [
    pytest.mark.db,
    pytest.mark.slow,
    pytest.mark.skipif(not POSTGRES_URL, reason="TEST_DATABASE_URL is not PostgreSQL"),
]


def rows(url: str, query: str, **params) -> list[tuple]:
    """The rows of one query on the database at url, on a connection of its own."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(query), params)]
    finally:
        engine.dispose()


# ---- 1. kill -9 during an evaluation and a vote burst ------------------------------------------


def test_kill_9_during_evaluation_and_vote_bursts_loses_no_acknowledged_item_on_postgres(
    tmp_path,
):
    with fresh_postgres(POSTGRES_URL, "faults") as url:
        env = app_env(tmp_path, url)
        setup = prepare(env, tmp_path)
        kill_9_burst(env, tmp_path, setup, DEVICES)
        from evaluations import store

        stored = rows(
            url,
            "SELECT s.responses FROM evaluation_response_set s"
            " JOIN evaluation_form f ON f.id = s.form_id WHERE f.token = :token",
            token=setup["token"],
        )
        answer_rows = [
            (len(store.decode(item).answers),)
            for (items,) in stored
            for item in store.stored_items(items)
        ]
    # Each response stored whole: every answer of the form, none half-written.
    assert sorted(answer_rows) == [(len(setup["answers"]),)] * DEVICES


# ---- 2. backup (pg_dump) while the app takes writes, then restore (pg_restore) -----------------


def test_backup_while_writing_then_restore_holds_everything_acknowledged_before_on_postgres(
    tmp_path,
):
    backup_file = tmp_path / "copies" / "kraftverk-backup.dump"
    with fresh_postgres(POSTGRES_URL, "live") as url:
        env = app_env(tmp_path, url)
        setup = prepare(env, tmp_path)
        with serving(env, tmp_path) as server:
            writer = IdeaWriter(server.port, setup["code"], limit=40.0)
            writer.start()
            try:
                writer.wait_for(30)
                started = time.monotonic()
                before = {idea for at, idea in writer.acked if at < started}
                done = flask_run(env, "backup", str(backup_file))
                ended = time.monotonic()
                writer.wait_for(len(writer.acked) + 30)  # the app kept taking writes
            finally:
                writer.halt.set()
                writer.join(15)
        assert not writer.is_alive()
        assert done.returncode == 0, done.stderr[-1000:]
        during = sum(1 for at, _idea in writer.acked if started <= at <= ended)
        live = {row[0] for row in rows(url, "SELECT id FROM idea")}
    assert before <= live  # the writer's acknowledgements are real

    fresh = tmp_path / "fresh"
    with fresh_postgres(POSTGRES_URL, "restored") as restored_url:
        restored_env = app_env(fresh, restored_url)
        done = flask_run(restored_env, "restore", str(backup_file))
        assert done.returncode == 0, done.stderr[-1000:]
        restored = {row[0] for row in rows(restored_url, "SELECT id FROM idea")}
        missing = before - restored
        print(
            f"\nbackup: {len(before)} ideas acknowledged before it, {during} during it,"
            f" {len(writer.acked)} in all; restored {len(restored)}; lost {len(missing)}"
        )
        assert missing == set(), f"{len(missing)} ideas acknowledged before the backup are missing"
        assert restored <= live, "the restore holds an idea the live database never had"
        # The writer sends an idea only after the previous one's answer: a copy of one moment
        # holds the acknowledged ideas up to its newest, with no gap.
        acked = [idea for _at, idea in writer.acked]
        kept = restored & set(acked)
        assert kept == set(acked[: len(kept)]), "the copy is not one moment of the database"
        # The restored database serves: the app starts on it and finds the workshop's ideas.
        app = in_app(restored_env, fresh)
        with app.app_context():
            from app.extensions import db

            response = app.test_client().get(f"/api/v1/workshops/{setup['code']}/ideas")
            assert response.status_code == 200
            assert {idea["id"] for idea in response.json["ideas"]} == restored
            db.session.remove()
            db.engine.dispose()
