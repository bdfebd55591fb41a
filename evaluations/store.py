"""The one place that reads and writes a form's anonymous responses (models.ResponseSet).

A form's responses are one row: a JSON array with an item per response, [random id, date,
answers], each answer [question id, option id] or [question id, null, text], in question order
and, for multiple choice, in the order of the options. add() puts each new response at a
uniformly random place j among the n responses stored, moving the one at j to the end (the
inside-out shuffle), so whatever order the responses came in, their order in the row is a
uniformly random permutation. The row is updated in place, so its row id, physical place and
transaction id are shared by all of its responses.

Writing a response updates this one row in the database itself (SQLite's JSON functions,
PostgreSQL's jsonb), with no copy of the array travelling to the app and back: the same
statements and the same single row whatever the form already holds. On PostgreSQL one statement
adds the receipt and the response together (add_with_receipt), so the form's rows stay locked
only for that statement and the commit. On SQLite responses.submit() updates the receipt set and
then add() updates this row, one statement each with the place drawn inside the statement, so the
write lock is held for those two statements and the commit. The database still writes the whole value anew, so the
bytes written grow with the number of responses.

Readers get StoredResponse objects in the order of their random ids (as the export and the texts on
the results page show them), never in the stored order.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert, select, text

from app.extensions import db
from evaluations.models import ResponseSet

RANDOM = secrets.SystemRandom()  # where a new response goes (tests may seed another)


@dataclass(frozen=True)
class StoredAnswer:
    """One answer: a chosen option (one per option for multiple choice) or a text."""

    question_id: int
    option_id: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class StoredResponse:
    """One anonymous response: a random id, the date and the answers, nothing else."""

    id: str
    submitted_on: date
    answers: tuple[StoredAnswer, ...] = ()


def new_id() -> str:
    """A random response id."""
    return secrets.token_hex(16)


def encode(response: StoredResponse) -> list:
    """The response as one JSON item."""
    answers = [
        [a.question_id, a.option_id] if a.text is None else [a.question_id, None, a.text]
        for a in response.answers
    ]
    return [response.id, response.submitted_on.isoformat(), answers]


def decode(item: list) -> StoredResponse:
    """The response stored as one item."""
    rid, day, answers = item
    return StoredResponse(
        rid,
        date.fromisoformat(day),
        tuple(StoredAnswer(a[0], a[1], a[2] if len(a) > 2 else None) for a in answers),
    )


def _sorted(items: list | None) -> list[StoredResponse]:
    return sorted((decode(item) for item in items or ()), key=lambda r: r.id)


def responses(form_id: int) -> list[StoredResponse]:
    """The form's responses in the order of their random ids."""
    items = db.session.scalar(select(ResponseSet.responses).where(ResponseSet.form_id == form_id))
    return _sorted(items)


def count(form_id: int) -> int:
    """How many responses the form has."""
    found = db.session.scalar(select(ResponseSet.count).where(ResponseSet.form_id == form_id))
    return found or 0


def counts(form_ids: Iterable[int]) -> dict[int, int]:
    """How many responses each of these forms has (forms without any are left out)."""
    ids = list(form_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(ResponseSet.form_id, ResponseSet.count).where(
            ResponseSet.form_id.in_(ids), ResponseSet.count > 0
        )
    )
    return dict(rows.all())


def by_form() -> dict[int, list[StoredResponse]]:
    """Every form's responses (for checks across forms: privacy, tests)."""
    rows = db.session.execute(select(ResponseSet.form_id, ResponseSet.responses)).all()
    return {form_id: _sorted(items) for form_id, items in rows}


# Put the new item at place :j and the item that was there at the end (appending null when j is
# the end), in one statement on the stored value. On SQLite j is floor(:u * (count + 1)),
# computed from the stored count inside the statement.
_SWAP = {
    "sqlite": text(
        "UPDATE evaluation_response_set SET count = count + 1, responses = json_set("
        " json_insert(responses, '$[#]',"
        "  json_extract(responses, '$[' || CAST(:u * (count + 1) AS INTEGER) || ']')),"
        " '$[' || CAST(:u * (count + 1) AS INTEGER) || ']', json(:item)) WHERE form_id = :form_id"
    ),
    "postgresql": text(
        "UPDATE evaluation_response_set SET count = count + 1,"
        " responses = jsonb_set(responses || jsonb_build_array(responses -> :j),"
        " CAST(:keys AS text[]), CAST(:item AS jsonb)) WHERE form_id = :form_id"
    ),
}


