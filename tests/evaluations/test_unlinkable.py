"""An attacker with the database cannot pair a device's receipt with its answers.

Thirty phones answer one after another, each with a text that tells the test (not the attacker)
which response is whose. After every answer the attacker reads every order the database keeps
(rowid, the order of a plain scan and of a dump; on PostgreSQL the physical order ctid and the
transaction id xmin) for responses and answers, and pairs the k-th of them with the k-th device:
in the order the phones answered (the attacker watched the room), in the order of the participants
(the phones joined in the same order), and in the order the receipts are stored, forwards and
backwards. A random order pairs about one right; after the 30th answer the bar is at most 3, and
averaged over all answers from the 4th on it stays near chance. (Up to the 3rd answer any order
pairs up to all of them: with one response, that response is the one device's.)

The app's randomness (response ids, the rewrite order, the device key) is seeded, so that the run
is the same every time; with the old design (a receipt row per device and responses in insert
order) every one of the 30 was linked.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import inspect, text

from app.extensions import db as _db
from evaluations import responses
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


def _orders(engine_name: str) -> dict[str, list[str]]:
    """Every order of response ids the database gives away, by name."""
    queries = {
        "response scan": "SELECT id FROM evaluation_response",
        "answer scan": "SELECT response_id FROM evaluation_answer",
        "response by id": "SELECT id FROM evaluation_response ORDER BY id",
    }
    if engine_name == "sqlite":
        queries["response rowid"] = "SELECT id FROM evaluation_response ORDER BY rowid"
        queries["answer rowid"] = "SELECT response_id FROM evaluation_answer ORDER BY rowid"
    else:
        for table, column in (("evaluation_response", "id"), ("evaluation_answer", "response_id")):
            queries[f"{table} ctid"] = f"SELECT {column} FROM {table} ORDER BY ctid"  # noqa: S608
            queries[f"{table} xmin"] = (
                f"SELECT {column} FROM {table} ORDER BY xmin::text::bigint, ctid"  # noqa: S608
            )
    orders = {}
    for name, query in queries.items():
        try:
            with _db.engine.connect() as connection:
                ids = list(connection.execute(text(query)).scalars())
        except Exception:  # noqa: BLE001 - no such column (no rowid): nothing to read
            continue
        orders[name] = list(dict.fromkeys(ids))  # answers: the order of first appearance
    if engine_name == "sqlite":
        raw = _db.engine.raw_connection()
        try:
            dump = [line for line in raw.driver_connection.iterdump() if "evaluation_" in line]
        finally:
            raw.close()
        orders["dump"] = [
            line.split("VALUES('")[1][:32]
            for line in dump
            if line.startswith('INSERT INTO "evaluation_response"')
        ]
    return orders


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
    monkeypatch.setattr(responses, "RANDOM", random.Random(SEED + 1))  # PostgreSQL's rewrite
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
        by_marker = dict(
            db.session.execute(
                text("SELECT text, response_id FROM evaluation_answer WHERE text LIKE 'marker %'")
            ).all()
        )
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
        for order_name, order in _orders(engine_name).items():
            assert sorted(order) == sorted(truth.values()), order_name
            for device_name, device_order in device_orders.items():
                pair = f"{order_name} / {device_name}"
                counts.setdefault(pair, []).append(linked(order, device_order, truth))

    final = {pair: found[-1] for pair, found in counts.items()}
    mean = {pair: sum(found[3:]) / len(found[3:]) for pair, found in counts.items()}
    assert all(len(found) == PHONES for found in counts.values())
    assert max(final.values()) <= MAX_LINKED, final
    assert max(mean.values()) <= MAX_MEAN, (mean, counts)


def test_no_time_finer_than_the_date_is_stored_with_answers_or_receipts(app):
    inspector = inspect(_db.engine)
    for table in ("evaluation_response", "evaluation_answer", "evaluation_receipt_set"):
        types = {str(c["type"]).upper() for c in inspector.get_columns(table)}
        assert not any("TIME" in t for t in types), (table, types)


def test_on_a_very_large_form_an_answer_rewrites_a_bounded_sample(
    app, db, workshop, custom_form, make_phone, seeded, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the rewrite is PostgreSQL's (SQLite stores responses WITHOUT ROWID)")
    monkeypatch.setattr(responses, "REWRITE_LIMIT", 3)
    answers = {
        qid(custom_form, 0): option_id(custom_form, 0, 0),
        qid(custom_form, 1): option_id(custom_form, 1, 0),
        qid(custom_form, 2): 3,
        qid(custom_form, 3): [option_id(custom_form, 3, 0)],
        qid(custom_form, 4): "large form",
    }
    for n in range(7):
        assert (
            make_phone(f"large-form-phone-{n:02d}").answer(custom_form.token, answers).status_code
            == 201
        )

    db.session.expire_all()
    by_transaction = db.session.execute(
        text("SELECT xmin::text, count(*) FROM evaluation_response GROUP BY 1 ORDER BY 1")
    ).all()
    newest = db.session.execute(
        text("SELECT xmin::text FROM evaluation_response ORDER BY xmin::text::bigint DESC LIMIT 1")
    ).scalar()

    assert dict(by_transaction)[newest] == 4  # the new response and 3 drawn at random
    assert sum(n for _x, n in by_transaction) == 7
