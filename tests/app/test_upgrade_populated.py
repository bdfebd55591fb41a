"""A populated database made at an older migration head upgrades to the newest head with its data.

tests/fixtures/database_e5f2b3c4d6a7.json holds every row of the demo project (plus a few rows in
the tables the demo leaves empty) as the code at revision e5f2b3c4d6a7 wrote them. The test
builds that schema with Alembic, loads the rows, upgrades to the newest head and compares
every row and column the fixture names that still exists.
"""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from app.extensions import db as _db

pytestmark = pytest.mark.db

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "database_e5f2b3c4d6a7.json"


def _typed(value, type_):
    """A value of the JSON fixture as the column type wants it in Python."""
    if value is None:
        return None
    if isinstance(type_, sa.DateTime):
        return datetime.fromisoformat(value)
    if isinstance(type_, sa.Date):
        return date.fromisoformat(value)
    if isinstance(type_, sa.LargeBinary):
        return base64.b64decode(value["base64"])
    return value


def _plain(value):
    """A value read from the database as the fixture writes it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return {"base64": base64.b64encode(value).decode()}
    return value


def _column_types(
    old: sa.MetaData, name: str, columns: list[str]
) -> dict[str, sa.types.TypeEngine]:
    """The models' type of each column when the models still have it, else the reflected one."""
    model = _db.metadata.tables.get(name)
    types = {}
    for column in columns:
        if model is not None and column in model.columns:
            types[column] = model.columns[column].type
        else:
            types[column] = old.tables[name].columns[column].type
    return types


def _insert_order(old: sa.MetaData, names: list[str]) -> list[str]:
    """Tables ordered so that every NOT NULL foreign key points to a table loaded before it."""
    needs = {
        name: {
            fk.column.table.name
            for column in old.tables[name].columns
            if not column.nullable
            for fk in column.foreign_keys
            if fk.column.table.name != name
        }
        for name in names
    }
    order: list[str] = []
    while len(order) < len(names):
        ready = sorted(n for n in names if n not in order and needs[n] <= set(order))
        assert ready, f"a cycle of NOT NULL foreign keys among {set(names) - set(order)}"
        order += ready
    return order


def _load(connection, dump: dict) -> None:
    """Insert the fixture's rows; nullable foreign keys are set afterwards (the schema has
    cycles, such as a workshop's current step)."""
    old = sa.MetaData()
    old.reflect(connection)
    tables = dump["tables"]
    later: list[tuple[sa.Table, dict, dict]] = []
    for name in _insert_order(old, sorted(tables)):
        columns = tables[name]["columns"]
        types = _column_types(old, name, columns)
        table = sa.table(name, *(sa.column(c, types[c]) for c in columns))
        deferred = {
            c.name for c in old.tables[name].columns if c.nullable and c.foreign_keys
        } & set(columns)
        keys = [c.name for c in old.tables[name].primary_key.columns]
        rows = [
            {c: _typed(v, types[c]) for c, v in zip(columns, row, strict=True)}
            for row in tables[name]["rows"]
        ]
        if rows:
            connection.execute(
                table.insert(),
                [{c: (None if c in deferred else v) for c, v in r.items()} for r in rows],
            )
        for row in rows:
            values = {c: row[c] for c in deferred if row[c] is not None}
            if values:
                later.append((table, {k: row[k] for k in keys}, values))
    for table, key, values in later:
        where = [table.c[k] == v for k, v in key.items()]
        connection.execute(table.update().where(*where).values(**values))
    if connection.dialect.name == "postgresql":  # ids were given: move the sequences past them
        for name in tables:
            column = old.tables[name].columns.get("id")
            if column is not None and column.autoincrement is not False and tables[name]["rows"]:
                connection.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'),"
                        f' (SELECT max(id) FROM "{name}"))'
                    )
                )


def _rows(connection, name: str, columns: list[str]) -> list[list]:
    model = _db.metadata.tables[name]
    order = list(model.primary_key.columns)
    query = sa.select(*(model.columns[c] for c in columns)).order_by(*order)
    return [[_plain(v) for v in row] for row in connection.execute(query)]


