"""A business file costs work in proportion to what it holds: only the columns up to its header's
last one are read (at most MAX_COLUMNS), and at most MAX_ROWS businesses; past that, a clear
message and nothing imported."""

import io
import tracemalloc

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from workshops.businesses import registry as businesses
from workshops.businesses.models import Business


def xlsx(cells: dict[tuple[int, int], str]) -> bytes:
    book = Workbook()
    for (row, column), value in cells.items():
        book.active.cell(row=row, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def peak_bytes(read) -> int:
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_rows_with_a_cell_in_the_last_column_are_read_as_narrow_as_the_header():
    cells = {(1, 1): "name"}
    for row in range(2, 402):  # a cell in XFD, the 16384th column, on every row
        cells |= {(row, 1): f"Bedrift {row}", (row, 16384): "x"}
    data = xlsx(cells)

    table = None

    def read():
        nonlocal table
        table = businesses.read_table(data, "wide.xlsx")

    # Padded to XFD, the 400 rows took some 50 MB (18 s and 400 MB for a 64 KB file).
    assert peak_bytes(read) < 5_000_000
    assert len(table.rows) == 400
    assert table.rows[-1].cells == {"name": "Bedrift 401"}


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_wider_than_the_limit_is_refused(kind):
    headers = ["name"] + [f"extra {k}" for k in range(businesses.MAX_COLUMNS)]
    if kind == "csv":
        data = (",".join(headers) + "\nFossen\n").encode()
    else:
        data = xlsx({(1, k): h for k, h in enumerate(headers, start=1)} | {(2, 1): "Fossen"})

    with pytest.raises(businesses.FileError) as raised:
        businesses.read_table(data, f"f.{kind}")

    assert raised.value.code == "too_many_columns"


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_more_rows_than_the_limit_are_refused_and_blank_rows_do_not_count(kind, monkeypatch):
    monkeypatch.setattr(businesses, "MAX_ROWS", 3)
    names = ["name", "A", "", "B", "C", "", ""]
    if kind == "csv":
        fits = "\n".join(names).encode()
        too_many = "\n".join([*names, "D"]).encode()
    else:
        fits = xlsx({(k, 1): n for k, n in enumerate(names, start=1) if n})
        too_many = xlsx({(k, 1): n for k, n in enumerate([*names, "D"], start=1) if n})

    assert [r.name for r in businesses.read_table(fits, f"f.{kind}").rows] == ["A", "B", "C"]
    with pytest.raises(businesses.FileError) as raised:
        businesses.read_table(too_many, f"f.{kind}")
    assert raised.value.code == "too_many_rows"


def test_the_limits_say_what_to_do(app):
    with force_locale("en"):
        rows = businesses.FileError("too_many_rows").message()
        columns = businesses.FileError("too_many_columns").message()

    assert rows == ("The file has more than 10000 rows of businesses: split it into smaller files.")
    assert columns == "The file has more than 100 columns: delete the ones not needed."


@pytest.mark.db
def test_the_command_imports_nothing_from_a_file_past_the_limit(
    runner, db, leader, make_project, tmp_path, monkeypatch
):
    make_project("elvedalen", leaders=[leader], name="Elvedalen", language="en")
    monkeypatch.setattr(businesses, "MAX_ROWS", 2)
    path = tmp_path / "many.csv"
    path.write_bytes(b"name\nA\nB\nC\n")

    result = runner.invoke(args=["import-businesses", str(path), "--project", "elvedalen"])

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: many.csv: The file has more than 2 rows of businesses: split it into smaller "
        "files. Nothing was imported."
    ]
    assert db.session.scalars(db.select(Business)).all() == []
