"""The response set: lines that read back as written, a uniform order, a fixed cost per answer."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event, text

from app.extensions import db as _db
from evaluations import store
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db

WRITE = re.compile(r"\b(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.IGNORECASE)


def test_a_response_reads_back_as_written_whatever_its_texts_hold():
    response = store.StoredResponse(
        "0f" * 16,
        date(2026, 3, 1),
        (
            store.StoredAnswer(7, 70),
            store.StoredAnswer(8, 81),
            store.StoredAnswer(8, 83),
            store.StoredAnswer(9, text='Two\nlines, a "quote", \u2028 and æøå'),
        ),
    )

    item = json.loads(json.dumps(store.encode(response)))

    assert store.decode(item) == response


def test_each_new_response_goes_to_a_uniformly_random_place(app, db, custom_form, monkeypatch):
    monkeypatch.setattr(store, "RANDOM", random.Random(7))
    orders: Counter = Counter()
    for _ in range(600):
        for name in "abc":
            store.add(custom_form.id, [store.StoredResponse(name * 32, date(2026, 3, 1))])
        items = store.stored_items(db.session.scalar(db.select(store.ResponseSet.responses)))
        orders["".join(item[0][0] for item in items)] += 1
        db.session.rollback()

    assert sorted(orders) == ["abc", "acb", "bac", "bca", "cab", "cba"]
    assert all(70 <= n <= 130 for n in orders.values()), orders  # 100 each


def test_a_forms_responses_all_read_back_in_the_order_of_their_ids(
    app, db, custom_form, monkeypatch
):
    monkeypatch.setattr(store, "RANDOM", random.Random(11))
    made = [
        store.StoredResponse(f"{n:032x}", date(2026, 3, 1), (store.StoredAnswer(1, n),))
        for n in range(1, 121)
    ]
    for response in made:
        store.add(custom_form.id, [response])
    db.session.commit()

    rows = db.session.execute(
        db.select(store.ResponseSet.count, store.ResponseSet.responses).where(
            store.ResponseSet.form_id == custom_form.id
        )
    ).all()
    assert [(count, len(items)) for count, items in rows] == [(120, 120)]  # one row per form
    assert store.responses(custom_form.id) == made  # all of them, in the order of their ids
    assert store.count(custom_form.id) == 120
    assert store.counts([custom_form.id, custom_form.id + 1]) == {custom_form.id: 120}
    assert store.by_form() == {custom_form.id: made}


def test_an_answer_writes_the_same_rows_however_many_came_before(app, db, custom_form, make_phone):
    answers = {
        qid(custom_form, 0): option_id(custom_form, 0, 0),
        qid(custom_form, 1): option_id(custom_form, 1, 0),
        qid(custom_form, 2): 3,
        qid(custom_form, 3): [option_id(custom_form, 3, 0), option_id(custom_form, 3, 1)],
        qid(custom_form, 4): "a text",
    }
    writes: list[tuple[str, str, int]] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ARG001
        for verb, table in WRITE.findall(statement):  # a statement may write two tables
            writes.append((verb.split()[0].upper(), table.lower(), cursor.rowcount))

    def answer(n: int) -> list[tuple[str, str, int]]:
        writes.clear()
        assert (
            make_phone(f"phone-{n:04d}-0123456789").answer(custom_form.token, answers).status_code
            == 201
        )
        return list(writes)

    event.listen(_db.engine, "after_cursor_execute", count)
    try:
        by_answer = [answer(n) for n in range(60)]
    finally:
        event.remove(_db.engine, "after_cursor_execute", count)

    assert by_answer[2] == by_answer[59]
    assert {table for _verb, table, _rows in by_answer[59]} == {
        "evaluation_receipt_set",
        "evaluation_response_set",
    }
    # The receipt set and the response set (SQLite, a statement each), or on PostgreSQL one
    # statement (it returns one row) that rewrites both: they carry the latest answer's xmin.
    if db.engine.dialect.name == "sqlite":
        assert sorted(rows for _verb, _table, rows in by_answer[59]) == [1, 1]
    else:
        assert [rows for _verb, _table, rows in by_answer[59]] == [1, 1]
        writers = db.session.scalars(
            text(
                "SELECT DISTINCT CAST(xmin AS text) FROM evaluation_response_set"
                " WHERE form_id = :form UNION SELECT CAST(xmin AS text)"
                " FROM evaluation_receipt_set WHERE form_id = :form"
            ),
            {"form": custom_form.id},
        ).all()
        assert len(writers) == 1
    assert store.count(custom_form.id) == 60


def test_receipts_stay_sorted_short_and_a_full_hash_stored_before_still_counts(
    app, db, custom_form, make_phone
):
    from evaluations import responses
    from evaluations.models import ReceiptSet
    from workshops.devices import hashed

    answers = {
        qid(custom_form, 0): option_id(custom_form, 0, 0),
        qid(custom_form, 1): option_id(custom_form, 1, 0),
        qid(custom_form, 2): 3,
        qid(custom_form, 3): [option_id(custom_form, 3, 0)],
    }
    early = "phone-early-0123456789"
    full = hashed(early, f"evaluation:{custom_form.id}")  # 40 digits, as stored before
    db.session.add(ReceiptSet(form_id=custom_form.id, hashes=" " + full))
    store.make_set(custom_form.id)
    db.session.commit()

    assert make_phone(early).answer(custom_form.token, answers).status_code == 409
    devices = [f"phone-{n:04d}-0123456789" for n in range(25)]
    for device in devices:
        assert make_phone(device).answer(custom_form.token, answers).status_code == 201
    assert make_phone(devices[7]).answer(custom_form.token, answers).status_code == 409
    assert make_phone(early).answer(custom_form.token, answers).status_code == 409

    db.session.expire_all()
    stored = db.session.get(ReceiptSet, custom_form.id).hashes
    members = stored.split()
    assert stored == "".join(" " + m for m in members)  # each hash after one space
    assert members == sorted(members) and len(members) == 26
    assert sorted(len(m) for m in members) == [responses.RECEIPT_CHARS] * 25 + [40]
    assert responses.receipt_count(custom_form) == 26
    assert store.count(custom_form.id) == 25
