"""The one spreadsheet writer: typed text never runs as a formula, in CSV or XLSX."""

import csv
import io

from openpyxl import load_workbook

from workshops import spreadsheets

TYPED = ["=1+2", "+47 22 00 00 00", "-rabatt", "@SUM(A1)", "\tTab", "Vanlig tekst, æøå"]


def test_csv_has_a_bom_and_an_apostrophe_before_every_formula_start():
    data = spreadsheets.to_csv(["Tekst", "Tall"], [[t, 3] for t in TYPED] + [[None, 0]])

    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8").lstrip("\ufeff"))))
    assert [row[0] for row in rows[1:]] == [
        "'=1+2",
        "'+47 22 00 00 00",
        "'-rabatt",
        "'@SUM(A1)",
        "'\tTab",
        "Vanlig tekst, æøå",
        "",
    ]
    assert rows[1][1] == "3"


def test_xlsx_keeps_texts_as_strings_and_replaces_what_xml_cannot_hold():
    data = spreadsheets.to_xlsx(
        ["Tekst", "Tall"], [[t, 3] for t in TYPED + ["a\x07b"]], "Idé: [1/2]"
    )

    sheet = load_workbook(io.BytesIO(data)).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    assert sheet.title == "Idé   1 2"
    assert [c.value for c in cells] == TYPED + ["a\ufffdb"]
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False, False]
    assert sheet["B2"].value == 3
    assert sheet.freeze_panes == "A2"
