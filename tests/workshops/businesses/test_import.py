"""Importing businesses from CSV and XLSX: all rows or none, warnings per row and column."""

import io
import json

import pytest
from flask_babel import force_locale
from openpyxl import Workbook

from workshops.businesses import registry as businesses
from workshops.businesses.models import Business

pytestmark = pytest.mark.db

CSV = (
    "Name;SECTOR;offers;Needs;municipality\n"
    "Elvedalen Fjellstue;55.10;rom for overnatting, frokost;guida turar, lokal mat;Nordvik\n"
    "Grensehult Stugby;stuguthyrning;stugor, bastu;kanotuthyrning;Grensehult\n"
    "Kahvila Kivimylly;56.101;lounas, kokoustila;lähiruokaa;Kivilahti\n"
)


@pytest.fixture
def project(db, leader, make_project):
    return make_project("elvedalen", leaders=[leader], name="Elvedalen", language="en")


def names(db) -> list[str]:
    return sorted(db.session.scalars(db.select(Business.name)))


def lines(problems) -> list[str]:
    with force_locale("en"):
        return [p.line() for p in problems]


def write(tmp_path, data: bytes, name: str = "businesses.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_semicolon_csv_with_bom_and_headers_in_any_case_imports_every_row(db, project):
    plan = businesses.import_file(project, ("\ufeff" + CSV).encode("utf-8"))
    db.session.commit()

    hut = businesses.find_by_name(project, "Grensehult Stugby")
    assert (plan.created, plan.updated, plan.errors) == (3, 0, [])
    assert names(db) == ["Elvedalen Fjellstue", "Grensehult Stugby", "Kahvila Kivimylly"]
    assert (hut.sector, hut.sector_group, hut.municipality) == (
        "accommodation",
        "accommodation",
        "Grensehult",
    )
    assert set(hut.offers) == {"accommodation", "wellness"}
    assert hut.needs == ["equipment_rental"]


def test_utf16_tab_separated_file_is_read(db, project):
    data = CSV.replace(";", "\t").encode("utf-16")

    plan = businesses.import_file(project, data)

    assert (plan.created, plan.errors, plan.warnings) == (3, [], [])
    assert businesses.find_by_name(project, "Kahvila Kivimylly").nace_code == "56.10"


def test_a_file_that_is_not_utf8_is_read_as_cp1252_with_a_warning(db, project):
    data = "name,offers\nKafé Fossen,kaffe og vafler\n".encode("cp1252")

    plan = businesses.import_file(project, data)

    assert lines(plan.warnings) == ["The file is not UTF-8; it was read as Windows-1252."]
    assert businesses.find_by_name(project, "Kafé Fossen").offers == ["meals"]


def test_one_bad_row_in_500_imports_nothing_and_names_its_row_and_column(db, project):
    rows = ["name,sector,offers"] + [f"Bedrift {k},55.10,overnatting" for k in range(1, 501)]
    rows[250] = ",55.10,overnatting"  # spreadsheet row 251 (the header is row 1) has no name

    plan = businesses.import_file(project, "\n".join(rows).encode())
    db.session.commit()

    assert lines(plan.errors) == ["row 251, column name: The name is empty."]
    assert names(db) == []


def test_the_same_name_twice_and_a_missing_name_column_are_errors(db, project):
    twice = businesses.import_file(project, b"name\nFossen\n\n fossen \n")
    no_name = businesses.import_file(project, b"colour,sector\nblue,55.10\n")

    assert lines(twice.errors) == ["row 4, column name: The same name as row 2."]
    assert lines(no_name.errors) == ["There is no name column."]
    assert names(db) == []


def test_unknown_column_sector_and_word_are_warnings_and_the_row_is_kept(db, project):
    data = b'name,colour,sector,offers\nFossen,blue,qwzx,"zyxwv, guiding"\n'

    plan = businesses.import_file(project, data)

    fossen = businesses.find_by_name(project, "Fossen")
    assert lines(plan.warnings) == [
        "row 1, column colour: Unknown column, ignored.",
        "row 2, column sector: Unknown sector 'qwzx', kept as written.",
        "row 2, column offers: 'zyxwv' matches no tag, kept as written for the leader to map.",
    ]
    assert (fossen.sector, fossen.offers, fossen.offers_free) == (
        "qwzx",
        ["guided_tour"],
        ["zyxwv"],
    )


def test_a_business_with_only_a_sector_gets_its_defaults_marked_assumed(db, project):
    businesses.import_file(project, b"name,sector\nNordvik Hotell,5510\n")

    hotel = businesses.find_by_name(project, "Nordvik Hotell")
    assert (hotel.assumed, hotel.nace_code, hotel.sector_group) == (
        True,
        "55.10",
        "accommodation",
    )
    assert "accommodation" in hotel.offers and "guided_tour" in hotel.needs


def test_reimport_updates_by_trimmed_case_insensitive_name_never_duplicates(db, project):
    businesses.import_file(project, b"name,municipality,offers\nFossen Kafe,Nordvik,kaffe\n")
    db.session.commit()

    plan = businesses.import_file(project, b"name,municipality\n  FOSSEN KAFE ,Elvebygd\n")
    db.session.commit()

    fossen = businesses.find_by_name(project, "fossen kafe")
    assert (plan.created, plan.updated) == (0, 1)
    assert names(db) == ["Fossen Kafe"]
    assert (fossen.municipality, fossen.offers) == ("Elvebygd", ["meals"])  # offers kept


def test_formula_looking_cells_are_taken_as_text(db, project):
    data = b'name,offers,description\n"=HYPERLINK(""x"")",+guiding,@SUM(1)\n'

    businesses.import_file(project, data)

    business = db.session.scalars(db.select(Business)).one()
    assert (business.name, business.description) == ('=HYPERLINK("x")', "@SUM(1)")


def test_xlsx_is_read_with_formulas_as_text(db, project):
    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Sector", "Offers"])
    sheet.append(["Sørli Ysteri", 1051, "geitost, ostesmaking"])
    sheet.append(["=1+1", "55.10", "overnatting"])
    buffer = io.BytesIO()
    book.save(buffer)

    plan = businesses.import_file(project, buffer.getvalue(), "list.xlsx")

    assert (plan.created, plan.errors) == (2, [])
    assert businesses.find_by_name(project, "Sørli Ysteri").sector_group == "local_food"
    assert businesses.find_by_name(project, "=1+1") is not None


@pytest.mark.parametrize("data", [b"", b"\x00\x01\x02PK garbage", b"PK\x03\x04broken zip"])
def test_unreadable_files_are_refused_whole(db, project, data):
    with pytest.raises(businesses.FileError):
        businesses.import_file(project, data, "list.csv")


def test_cli_prints_warnings_on_stderr_and_the_counts_on_stdout(runner, db, project, tmp_path):
    path = write(tmp_path, (b"name,sector,colour\nFossen,55.10,blue\nBruket,qwzx,\n"))

    result = runner.invoke(args=["import-businesses", path, "--project", "elvedalen"])

    assert result.exit_code == 0
    assert result.stdout == "2 created, 0 updated\n"
    assert result.stderr.splitlines() == [
        "row 1, column colour: Unknown column, ignored.",
        "row 3, column sector: Unknown sector 'qwzx', kept as written.",
    ]
    assert names(db) == ["Bruket", "Fossen"]


def test_cli_dry_run_reports_and_writes_nothing(runner, db, project, tmp_path):
    path = write(tmp_path, b"name\nFossen\nBruket\n")

    result = runner.invoke(args=["import-businesses", path, "--project", "elvedalen", "--dry-run"])

    assert (result.exit_code, result.stdout) == (0, "2 created, 0 updated\n")
    db.session.expire_all()
    assert names(db) == []


def test_cli_errors_exit_1_and_import_nothing(runner, db, project, tmp_path):
    path = write(tmp_path, b"name\nFossen\n\nFossen\n")

    result = runner.invoke(args=["import-businesses", path, "--project", "elvedalen"])

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "row 4, column name: The same name as row 2.",
        "Error: 1 error(s); nothing was imported",
    ]
    assert names(db) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "nowhere"], "no project with the slug 'nowhere'"),
        (["--project", "elvedalen"], "larger than 10 MB"),
    ],
)
def test_cli_refuses_unknown_project_and_a_50_mb_file(runner, db, project, tmp_path, args, message):
    path = tmp_path / "big.csv"
    with path.open("wb") as handle:
        handle.write(b"name\n")
        handle.write(b"x" * (50 * 1024 * 1024))

    result = runner.invoke(args=["import-businesses", str(path), *args])

    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert names(db) == []