def item_of(response: StoredResponse) -> str:
    """The response as the JSON text of one item."""
    return json.dumps(encode(response), ensure_ascii=False, separators=(",", ":"))


def add(form_id: int, new: Iterable[StoredResponse]) -> None:
    """Put the responses among the form's, each at a uniformly random place; the caller commits.

    On SQLite one UPDATE per response, the place drawn in the statement from the stored count
    (an INSERT when the form has no set yet); the caller's transaction holds the write lock once
    it has written anything. On PostgreSQL the count is read FOR UPDATE first. responses.submit()
    calls this after locking the receipt set, so answers to one form are stored one after another.
    """
    add_items(form_id, [item_of(response) for response in new])


def add_items(form_id: int, items: list[str]) -> None:
    """add() for responses already turned into items (item_of), built before taking a lock."""
    if db.engine.dialect.name == "sqlite":
        for item in items:
            values = {"form_id": form_id, "item": item, "u": RANDOM.random()}
            if db.session.execute(_SWAP["sqlite"], values).rowcount == 0:
                db.session.execute(
                    text(
                        "INSERT INTO evaluation_response_set (form_id, count, responses)"
                        " VALUES (:form_id, 1, json_array(json(:item)))"
                    ),
                    {"form_id": form_id, "item": item},
                )
        return
    stored = db.session.scalar(
        select(ResponseSet.count).where(ResponseSet.form_id == form_id).with_for_update()
    )
    for item in items:
        if stored is None:
            db.session.execute(
                insert(ResponseSet).values(form_id=form_id, count=1, responses=[json.loads(item)])
            )
            stored = 1
            continue
        # Inside-out shuffle: a uniform place among the n + 1 keeps the whole array a uniformly
        # random permutation of the responses, whatever order they came in.
        j = RANDOM.randrange(stored + 1)
        db.session.execute(
            _SWAP["postgresql"], {"form_id": form_id, "item": item, "j": j, "keys": [str(j)]}
        )
        stored += 1


# PostgreSQL: the receipt and the response in one statement, so the form's rows stay locked only
# for that statement and the commit (not for several round trips between the app and the
# database). The receipt set gets the hash in sorted place unless it holds it already; only then
# is the response put at place floor(u * (n + 1)) of the n stored, the one there moved to the end.
_RECEIPT_AND_RESPONSE = text(
    """
WITH receipt AS (
  UPDATE evaluation_receipt_set SET hashes = array_to_string(ARRAY(
      SELECT h FROM unnest(string_to_array(hashes, ' ') || CAST(:key AS text)) AS h
      ORDER BY h COLLATE "C"), ' ')
  WHERE form_id = :form_id AND NOT (CAST(:key AS text) = ANY(string_to_array(hashes, ' ')))
  RETURNING form_id
)
UPDATE evaluation_response_set SET count = count + 1, responses = jsonb_set(
    responses || jsonb_build_array(responses -> CAST(floor(:u * (count + 1)) AS integer)),
    ARRAY[CAST(CAST(floor(:u * (count + 1)) AS integer) AS text)], CAST(:item AS jsonb))
WHERE form_id = (SELECT form_id FROM receipt)
RETURNING count
"""
)
_MISSING = (
    text(
        "INSERT INTO evaluation_receipt_set (form_id, hashes) VALUES (:form_id, '')"
        " ON CONFLICT DO NOTHING"
    ),
    text(
        "INSERT INTO evaluation_response_set (form_id, count, responses)"
        " VALUES (:form_id, 0, CAST('[]' AS jsonb)) ON CONFLICT DO NOTHING"
    ),
)


def add_with_receipt(form_id: int, key: str, response: StoredResponse) -> bool:
    """PostgreSQL: add the receipt `key` and the response in one statement; the caller commits.

    False (nothing written) when the receipt set holds `key` already, also when a parallel
    request added it first: the statement waits for that request's lock and sees its hash.
    """
    values = {"form_id": form_id, "key": key, "item": item_of(response), "u": RANDOM.random()}
    if db.session.execute(_RECEIPT_AND_RESPONSE, values).first() is not None:
        return True
    # Nothing written: the set holds `key`, or the form's rows did not exist in this statement's
    # snapshot (a parallel first answer may have made them since). Make sure they exist and ask
    # again: the new statement sees every commit so far, so only a held `key` writes nothing.
    # (Deciding from a second look alone would take a set made after the first statement began
    # for one that holds the key.)
    for statement in _MISSING:
        db.session.execute(statement, {"form_id": form_id})
    return db.session.execute(_RECEIPT_AND_RESPONSE, values).first() is not None
