"""An attacker with the database cannot pair a device's receipt with its answers.

Thirty phones answer one after another, each with a text that tells the test (not the attacker)
which response is whose. After every answer the attacker reads every order the database keeps, in
every evaluation table: rows in the order of a plain scan, of rowid (SQLite) or of the physical
place ctid and the transaction id xmin (PostgreSQL), and of a dump (SQLite), taking the response
ids in the order they appear in those rows. Each order is paired k-th with k-th against the
devices: in the order the phones answered (the attacker watched the room), in the order of the
participants (the phones joined in the same order), and in the order the receipts are stored,
forwards and backwards. A random order pairs about one right; after the 30th answer the bar is at
most 3, and averaged over all answers from the 4th on it stays near chance. (Up to the 3rd answer
any order pairs up to all of them: with one response, that response is the one device's.)

The same attack on a table holding a row per response in the order they came links all of them
(test_the_attack_links_a_row_per_response_stored_in_answering_order, on both engines), as it did
the design before evaluations/store.py. The app's randomness (response ids, where a response goes
in its form's set, the device key) is seeded, so that the run is the same every time.
"""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import inspect, text

from app.extensions import db as _db
from evaluations import responses, store
from evaluations.models import ReceiptSet
from tests.evaluations.conftest import option_id, qid
from workshops.devices import DeviceKey
from workshops.live.models import Participant

pytestmark = pytest.mark.db

PHONES = 30
MAX_LINKED = 3  # after the 30th answer, for every pair of orders
# From the 4th answer on, averaged over the answers: a random order pairs about 1 right, the
# better of forwards and backwards about 1.5 (an order that follows the answers pairs them all).
MAX_MEAN = 2.5
SEED = 16
RESPONSE_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # not inside a longer hash
NOT_ANSWERS = {"evaluation_form", "evaluation_question", "evaluation_option"}


def _orders(engine_name: str, known: set[str]) -> dict[str, list[str]]:
    """Every order of response ids the database gives away, by table and order."""
    tables = [
        t
        for t in inspect(_db.engine).get_table_names()
        if t.startswith("evaluation_") and t not in NOT_ANSWERS
    ]
    queries = {}
    for table in tables:
        queries[f"{table} scan"] = f"SELECT * FROM {table}"  # noqa: S608 - names from the schema
        if engine_name == "sqlite":
            queries[f"{table} rowid"] = f"SELECT * FROM {table} ORDER BY rowid"  # noqa: S608
        else:
            queries[f"{table} ctid"] = f"SELECT * FROM {table} ORDER BY ctid"  # noqa: S608
            queries[f"{table} xmin"] = f"SELECT * FROM {table} ORDER BY xmin::text::bigint, ctid"  # noqa: S608
    orders = {}
    for name, query in queries.items():
        try:
            with _db.engine.connect() as connection:
                rows = connection.execute(text(query)).all()
        except Exception:  # noqa: BLE001 - no such column (no rowid): nothing to read
            continue
        orders[name] = _ids(" ".join(str(value) for row in rows for value in row), known)
    if engine_name == "sqlite":
        raw = _db.engine.raw_connection()
        try:
            dump = [line for line in raw.driver_connection.iterdump() if "evaluation_" in line]
        finally:
            raw.close()
        orders["dump"] = _ids("\n".join(dump), known)
    return {name: order for name, order in orders.items() if order}


def _ids(text_read: str, known: set[str]) -> list[str]:
    """The response ids in the text, in the order of their first appearance."""
    return list(dict.fromkeys(i for i in RESPONSE_ID.findall(text_read) if i in known))


def linked(response_order: list[str], device_order: list[str], truth: dict[str, str]) -> int:
    """How many k-th responses belong to the k-th device, the best of forwards and backwards."""
    forwards = sum(truth[d] == r for d, r in zip(device_order, response_order, strict=False))
    backwards = sum(
        truth[d] == r for d, r in zip(device_order, reversed(response_order), strict=False)
    )
    return max(forwards, backwards)


def test_the_attack_links_responses_stored_in_answering_order():
    truth = {f"d{n}": f"r{n}" for n in range(PHONES)}

    assert linked([f"r{n}" for n in range(PHONES)], list(truth), truth) == PHONES
    assert linked([f"r{n}" for n in reversed(range(PHONES))], list(truth), truth) == PHONES


@pytest.fixture
def seeded(app, monkeypatch):
    rng = random.Random(SEED)
    monkeypatch.setattr(store, "RANDOM", random.Random(SEED + 1))  # the place in the set
    monkeypatch.setattr(responses, "new_response_id", lambda: f"{rng.getrandbits(128):032x}")
    _db.session.get(DeviceKey, 1).key = f"{rng.getrandbits(512):0128x}"
    _db.session.commit()
    app.extensions.pop("kv_device_key", None)
    return rng