def test_cli_refuses_a_missing_file_with_one_line(runner, db, project, tmp_path):
    result = runner.invoke(
        args=["import-businesses", str(tmp_path / "none.csv"), "--project", "elvedalen"]
    )

    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


def test_pairings_json_lists_every_business_with_partners_best_first(runner, db, project):
    businesses.import_file(
        project,
        (
            "name,sector,offers,needs\n"
            "Fjellstua,55.10,overnatting,guidede turer\n"
            "Elvestrand Guiding,79.90,guidede turer,overnatting\n"
            "Næringsforum,84.13,,\n"
        ).encode(),
    )
    db.session.commit()

    result = runner.invoke(args=["pairings", "--project", "elvedalen", "--json", "--top", "2"])
    document = json.loads(result.stdout)

    assert result.exit_code == 0
    assert document["project"] == "elvedalen"
    assert [s["business"] for s in document["suggestions"]] == [
        "Elvestrand Guiding",
        "Fjellstua",
        "Næringsforum",
    ]
    first = document["suggestions"][1]["partners"][0]
    assert first["business"] == "Elvestrand Guiding"
    assert isinstance(first["score"], float) and first["score"] >= 0
    assert "Fjellstua needs guided tours; Elvestrand Guiding offers it." in first["reasons"]
    for item in document["suggestions"]:
        scores = [p["score"] for p in item["partners"]]
        assert scores == sorted(scores, reverse=True)
        assert set(item) == {"business", "partners"} | (set() if item["partners"] else {"reason"})
        assert all(set(p) == {"business", "score", "reasons"} for p in item["partners"])


