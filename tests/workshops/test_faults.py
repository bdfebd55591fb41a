"""Faults (issue 9): kill -9 during bursts, backup under writes, a busy or gone database, and an
instance folder that cannot be written at start.

1. gunicorn serves the app as `make run` does (2 gthread workers, 4 threads; tests/serverkit.py)
   on a throwaway SQLite database. 100 phones answer an evaluation form once and spend their dots, retrying on network
   errors and 5xx; meanwhile the whole process group is killed with SIGKILL three times and
   started again on the same port. Afterwards:
   - evaluations: the stored responses (and receipts) are exactly the devices that were told 201,
     or 409 already_answered after a try that got no answer (a lost acknowledgement); a device
     never has two, and 409 already_answered never comes without such a lost try;
   - votes: per device, stored dots (the budget's `used`) equal the sum of its stored votes, stay
     within its dots, and lie between the dots acknowledged by 201 and those plus the dots of the
     tries that got no answer at all (a vote has no idempotency key: a lost 201 may be spent);
   - the database passes PRAGMA integrity_check.
2. `flask backup FILE` while a writer posts ideas, then `flask restore FILE` into a new instance:
   the copy passes its integrity check and holds every idea acknowledged before the backup began.
3. A locked SQLite database and an unreachable PostgreSQL answer 503 with Retry-After (JSON under
   /api/, a page elsewhere), never a 500. (The phone's queue: tests/browser/test_faults_browser.py.)
4. An instance folder that cannot be written stops `flask db upgrade` and create_app() with one
   line on standard error and exit status 1, not a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.serverkit import NETWORK_ERRORS, ROOT, Server, app_env, flask_run, request, serving

DEVICES = 100
DOTS = 3
IDEAS = 4
IN_FLIGHT = 16  # phones sending at the same time (a venue's Wi-Fi, not a load test)
REQUEST_TIMEOUT = 30.0  # a phone's fetch waits long: short timeouts only add retries
KILLS = 3
MIN_ACKS_BETWEEN = 15  # the restarted server acknowledges at least this many before a kill
HARD_LIMIT = 60.0  # seconds for the whole burst, whatever happens
MAX_TRIES = 300  # per request, whatever happens


# ---- the data: a project, a W2 workshop with ideas, Form A open, a dot vote open ---------------


def in_app(env: dict[str, str], scratch: Path):
    """An app in this process on the server's database, with the server's secret (device hashes
    agree with the server's)."""
    return make_app(
        scratch,
        SQLALCHEMY_DATABASE_URI=env["DATABASE_URL"],
        SECRET_KEY=env["SECRET_KEY"],
        INSTANCE_PATH=Path(env["KRAFTVERK_INSTANCE"]),
    )


def prepare(env: dict[str, str], scratch: Path) -> dict:
    """`db upgrade` through the command line, then the data through the domain functions."""
    done = flask_run(env, "db", "upgrade")
    assert done.returncode == 0, done.stderr[-2000:]
    app = in_app(env, scratch)
    with app.app_context():
        from sqlalchemy import select

        from app.db import utcnow
        from app.extensions import db
        from evaluations import builder, responses
        from evaluations.models import EvaluationForm
        from workshops.ideas import capture as ideas
        from workshops.ideas import votes
        from workshops.live import clock as live
        from workshops.programme import builder as programme_builder
        from workshops.projects import service as projects

        project = projects.create(projects.ProjectData(slug="faults", name="Faults"))
        workshop = programme_builder.add_workshop(project, "Faults", template="W2")
        live.start(workshop, utcnow())
        db.session.commit()
        form = db.session.scalar(
            select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
        ) or builder.from_template(project, "A", workshop=workshop)
        builder.set_status(form, "open")
        answers = {}
        for question in form.questions:
            if question.type == "scale":
                answers[str(question.id)] = 4
            elif question.type == "text":
                answers[str(question.id)] = "Godt møte, æøå 🌱"
            elif question.type == "multiple":
                plain = [o for o in question.options if not o.exclusive]
                answers[str(question.id)] = [str(plain[0].id)]
            else:
                answers[str(question.id)] = str(question.options[0].id)
        _checked, problems = responses.check(form, answers)
        assert problems == []
        idea_ids = [
            ideas.submit(workshop.join_code, f"Idé {n}", device=None).id for n in range(IDEAS)
        ]
        votes.start_round(workshop, DOTS, utcnow())
        db.session.commit()
        setup = {
            "code": workshop.join_code,
            "token": form.token,
            "answers": answers,
            "ideas": idea_ids,
        }
        db.session.remove()
        db.engine.dispose()
    return setup


def integrity(path: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute("PRAGMA integrity_check").fetchall()
    finally:
        connection.close()


# ---- 1. kill -9 during an evaluation and a vote burst ------------------------------------------


@dataclass
class Phone:
    device: str
    answer: int | None = None  # the final status of the evaluation: 201 or 409
    answer_error: str = ""
    answer_lost: int = 0  # evaluation tries that got no answer at all
    dots_acked: int = 0
    dots_lost: int = 0  # dots of vote tries that got no answer at all
    vote_refused: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # every failed try: a status or an error name


@dataclass
class Burst:
    port: int
    setup: dict
    deadline: float
    acks: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acked(self) -> None:
        with self.lock:
            self.acks += 1


def _pause(attempt: int, headers: dict[str, str] | None) -> float:
    retry = (headers or {}).get("retry-after", "")
    if retry.isdigit():
        return min(1.0, float(retry))
    return min(0.5, 0.02 * 2**attempt)


def _send(burst: Burst, phone: Phone, path: str, body: dict, on_lost) -> tuple[int, dict] | None:
    """Send until an answer below 500 (429 aside) comes; None when out of time or tries."""
    headers = {"X-Device": phone.device}
    for attempt in range(MAX_TRIES):
        left = burst.deadline - time.monotonic()
        if left <= 0:
            return None
        answer_headers = None
        try:
            status, answer_headers, data = request(
                burst.port, "POST", path, body, headers, timeout=min(REQUEST_TIMEOUT, left)
            )
        except NETWORK_ERRORS as error:
            if not isinstance(error, ConnectionRefusedError):  # refused: never reached the app
                on_lost()
            phone.failed.append(type(error).__name__)
        else:
            if status < 500 and status != 429:
                return status, data
            phone.failed.append(status)
        time.sleep(_pause(attempt, answer_headers))
    return None


def run_phone(burst: Burst, phone: Phone) -> None:
    setup = burst.setup

    def lost_answer() -> None:
        phone.answer_lost += 1

    result = _send(
        burst,
        phone,
        f"/api/v1/evaluations/{setup['token']}",
        {"answers": setup["answers"]},
        lost_answer,
    )
    if result is not None:
        phone.answer = result[0]
        phone.answer_error = result[1].get("error", "")
        if result[0] == 201:
            burst.acked()
    for n in range(DOTS * 3):  # bounded: a lost 201 may have spent a dot already
        if phone.dots_acked >= DOTS:
            break

        def lost_dot() -> None:
            phone.dots_lost += 1

        idea = setup["ideas"][n % len(setup["ideas"])]
        result = _send(
            burst, phone, f"/api/v1/workshops/{setup['code']}/votes", {"idea": idea}, lost_dot
        )
        if result is None:
            return
        status, data = result
        if status == 201:
            phone.dots_acked += 1
            burst.acked()
        else:
            phone.vote_refused.append((status, data.get("error")))
            return  # 409 no_dots_left: a lost acknowledgement spent the last dot


@dataclass
class Kill:
    acks_before: int
    restarted_in: float


def killer(server: Server, burst: Burst, total: int, kills: list[Kill]) -> None:
    """kill -9 the group as acknowledgements pass 1/5, 2/5, 3/5 of all, then restart it."""
    since_restart = 0
    for n in range(KILLS):
        threshold = total * (n + 1) // (KILLS + 2)
        for _tick in range(int(HARD_LIMIT * 100)):
            if burst.acks >= max(threshold, since_restart + MIN_ACKS_BETWEEN):
                break
            if time.monotonic() > burst.deadline or burst.acks >= total:
                return
            time.sleep(0.01)
        if burst.acks >= total:
            return
        at, acks = time.monotonic(), burst.acks
        server.kill_hard()
        server.start(healthy=False)
        kills.append(Kill(acks, time.monotonic() - at))
        since_restart = burst.acks


def stored_outcome(env: dict[str, str], scratch: Path, setup: dict, phones: list[Phone]) -> dict:
    """Per device: has a receipt, dots used by its budget, dots of its votes; and the counts."""
    app = in_app(env, scratch)
    with app.app_context():
        from sqlalchemy import func, select

        from app.extensions import db
        from evaluations import responses, store
        from evaluations.models import EvaluationForm
        from workshops.ideas.models import Vote, VoteBudget
        from workshops.live import participants

        form = db.session.scalar(
            select(EvaluationForm).where(EvaluationForm.token == setup["token"])
        )
        outcome = {
            "responses": store.count(form.id),
            "receipts": responses.receipt_count(form),
            "devices": {},
        }
        used = dict(db.session.execute(select(VoteBudget.device, VoteBudget.used)).all())
        spent = dict(
            db.session.execute(select(Vote.device, func.sum(Vote.dots)).group_by(Vote.device)).all()
        )
        for phone in phones:
            key = participants.device_key(phone.device)
            outcome["devices"][phone.device] = {
                "answered": responses.has_answered(form, phone.device),
                "used": used.get(key, 0),
                "votes": int(spent.get(key, 0) or 0),
            }
        outcome["budgets"] = len(used)
        db.session.remove()
        db.engine.dispose()
    return outcome


def check_burst_outcome(
    phones: list[Phone],
    kills: list[Kill],
    burst: Burst,
    total: int,
    outcome: dict,
    took: float,
    log: str,
) -> None:
    """What a kill -9 burst must leave, on either engine: every phone answered, evaluations
    stored for exactly the devices told so (or told 409 after a lost try), dots within budget."""
    failed = Counter(str(f) for p in phones for f in p.failed)

    print(
        f"\nkills survived: {len(kills)} {kills}; acknowledged: {burst.acks} of {total};"
        f" evaluation tries without answer: {sum(p.answer_lost for p in phones)};"
        f" vote dots without answer: {sum(p.dots_lost for p in phones)};"
        f" failed tries: {dict(failed)}; {took:.1f} s"
    )
    assert len(kills) == KILLS, f"only {len(kills)} kills before the burst ended"
    assert all(k.acks_before < total for k in kills)
    unfinished = [p.device for p in phones if p.answer is None]
    assert unfinished == [], f"{len(unfinished)} phones never got an answer: {log}"

    # Evaluations: stored exactly for the devices told 201, or 409 already_answered after a
    # lost acknowledgement; the receipt's key makes two per device impossible.
    told = {p.device for p in phones if p.answer == 201}
    late = {p.device for p in phones if (p.answer, p.answer_error) == (409, "already_answered")}
    assert all(p.answer_lost > 0 for p in phones if p.device in late), "409 without a lost try"
    assert {p.answer for p in phones} <= {201, 409}
    answered = {d for d, row in outcome["devices"].items() if row["answered"]}
    assert answered == told | late, "an acknowledged evaluation is missing, or one is extra"
    assert outcome["responses"] == outcome["receipts"] == len(told | late) == len(phones)

    # Votes: within the dots, consistent with the votes, and between acknowledged and
    # acknowledged plus the dots whose answer was lost.
    wrong = []
    for phone in phones:
        row = outcome["devices"][phone.device]
        if not (
            row["used"] == row["votes"]
            and 0 <= row["used"] <= DOTS
            and phone.dots_acked <= row["used"] <= phone.dots_acked + phone.dots_lost
        ):
            wrong.append((phone.device, row, phone.dots_acked, phone.dots_lost))
    assert wrong == [], f"{len(wrong)} devices' dots are off: {wrong[:5]}"
    refused = {r for p in phones for r in p.vote_refused}
    assert refused <= {(409, "no_dots_left")}, refused
    assert all(p.dots_lost for p in phones if p.vote_refused), "no_dots_left without a lost try"


def kill_9_burst(env: dict[str, str], scratch: Path, setup: dict, devices: int) -> None:
    """`devices` phones answer the form and spend their dots through one server while killer()
    kills it with -9 and restarts it; then check_burst_outcome() on what was stored."""
    phones = [Phone(f"fault-phone-{n:03d}-{secrets.token_hex(6)}") for n in range(devices)]
    total = devices * (1 + DOTS)
    kills: list[Kill] = []
    with serving(env, scratch) as server:
        now = time.monotonic()
        burst = Burst(server.port, setup, now + HARD_LIMIT)
        with ThreadPoolExecutor(max_workers=1) as chaos, ThreadPoolExecutor(IN_FLIGHT) as pool:
            killing = chaos.submit(killer, server, burst, total, kills)
            done = [pool.submit(run_phone, burst, phone) for phone in phones]
            for future in [*done, killing]:
                future.result(timeout=HARD_LIMIT + 30)
        log = server.log_tail()
    took = time.monotonic() - now
    outcome = stored_outcome(env, scratch, setup, phones)
    check_burst_outcome(phones, kills, burst, total, outcome, took, log)


@pytest.mark.slow
def test_kill_9_during_evaluation_and_vote_bursts_loses_no_acknowledged_item(tmp_path):
    database = tmp_path / "faults.sqlite3"
    env = app_env(tmp_path, f"sqlite:///{database}")
    setup = prepare(env, tmp_path)
    kill_9_burst(env, tmp_path, setup, DEVICES)
    assert integrity(str(database)) == [("ok",)]


# ---- 2. backup while the app takes writes, then restore ----------------------------------------


class IdeaWriter(threading.Thread):
    """Posts ideas one after another (a new device for each, under the rate limit); remembers
    when each was acknowledged."""

    def __init__(self, port: int, code: str, limit: float) -> None:
        super().__init__(daemon=True)
        self.port, self.code, self.limit = port, code, limit
        self.acked: list[tuple[float, int]] = []  # (time of the 201, idea id)
        self.halt = threading.Event()

    def run(self) -> None:
        deadline = time.monotonic() + self.limit
        for n in range(5000):
            if self.halt.is_set() or time.monotonic() > deadline:
                return
            device = f"backup-phone-{n:05d}-{secrets.token_hex(4)}"
            body = {"text": f"Idé under backup {n}"}
            headers = {"X-Device": device, "Idempotency-Key": f"backup-{n:05d}-{device[-8:]}"}
            try:
                status, _headers, data = request(
                    self.port, "POST", f"/api/v1/workshops/{self.code}/ideas", body, headers
                )
            except NETWORK_ERRORS:
                continue
            if status == 201:
                self.acked.append((time.monotonic(), data["id"]))

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acked) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.acked) >= count, f"only {len(self.acked)} ideas acknowledged"


