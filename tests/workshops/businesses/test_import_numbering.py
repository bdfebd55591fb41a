"""The command numbers rows as the import page does: the header is row 1, or lower after blank
rows; a problem of the whole file is its message alone."""

import html
import io

import pytest

from workshops.businesses.models import Business

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("elvedalen", leaders=[leader], name="Elvedalen", language="en")


def run(runner, tmp_path, data: bytes):
    path = tmp_path / "businesses.csv"
    path.write_bytes(data)
    return runner.invoke(args=["import-businesses", str(path), "--project", "elvedalen"])


def test_an_unknown_column_is_on_the_header_row(runner, db, project, tmp_path):
    result = run(runner, tmp_path, b"\n\nname;colour\nFossen;blue\n")

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == ["row 3, column colour: Unknown column, ignored."]


def test_the_command_and_the_preview_give_the_same_rows(
    runner, db, project, tmp_path, leader_client
):
    data = b"\nname;sector;colour\nFossen;qwzx;blue\n\n;55.10;\n"
    upload = leader_client.post(
        "/projects/elvedalen/businesses/import",
        data={"file": (io.BytesIO(data), "liste.csv")},
        content_type="multipart/form-data",
    )
    page = html.unescape(leader_client.get(upload.headers["Location"] + "?lang=en").text)

    result = run(runner, tmp_path, data)

    assert result.stderr.splitlines() == [
        "row 2, column colour: Unknown column, ignored.",
        "row 3, column sector: Unknown sector 'qwzx', kept as written.",
        "row 5, column name: The name is empty.",
        "Error: 1 error(s); nothing was imported",
    ]
    assert "<li>Column 'colour': Unknown column, ignored.</li>" in page
    assert "<li>Row 3, column 'sector': Unknown sector 'qwzx', kept as written.</li>" in page
    assert "<li>Row 5, column 'name': The name is empty.</li>" in page


def test_a_problem_of_the_whole_file_has_no_row(runner, db, project, tmp_path):
    no_name = run(runner, tmp_path, b"colour\nblue\n")
    not_utf8 = run(runner, tmp_path, "name\nKafé Fossen\n".encode("cp1252"))

    assert no_name.stderr.splitlines() == [
        "row 1, column colour: Unknown column, ignored.",
        "There is no name column.",
        "Error: 1 error(s); nothing was imported",
    ]
    assert not_utf8.stderr.splitlines() == [
        "The file is not UTF-8; it was read as Windows-1252.",
        "row 2, column name: No sector the method knows: 'Food service' is assumed from the "
        "name; correct it if that is wrong.",  # a file of names only is read by the names
    ]
    assert db.session.scalars(db.select(Business.name)).all() == ["Kafé Fossen"]