def test_pairings_reasons_follow_lang(runner, db, project):
    businesses.import_file(
        project, b"name,offers,needs\nFjellstua,overnatting,guiding\nGuide,guiding,overnatting\n"
    )
    db.session.commit()

    result = runner.invoke(args=["pairings", "--project", "elvedalen", "--json", "--lang", "nb"])

    reasons = json.loads(result.stdout)["suggestions"][0]["partners"][0]["reasons"]
    assert "Fjellstua trenger guidede turer; Guide tilbyr det." in reasons


def test_pairings_text_output_and_unknown_project(runner, db, project):
    businesses.import_file(project, b"name,offers,needs\nA,overnatting,guiding\nB,guiding,rom\n")
    db.session.commit()

    text = runner.invoke(args=["pairings", "--project", "elvedalen"])
    unknown = runner.invoke(args=["pairings", "--project", "nowhere"])

    assert text.exit_code == 0 and text.stdout.splitlines()[0] == "A"
    assert unknown.exit_code == 1 and len(unknown.stderr.splitlines()) == 1


def test_rows_with_only_a_name_a_sector_foreign_words_or_500_tags_import_with_warnings(
    db, make_project
):
    from workshops.businesses import pairing_service

    project = make_project("bad-input")
    many = ", ".join(f"overnatting {k}" for k in range(500))
    text = (
        "name;sector;offers;needs\n"
        "Bare Navn;;;\n"
        "Bare Sektor AS;hotell;;\n"
        "Ukjent Språk;xyzzy plugh;Zimmer mit Frühstück, Wanderungen;Kunden\n"
        f"Mange Tagger;55.10;{many};guidede turer\n"
        "Bare Guide AS;79.90;;\n"
    )

    plan = businesses.import_file(project, text.encode("utf-8-sig"))
    db.session.commit()

    assert plan.errors == []
    assert plan.created == 5
    codes = {(w.row, w.column, w.code) for w in plan.warnings}
    assert (5, "offers", "cut") in codes
    assert (4, "sector", "unknown_sector") in codes
    many_tags = businesses.find_by_name(project, "Mange Tagger")
    assert "accommodation" in many_tags.offers
    found = dict(pairing_service.suggestions(project, k=3))
    assert found[businesses.find_by_name(project, "Bare Navn")] == []
    hotel = [p.business.name for p in found[businesses.find_by_name(project, "Bare Sektor AS")]]
    assert "Bare Guide AS" in hotel  # partners from the sector's assumed profile
    assert "Mange Tagger" not in hotel  # beds and beds, no need met: competitors