@pytest.mark.slow
def test_backup_while_writing_then_restore_holds_everything_acknowledged_before(tmp_path):
    database = tmp_path / "live.sqlite3"
    env = app_env(tmp_path, f"sqlite:///{database}")
    setup = prepare(env, tmp_path)
    backup_file = tmp_path / "copies" / "kraftverk-backup.sqlite3"
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

    fresh = tmp_path / "fresh"
    restored_db = fresh / "instance" / "kraftverk.sqlite3"
    restored_env = app_env(fresh, f"sqlite:///{restored_db}")
    done = flask_run(restored_env, "restore", str(backup_file))
    assert done.returncode == 0, done.stderr[-1000:]

    assert integrity(str(restored_db)) == [("ok",)]
    connection = sqlite3.connect(restored_db)
    try:
        restored = {row[0] for row in connection.execute("SELECT id FROM idea")}
    finally:
        connection.close()
    missing = before - restored
    print(
        f"\nbackup: {len(before)} ideas acknowledged before it, {during} during it,"
        f" {len(writer.acked)} in all; restored {len(restored)}; lost {len(missing)}"
    )
    assert missing == set(), f"{len(missing)} ideas acknowledged before the backup are missing"
    # The restored database serves: the app starts on it and finds the workshop.
    app = in_app(restored_env, fresh)
    with app.app_context():
        from app.extensions import db

        response = app.test_client().get(f"/api/v1/workshops/{setup['code']}/ideas")
        assert response.status_code == 200
        assert len(response.json["ideas"]) == len(restored)
        db.session.remove()
        db.engine.dispose()


