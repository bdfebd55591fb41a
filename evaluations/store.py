"""The one place that reads and writes a form's anonymous responses (models.ResponseSet).

A form's responses are one row: a JSON array with an item per response, [random id, date,
answers], each answer [question id, option id] or [question id, null, text], in question order
and, for multiple choice, in the order of the options. add() puts each new response at a
uniformly random place j among the n responses stored, moving the one at j to the end (the
inside-out shuffle), so whatever order the responses came in, their order in the row is a
uniformly random permutation. The row is updated in place, so its row id, physical place and
transaction id are shared by all of its responses.

Why one row, not several. Splitting a form's responses over several rows, each answer rewriting
the row it was drawn for, would write fewer bytes per answer, but the storage under the rows
records which row was written last: PostgreSQL keeps an unchanged large value where it is
(out of line, TOAST) and gives a rewritten one a new, higher value id, and SQLite moves the pages
of a row that grew. Someone who reads the database and knows the order in which the phones
answered (they watched the room) would learn in which row the last phones' responses are. With
one row, every answer rewrites all of the form's responses, so nothing stored says which of them
came last. The bytes written per answer grow with the form's responses (about 150 bytes each,
compressed by the database). On PostgreSQL they are an array of JSON texts, compressed with lz4
where the server has it (models.ResponseSet): measured on one form holding 1,800 responses, one
answer's rewrite took 1.6 ms, against 8.7 ms for the same items as one jsonb value.

Why the receipts stay one set per form (models.ReceiptSet, the sorted keyed hashes of the devices
that answered, updated in the same transaction as the response). The receipt row and the response
row share a transaction id. With one receipt set per form, that shared id says only "the latest
answer was from one of the devices in this set", which every answer says. Were the receipts split
by device, the receipt row rewritten last would narrow who wrote the latest response. The set is
sorted, so nothing in it says which device came when either.

Writing a response updates the row in the database itself (SQLite's JSON functions,
PostgreSQL's array slices), with no copy of the array travelling to the app and back. On PostgreSQL one
statement checks that the form is open and adds the receipt and the response together
(add_with_receipt); the answering views run it as its own transaction (statements_commit_alone),
so an answer is one round trip to the database, and the form's rows stay locked only while
PostgreSQL runs and commits it, never across a round trip to the app. On SQLite
responses.submit() updates the receipt set and then add() updates the response set, one statement
each with the place drawn inside the statement, so the write lock is held for those two
statements and the commit.

Readers get StoredResponse objects in the order of their random ids (as the export and the texts
on the results page show them), never in the stored order.
"""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, text

from app.extensions import db
from evaluations.models import ResponseSet

RANDOM = secrets.SystemRandom()  # the place of a new response (tests may seed another)


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


def stored_items(value: list | None) -> list[list]:
    """The items of a stored set, whichever way the engine keeps them: a JSON array (SQLite) or
    an array of the items' JSON texts (PostgreSQL)."""
    return [json.loads(item) if isinstance(item, str) else item for item in value or ()]


def _sorted(value: list | None) -> list[StoredResponse]:
    return sorted((decode(item) for item in stored_items(value)), key=lambda r: r.id)


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


def item_of(response: StoredResponse) -> str:
    """The response as the JSON text of one item."""
    return json.dumps(encode(response), ensure_ascii=False, separators=(",", ":"))


_MAKE_SET = {
    "sqlite": text(
        "INSERT INTO evaluation_response_set (form_id, count, responses)"
        " VALUES (:form_id, 0, '[]') ON CONFLICT DO NOTHING"
    ),
    "postgresql": text(
        "INSERT INTO evaluation_response_set (form_id, count, responses)"
        " VALUES (:form_id, 0, CAST('{}' AS text[])) ON CONFLICT DO NOTHING"
    ),
}


def make_set(form_id: int) -> None:
    """Make the form's empty response set, unless it has one already."""
    db.session.execute(_MAKE_SET[db.engine.dialect.name], {"form_id": form_id})


# Put the new item at place j of the set and the item that was there at the end (appending null
# when j is the end), in one statement on the stored value; j is floor(:u * (count + 1)),
# computed from the stored count inside the statement.
_SQLITE_ADD = text(
    "UPDATE evaluation_response_set SET count = count + 1, responses = json_set("
    " json_insert(responses, '$[#]',"
    "  json_extract(responses, '$[' || CAST(:u * (count + 1) AS INTEGER) || ']')),"
    " '$[' || CAST(:u * (count + 1) AS INTEGER) || ']', json(:item))"
    " WHERE form_id = :form_id"
)
# PostgreSQL: the same on the array of JSON texts, with j the place counted from 0: the items
# before j, the new one, the items after j, then the one that was at j (none when j is the end).
_PG_SET = """
UPDATE evaluation_response_set SET count = count + 1, responses =
    responses[1:CAST(floor(:u * (count + 1)) AS integer)] || CAST(:item AS text)
    || responses[CAST(floor(:u * (count + 1)) AS integer) + 2:]
    || responses[CAST(floor(:u * (count + 1)) AS integer) + 1:
                 CAST(floor(:u * (count + 1)) AS integer) + 1]
WHERE form_id = {form}
RETURNING form_id
"""
_PG_ADD = text(_PG_SET.format(form=":form_id"))


def _draw() -> dict:
    """Where a new response goes: its place, as a fraction of the set's length + 1."""
    return {"u": RANDOM.random()}


def add(form_id: int, new: Iterable[StoredResponse]) -> None:
    """Put the responses among the form's, each at a uniformly random place.

    One UPDATE per response (after making the set when the form has none yet); the caller
    commits. responses.submit() calls this after writing the receipt set, which holds the write
    lock (SQLite) or the receipt row's lock (PostgreSQL), so answers to one form are stored one
    after another.
    """
    add_items(form_id, [item_of(response) for response in new])


