"""The response set: lines that read back as written, a uniform order, a fixed cost per answer."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import event

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
        items = db.session.scalar(db.select(store.ResponseSet.responses))
        orders["".join(item[0][0] for item in items)] += 1
        db.session.rollback()

    assert sorted(orders) == ["abc", "acb", "bac", "bca", "cab", "cba"]
    assert all(70 <= n <= 130 for n in orders.values()), orders  # 100 each


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
    assert sum(rows for _verb, _table, rows in by_answer[59]) <= 2
    assert store.count(custom_form.id) == 60