def test_no_stored_order_links_a_receipt_to_its_answers(
    app, db, workshop, custom_form, make_phone, seeded
):
    engine_name = db.engine.dialect.name
    devices = [f"phone-{n:02d}-{seeded.getrandbits(64):016x}" for n in range(PHONES)]
    from workshops.live import participants

    for device in devices:  # joined in the order they will answer
        db.session.add(Participant(workshop_id=workshop.id, device=participants.device_key(device)))
        db.session.commit()
    truth: dict[str, str] = {}
    counts: dict[str, list[int]] = {}
    for n, device in enumerate(devices):
        answers = {
            qid(custom_form, 0): option_id(custom_form, 0, n % 3),
            qid(custom_form, 1): option_id(custom_form, 1, n % 2),
            qid(custom_form, 2): 1 + n % 5,
            qid(custom_form, 3): [option_id(custom_form, 3, n % 3)],
            qid(custom_form, 4): f"marker {n:02d}",
        }
        assert make_phone(device).answer(custom_form.token, answers).status_code == 201
        db.session.expire_all()
        by_marker = {
            a.text: r.id for r in store.responses(custom_form.id) for a in r.answers if a.text
        }
        truth[device] = by_marker[f"marker {n:02d}"]
        answered = devices[: n + 1]
        stored = db.session.get(ReceiptSet, custom_form.id).members()
        keys = {responses.receipt_key(custom_form, d): d for d in answered}
        joined = list(db.session.scalars(db.select(Participant.device).order_by(Participant.id)))
        by_participant = {participants.device_key(d): d for d in answered}
        device_orders = {
            "answering": answered,
            "receipts": [keys[h] for h in stored],
            "participants": [by_participant[p] for p in joined if p in by_participant],
        }
        assert sorted(device_orders["receipts"]) == sorted(answered)
        found = _orders(engine_name, set(truth.values()))
        assert "evaluation_response_set scan" in found
        for order_name, order in found.items():
            assert sorted(order) == sorted(truth.values()), order_name
            for device_name, device_order in device_orders.items():
                pair = f"{order_name} / {device_name}"
                counts.setdefault(pair, []).append(linked(order, device_order, truth))

    final = {pair: found[-1] for pair, found in counts.items()}
    mean = {pair: sum(found[3:]) / len(found[3:]) for pair, found in counts.items()}
    assert all(len(found) == PHONES for found in counts.values())
    assert max(final.values()) <= MAX_LINKED, final
    assert max(mean.values()) <= MAX_MEAN, (mean, counts)


def test_the_attack_links_a_row_per_response_stored_in_answering_order(app, db):
    ids = [f"{n:032x}" for n in range(1, PHONES + 1)]
    truth = {f"d{n}": rid for n, rid in enumerate(ids)}
    db.session.execute(text("CREATE TABLE evaluation_probe (id VARCHAR(32), form_id INTEGER)"))
    db.session.commit()
    try:
        for rid in ids:  # one row, one transaction per answer, as a per-row design stores them
            db.session.execute(text("INSERT INTO evaluation_probe VALUES (:id, 1)"), {"id": rid})
            db.session.commit()
        found = _orders(db.engine.dialect.name, set(ids))
    finally:
        db.session.rollback()
        db.session.execute(text("DROP TABLE evaluation_probe"))
        db.session.commit()

    assert found
    assert {
        name: linked(order, list(truth), truth) for name, order in found.items()
    } == dict.fromkeys(found, PHONES)


def test_no_time_finer_than_the_date_is_stored_with_answers_or_receipts(
    app, db, custom_form, make_phone
):
    answers = {
        qid(custom_form, 0): option_id(custom_form, 0, 0),
        qid(custom_form, 1): option_id(custom_form, 1, 0),
        qid(custom_form, 2): 3,
        qid(custom_form, 3): [option_id(custom_form, 3, 0)],
    }
    assert make_phone().answer(custom_form.token, answers).status_code == 201
    inspector = inspect(_db.engine)
    for table in ("evaluation_response_set", "evaluation_receipt_set"):
        types = {str(c["type"]).upper() for c in inspector.get_columns(table)}
        assert not any("TIME" in t for t in types), (table, types)
    (response,) = store.stored_items(db.session.scalar(db.select(store.ResponseSet.responses)))
    assert re.fullmatch(r"[0-9a-f]{32}", response[0])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", response[1])
    assert [len(answer) for answer in response[2]] == [2, 2, 2, 2]  # options, no time