# ---- 3. database busy or gone: 503 with Retry-After, never a 500 -------------------------------


@pytest.fixture
def busy_app(tmp_path):
    """An app whose SQLite writes wait only 200 ms for a lock, with a workshop and a form."""
    path = tmp_path / "busy.sqlite3"
    app = make_app(
        tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", SQLITE_BUSY_TIMEOUT_MS=200
    )
    with app.app_context():
        from app.db import utcnow
        from app.extensions import db
        from evaluations import builder
        from workshops.live import clock as live
        from workshops.programme import builder as programme_builder
        from workshops.projects import service as projects

        db.create_all()
        project = projects.create(projects.ProjectData(slug="busy", name="Busy", language="en"))
        workshop = programme_builder.add_workshop(project, "Busy", template="W2")
        live.start(workshop, utcnow())
        form = builder.empty(project, "Busy", language="en")
        builder.add_question(form, "scale", "How useful?", required=True, scale_set="useful")
        builder.set_status(form, "open")
        db.session.commit()
        app.config["FAULT"] = {
            "path": path,
            "code": workshop.join_code,
            "token": form.token,
            "question": f"q{form.questions[0].id}",
        }
        yield app
        db.session.remove()
        db.engine.dispose()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Another connection holds the database's write lock (BEGIN EXCLUSIVE) meanwhile."""
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield
        other.execute("ROLLBACK")
    finally:
        other.close()


