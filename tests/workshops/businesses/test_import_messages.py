"""Import messages as the leader reads them: spreadsheet row numbers, the file's own headers, one
warning for a cell's unknown words."""

import html
import io

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from workshops.businesses import registry as businesses

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("elvedalen", leaders=[leader], name="Elvedalen", language="en")


def plan_of(project, data: bytes, filename: str = "f.csv"):
    return businesses.plan_import(project, businesses.read_table(data, filename))


def places(app, plan, problems) -> list[str]:
    with app.test_request_context(), force_locale("en"):
        return [f"{plan.where(p)} {p.message()}".strip() for p in problems]


def test_rows_are_numbered_as_a_spreadsheet_shows_them_header_as_row_1(db, project):
    # Row 2 has a line break inside a quoted cell; a spreadsheet still shows it as one row.
    data = b'name;description\nFossen;"two\nlines"\n\n;nameless\nBruket;x\n'

    plan = plan_of(project, data)

    assert [(e.row, e.code) for e in plan.errors] == [(4, "empty_name")]


def test_a_duplicate_names_the_spreadsheet_row_of_the_first(db, project):
    plan = plan_of(project, b"\n\nname\nFossen\nBruket\n fossen \n")  # the header is row 3

    assert [(e.row, e.code, e.detail) for e in plan.errors] == [(6, "duplicate_name", "4")]


def test_xlsx_rows_are_the_sheets_row_numbers(db, project):
    book = Workbook()
    sheet = book.active
    sheet["A2"], sheet["B2"] = "Navn", "Bransje"  # row 1 left empty
    sheet["A3"], sheet["B3"] = "Fossen", "55.10"
    sheet["B5"] = "55.10"  # row 4 empty, row 5 has no name
    buffer = io.BytesIO()
    book.save(buffer)

    plan = plan_of(project, buffer.getvalue(), "list.xlsx")

    assert [(e.row, e.column, e.code) for e in plan.errors] == [(5, "name", "empty_name")]


def test_messages_name_the_column_by_the_files_own_header(app, db, project):
    data = "Navn;Farge;Bransje;Tilbud\nFossen;blå;qwzx;zyxwv, guiding\n;;;\n;x;;\n"

    plan = plan_of(project, data.encode("cp1252"))

    assert places(app, plan, plan.errors) == ["Row 4, column 'Navn': The name is empty."]
    assert places(app, plan, plan.warnings) == [
        "The file is not UTF-8; it was read as Windows-1252.",
        "Column 'Farge': Unknown column, ignored.",
        "Row 2, column 'Bransje': Unknown sector 'qwzx', kept as written.",
        "Row 2, column 'Tilbud': 'zyxwv' matches no tag, kept as written for the leader to map.",
    ]


def test_a_missing_name_column_is_said_of_the_file(app, db, project):
    plan = plan_of(project, b"colour\nblue\n")

    assert places(app, plan, plan.errors)[-1] == "There is no name column."


def test_a_column_without_a_header_is_named_by_its_field_label(app):
    plan = businesses.Plan([], [], [], (), businesses.Table((), []))

    where = places(app, plan, [businesses.Problem(7, "email", "cut", "254")])

    assert where == [
        "Row 7, column 'E-mail': Longer than 254 characters: only the first part is read."
    ]


def test_a_cells_unknown_words_are_one_warning_listing_every_word(app, db, project):
    words = [f"sider{k}" for k in range(55)]
    offers = ", ".join(["guiding", *words, "sider3", "overnatting"])
    data = f"name;offers;needs\nMange Ord;{offers};qqq, rrr\n".encode()

    plan = plan_of(project, data)

    assert [(w.row, w.column, w.code) for w in plan.warnings] == [
        (2, "offers", "unknown_words"),
        (2, "needs", "unknown_words"),
    ]
    assert plan.warnings[0].words == tuple(words)  # each once, in the cell's order
    with app.test_request_context(), force_locale("en"):
        message = plan.warnings[0].message()
    assert message.startswith("55 words match no tag, kept as written for the leader to map: ")
    assert all(f" {word}," in message or f" {word}." in message for word in words)


def test_the_preview_names_headers_and_shows_file_warnings_without_a_row(
    db, leader_client, project
):
    data = "Navn;Farge;Tilbud\nKafé Fossen;blå;kaffe, xyzzy, plugh\n;grønn;\n".encode("cp1252")
    upload = leader_client.post(
        "/projects/elvedalen/businesses/import",
        data={"file": (io.BytesIO(data), "liste.csv")},
        content_type="multipart/form-data",
    )

    page = html.unescape(leader_client.get(upload.headers["Location"] + "?lang=en").text)

    assert "<li>Row 3, column 'Navn': The name is empty.</li>" in page
    assert "<li>The file is not UTF-8; it was read as Windows-1252.</li>" in page
    assert "<li>Column 'Farge': Unknown column, ignored.</li>" in page
    assert "2 words match no tag, kept as written for the leader to map: xyzzy, plugh." in page
    assert "Rows are numbered as in a spreadsheet: the header is row 1." in page
    assert "column name" not in page and "column -" not in page and "Row 0" not in page