def add_items(form_id: int, items: list[str]) -> None:
    """add() for responses already turned into items (item_of), built before taking a lock."""
    statement = _SQLITE_ADD if db.engine.dialect.name == "sqlite" else _PG_ADD
    for item in items:
        values = {"form_id": form_id, "item": item, **_draw()}
        if db.session.execute(statement, values).rowcount == 0:
            make_set(form_id)
            db.session.execute(statement, values)


# PostgreSQL: the check that the form is open, the receipt and the response in one statement (one
# round trip), so the form's rows stay locked only for that statement and the commit (not for
# several round trips between the app and the database). `form` is the form if it is open (or,
# unless :open_only, whatever its status). The receipt set gets the hash in sorted place unless it
# holds it already (and only when `form` found the form and its response set exists); only then
# is the response put in the set (as _PG_ADD does). Each stored hash follows a space: one that begins
# with " " + key is held (a 40-digit hash stored before receipts were cut to 20 digits is matched
# by its beginning), and the new one goes in at the offset of the hashes below it, with no sorting
# and no splitting of the text but the one scan that counts those hashes. The one row returned
# says whether the form was found and whether the response was written (data-modifying WITH parts
# run to the end whether read or not).
_RECEIPT = """
WITH form AS (
  SELECT id FROM evaluation_form
  WHERE id = :form_id AND (status = 'open' OR NOT CAST(:open_only AS boolean))
), receipt AS (
  UPDATE evaluation_receipt_set SET hashes = overlay(hashes PLACING ' ' || CAST(:key AS text)
      FROM CAST(1 + (SELECT coalesce(sum(length(h) + 1), 0)
                     FROM unnest(string_to_array(hashes, ' ')) AS h
                     WHERE h <> '' AND h < CAST(:key AS text) COLLATE "C") AS integer) FOR 0)
  WHERE form_id = (SELECT id FROM form) AND strpos(hashes, ' ' || CAST(:key AS text)) = 0
    AND EXISTS (SELECT FROM evaluation_response_set WHERE form_id = :form_id)
  RETURNING form_id
), written AS ("""
_IN_RECEIPT = _PG_SET.format(form="(SELECT form_id FROM receipt)")
_ANSWERED = (
    """) SELECT EXISTS (SELECT FROM form) AS open, EXISTS (SELECT FROM written) AS written"""
)
_RECEIPT_AND_RESPONSE = text(_RECEIPT + _IN_RECEIPT + _ANSWERED)
_MISSING_RECEIPTS = text(
    "INSERT INTO evaluation_receipt_set (form_id, hashes) VALUES (:form_id, '')"
    " ON CONFLICT DO NOTHING"
)


# PostgreSQL: answers to one form wait for each other's locks on the form's rows, and many
# statements waiting at once for the same rows make each one slower (measured on one form, straight
# to PostgreSQL: about 620 answers/s from 2 or 4 writers at once, 125/s from 32). So in each process
# at most one thread at a time runs the statement for a form when it commits alone (forms share
# these locks by id modulo their number); the others wait here, holding no row lock. A statement
# inside a longer transaction takes no such lock, so a thread holding one never waits for a
# transaction of its own process that could be waiting for it.
_FORM_LOCKS = tuple(threading.Lock() for _ in range(64))


class NotOpen(Exception):
    """The form is not open (closed, or gone) as the writing statement saw it."""


def statements_commit_alone() -> None:
    """PostgreSQL: from here on in this request, each statement commits as it ends (autocommit).

    The answer's write is one statement, so it is its own short transaction: the form's rows are
    locked only while PostgreSQL runs it, not also while the result travels to the app and the
    app, perhaps waiting for a CPU, sends COMMIT. Nothing on SQLite, and nothing once the
    request's session has begun a transaction.
    """
    if db.engine.dialect.name == "postgresql" and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def add_with_receipt(
    form_id: int, key: str, response: StoredResponse, *, open_only: bool = False
) -> bool:
    """PostgreSQL: add the receipt `key` and the response in one statement (with `open_only`, only
    if the form is open); the caller commits (unless statements_commit_alone() made the statement
    commit itself).

    False (nothing written) when the receipt set holds `key` already, also when a parallel
    request added it first: the statement waits for that request's lock and sees its hash.
    Raises NotOpen (nothing written) when the form is gone, or with `open_only` not open.
    """
    values = {
        "form_id": form_id,
        "key": key,
        "item": item_of(response),
        "open_only": open_only,
        **_draw(),
    }
    options = db.session.connection().get_execution_options()
    if options.get("isolation_level") != "AUTOCOMMIT":
        return _add_with_receipt(form_id, values)
    with _FORM_LOCKS[form_id % len(_FORM_LOCKS)]:
        return _add_with_receipt(form_id, values)


def _add_with_receipt(form_id: int, values: dict) -> bool:
    found = db.session.execute(_RECEIPT_AND_RESPONSE, values).one()
    if not found.open:
        raise NotOpen
    if found.written:
        return True
    # Nothing written: the set holds `key`, or the form's rows did not exist in this statement's
    # snapshot (a parallel first answer may have made them since). Make sure they exist and ask
    # again: the new statement sees every commit so far, so only a held `key` (or a form closed
    # since) writes nothing. (Deciding from a second look alone would take a set made after the
    # first statement began for one that holds the key.)
    db.session.execute(_MISSING_RECEIPTS, {"form_id": form_id})
    make_set(form_id)
    found = db.session.execute(_RECEIPT_AND_RESPONSE, values).one()
    if not found.open:
        raise NotOpen
    return found.written