def assert_json_503(response) -> None:
    assert response.status_code == 503, response.get_data(as_text=True)[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "application/json"
    assert response.json["error"] == "unavailable" and response.json["message"]


def assert_page_503(response) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:300]
    assert response.headers["Retry-After"].isdigit()
    assert response.mimetype == "text/html"
    assert "Traceback" not in body and "OperationalError" not in body
    assert "<h1" in body


def test_locked_database_answers_503_with_retry_after_then_recovers(busy_app):
    fault = busy_app.config["FAULT"]
    client = busy_app.test_client()
    idea = {"text": "Skrevet mens basen var låst"}
    headers = {"X-Device": "busy-phone-000000000001", "Idempotency-Key": "busy-key-000001"}
    ideas_url = f"/api/v1/workshops/{fault['code']}/ideas"

    with locked(fault["path"]):
        started = time.monotonic()
        api = client.post(ideas_url, json=idea, headers=headers)
        vote = client.post(
            f"/api/v1/evaluations/{fault['token']}",
            json={"answers": {fault["question"][1:]: 3}},
            headers={"X-Device": "busy-phone-000000000002"},
        )
        page = client.post(
            f"/e/{fault['token']}",
            data={fault["question"]: "3"},
            headers={"Accept-Language": "en"},
        )
        waited = time.monotonic() - started

    assert_json_503(api)
    assert_json_503(vote)
    assert_page_503(page)
    assert waited < 5, "the short busy timeout was not used"
    # Once the lock is gone the same retry is stored, once.
    again = client.post(ideas_url, json=idea, headers=headers)
    assert again.status_code == 201
    assert client.post(ideas_url, json=idea, headers=headers).json == again.json
    from app.extensions import db
    from workshops.ideas.models import Idea

    assert [i.text for i in db.session.query(Idea)] == [idea["text"]]