def _receipts_became_sets(connection, table: dict) -> int:
    """One row per answered device became one set of hashes per form."""
    expected: dict[int, set[str]] = {}
    for form_id, device_hash in table["rows"]:
        expected.setdefault(form_id, set()).add(device_hash)
    query = "SELECT form_id, hashes FROM evaluation_receipt_set"
    actual = {form_id: set(hashes.split()) for form_id, hashes in connection.exec_driver_sql(query)}
    assert {k: v for k, v in actual.items() if v} == expected
    return len(table["rows"])


def _responses_kept_under_new_ids(connection, tables: dict) -> int:
    """Each response with its answers is kept, whatever random id it has now."""

    def grouped(responses, answers) -> list:
        by_response: dict[str, list] = {}
        for response_id, *answer in answers:
            by_response.setdefault(response_id, []).append(tuple(answer))
        return sorted(
            (form_id, str(day), sorted(by_response.get(rid, []), key=repr))
            for rid, form_id, day in responses
        )

    response_columns, answer_columns = (
        ["id", "form_id", "submitted_on"],
        [
            "response_id",
            "question_id",
            "item",
            "option_id",
            "text",
        ],
    )
    dumped = [
        [[row[tables[name]["columns"].index(c)] for c in columns] for row in tables[name]["rows"]]
        for name, columns in (
            ("evaluation_response", response_columns),
            ("evaluation_answer", answer_columns),
        )
    ]
    stored = _stored_responses(connection)
    assert grouped(*stored) == grouped(*dumped)
    return sum(len(rows) for rows in stored)


def _stored_responses(connection) -> list[list]:
    """Responses and answers as rows of the old tables, read from the response sets."""
    from evaluations import store

    responses, answers = [], []
    query = sa.select(store.ResponseSet.form_id, store.ResponseSet.responses)
    for form_id, items in connection.execute(query):
        for response in map(store.decode, store.stored_items(items)):
            responses.append([response.id, form_id, response.submitted_on.isoformat()])
            items: dict[int, int] = {}
            for answer in response.answers:
                item = items[answer.question_id] = items.get(answer.question_id, -1) + 1
                answers.append(
                    [response.id, answer.question_id, item, answer.option_id, answer.text]
                )
    return [responses, answers]


# Tables a later revision replaced by another shape: the check that the data moved with them.
REPLACED = {"evaluation_receipt": _receipts_became_sets}
# Tables whose random ids a revision renews (so no id says in which order answers came).
RENEWED = {("evaluation_response", "evaluation_answer"): _responses_kept_under_new_ids}


def _reset(connection) -> None:
    _db.drop_all()
    connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def test_a_populated_database_from_e5f2b3c4d6a7_upgrades_to_head_with_every_row(app):
    dump = json.loads(FIXTURE.read_text(encoding="utf-8"))
    config = app.extensions["migrate"].migrate.get_config()
    # "heads": the newest revision (test_migrations.py checks that there is exactly one)
    heads = set(ScriptDirectory.from_config(config).get_heads())
    _db.session.remove()
    with _db.engine.begin() as connection:
        _reset(connection)
    upgrade(revision=dump["revision"])
    with _db.engine.begin() as connection:
        _load(connection, dump)

    upgrade(revision="heads")

    try:
        with _db.engine.connect() as connection:
            versions = connection.exec_driver_sql("SELECT version_num FROM alembic_version")
            assert set(versions.scalars()) == heads
            checked = 0
            for names, check in RENEWED.items():
                checked += check(connection, {n: dump["tables"][n] for n in names})
            renewed = {name for names in RENEWED for name in names}
            for name, table in sorted(dump["tables"].items()):
                if name in renewed:
                    continue
                model = _db.metadata.tables.get(name)
                if model is None and name in REPLACED:
                    checked += REPLACED[name](connection, table)
                    continue
                assert model is not None, (
                    f"table {name} is gone, with its {len(table['rows'])} rows"
                )
                kept = [c for c in table["columns"] if c in model.columns]
                index = [table["columns"].index(c) for c in kept]
                expected = sorted(([row[i] for i in index] for row in table["rows"]), key=repr)
                actual = sorted(_rows(connection, name, kept), key=repr)
                assert actual == expected, name
                checked += len(actual)
            assert checked == sum(len(t["rows"]) for t in dump["tables"].values()) > 1000
    finally:
        with _db.engine.begin() as connection:
            _reset(connection)