def test_database_gone_answers_503_never_a_500(tmp_path):
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI="postgresql+psycopg://x@127.0.0.1:1/x")
    client = app.test_client()
    with app.app_context():
        health = client.get("/healthz")
        assert health.status_code == 503
        assert health.json == {"status": "unavailable", "database": "down"}
        assert_json_503(client.get("/api/v1/workshops/ABC234/ideas"))
        assert_json_503(
            client.post(
                "/api/v1/workshops/ABC234/ideas",
                json={"text": "Ingen base"},
                headers={"Idempotency-Key": "gone-key-000001"},
            )
        )
        assert_page_503(client.get("/j/ABC234", headers={"Accept-Language": "en"}))
        from app.extensions import db

        db.session.remove()
        db.engine.dispose()


# ---- 4. an instance folder that cannot be written at start -------------------------------------


def _unwritable_instances(tmp_path: Path) -> list[tuple[str, Path]]:
    """Folders the app cannot write: one under a regular file (mkdir fails with "Not a
    directory", also for root), and a read-only folder (chmod 0o555; root ignores permissions,
    so that case runs only for other users)."""
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    cases = [("under-a-file", blocker / "instance")]
    if os.geteuid() != 0:
        readonly = tmp_path / "read-only"
        readonly.mkdir()
        readonly.chmod(0o555)
        cases.append(("read-only", readonly))
    return cases


def _start(env: dict[str, str], how: str) -> subprocess.CompletedProcess:
    if how == "db upgrade":
        return flask_run(env, "db", "upgrade")
    return subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("how", ["db upgrade", "create_app"])
@pytest.mark.parametrize("with_secret", [True, False], ids=["secret-set", "secret-from-file"])
def test_unwritable_instance_folder_stops_with_one_clear_line(tmp_path, how, with_secret):
    for name, instance in _unwritable_instances(tmp_path):
        env = dict(os.environ, KRAFTVERK_INSTANCE=str(instance))
        env.pop("DATABASE_URL", None)  # the SQLite file in the instance folder
        if with_secret:
            env["SECRET_KEY"] = secrets.token_urlsafe(32)
        else:
            env.pop("SECRET_KEY", None)
        done = _start(env, how)
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 1, (name, done.returncode, done.stderr[-500:])
        assert "Traceback" not in done.stderr, (name, done.stderr[-1500:])
        assert len(lines) == 1, (name, lines)
        assert str(instance) in lines[0] and "not writable" in lines[0], lines[0]
        assert "KRAFTVERK_INSTANCE" in lines[0]


def test_full_disk_at_start_is_one_clear_error(tmp_path, monkeypatch):
    import tempfile

    from config import StartupError

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(tempfile, "TemporaryFile", full)
    with pytest.raises(StartupError) as stopped:
        make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/full/db.sqlite3")
    message = str(stopped.value)
    assert stopped.value.code == message  # SystemExit prints it and exits with status 1
    assert "No space left on device" in message and str(tmp_path / "full") in message
    assert "\n" not in message
