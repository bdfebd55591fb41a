"""Every header the app itself shows or writes is read: the export's businesses sheet, as saved
in any of the five languages, imports into a new project as it was."""

import io

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import load_workbook

from app.reports import export
from workshops import spreadsheets
from workshops.businesses import registry as businesses
from workshops.businesses.models import Business

pytestmark = pytest.mark.db

LANGUAGES = ("nb", "sv", "da", "fi", "en")
SAVED = (
    businesses.BusinessData(
        name="Fossen Fjellstue",
        sector="55.10",
        offers="rom, frokost, zorbing",
        needs="guida turar, blåbærsyltetøy-kurs",
        municipality="Nordvik",
    ),
    businesses.BusinessData(name="Smia", sector="kunsthandverk", needs="overnatting"),
    businesses.BusinessData(name="Bakeriet", sector="bakeri", municipality="Sørvik"),
)


@pytest.fixture
def source(db, leader, make_project):
    project = make_project("kjelda", leaders=[leader], name="Kjelda", language="nb")
    for data in SAVED:
        businesses.save(project, data)
    db.session.commit()
    return project


def profiles(project) -> dict[str, tuple]:
    return {
        b.name: (
            b.sector,
            b.nace_code,
            b.sector_group,
            set(b.offers),
            set(b.needs),
            b.offers_free,
            b.needs_free,
            b.municipality,
        )
        for b in project.businesses
    }


def codes(problems) -> list[tuple[str, str]]:
    return [(p.column, p.code) for p in problems]


def businesses_sheet(workbook: bytes, lang: str) -> list[list]:
    book = load_workbook(io.BytesIO(workbook))
    with force_locale(lang):
        sheet = book[spreadsheets.sheet_title(_("Businesses"))]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_exported_workbook_imports_as_it_was_in_every_language(db, source, make_project, lang):
    workbook = export.project_xlsx(source, lang)
    target = make_project(f"kopi-{lang}", name="Kopi")

    plan = businesses.import_file(target, workbook, f"kjelda-{lang}.xlsx")

    assert (plan.errors, plan.created) == ([], 3)
    assert codes(plan.warnings) == [("offers", "unknown_words")]  # zorbing, kept as written
    assert profiles(target) == profiles(source)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_exported_sheet_saved_as_csv_imports_as_it_was_in_every_language(
    db, source, make_project, lang
):
    rows = businesses_sheet(export.project_xlsx(source, lang), lang)
    target = make_project(f"kopi-{lang}", name="Kopi")

    plan = businesses.import_file(target, spreadsheets.to_csv(rows[0], rows[1:]), "kjelda.csv")

    assert (plan.errors, plan.created) == ([], 3)
    assert codes(plan.warnings) == [("offers", "unknown_words")]  # zorbing, kept as written
    assert profiles(target) == profiles(source)


def test_the_swedish_offers_and_the_finnish_website_header_are_read(app):
    sv = businesses.read_table(b"Namn;Erbjudanden;Behov\nStugan;bastu;kanoter\n")
    fi = businesses.read_table(b"Nimi;Verkkosivusto\nPaja;paja.example\n")

    assert (sv.warnings, sv.rows[0].cells) == (
        [],
        {"name": "Stugan", "offers": "bastu", "needs": "kanoter"},
    )
    assert (fi.warnings, fi.rows[0].cells) == ([], {"name": "Paja", "website": "paja.example"})


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_field_name_the_import_page_shows_is_read_as_its_column(app, lang):
    with force_locale(lang):
        header = ";".join(businesses.column_label(c) for c in businesses.COLUMNS)
    row = "Fossen;55.10;rom;guiding;Nordvik;Sidan 1962;post@fossen.example;fossen.example;3;new"

    table = businesses.read_table(f"{header}\n{row}\n".encode())

    assert (table.warnings, table.columns) == ([], businesses.COLUMNS)
    assert table.rows[0].cells["email"] == "post@fossen.example"
    assert table.rows[0].cells["website"] == "fossen.example"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_import_page_lists_each_languages_field_name_among_its_headers(app, lang):
    with force_locale(lang):
        labels = {c: businesses.column_label(c) for c in businesses.COLUMNS}
    with force_locale("en"):
        listed = {c.column: c.headers[lang] for c in businesses.column_headers()}

    assert {c: headers[0] for c, headers in listed.items()} == labels


def test_offers_taken_from_the_sector_beside_the_files_needs_are_marked_assumed(db, source):
    data = b"name;sector;needs\nSmia 2;kunsthandverk;overnatting\n"

    plan = businesses.import_file(source, data, "f.csv")

    smithy = businesses.find_by_name(source, "Smia 2")
    assert plan.rows[0].reading.assumed is True
    assert plan.rows[0].reading.needs == ("accommodation",)
    assert "handmade_products" in plan.rows[0].reading.offers
    assert (smithy.assumed, smithy.needs) == (True, ["accommodation"])


def test_needs_written_beside_assumed_offers_stay_the_businesses_own(db, source):
    smithy = businesses.find_by_name(source, "Smia")  # sector and needs, no offers
    baker = businesses.find_by_name(source, "Bakeriet")  # a sector only

    assert smithy.assumed and baker.assumed
    assert businesses.own_tags(smithy, "needs") == ["accommodation"]
    assert businesses.own_tags(smithy, "offers") == []
    assert businesses.own_tags(baker, "needs") == []


def test_an_update_giving_offers_keeps_the_needs_written_beside_assumed_offers(db, source):
    data = b"name;offers\nSmia;smiing\n"

    plan = businesses.import_file(source, data, "f.csv")

    smithy = businesses.find_by_name(source, "Smia")
    assert plan.errors == []
    assert (smithy.assumed, smithy.needs) == (False, ["accommodation"])
    assert "handmade_products" not in smithy.offers


def test_mapping_a_word_keeps_the_needs_written_beside_assumed_offers(db, source):
    businesses.save(
        source,
        businesses.BusinessData(name="Smia", sector="kunsthandverk", needs="overnatting, qwzx"),
        businesses.find_by_name(source, "Smia"),
    )

    businesses.map_word(source, "qwzx", "guided_tour")

    smithy = db.session.scalars(db.select(Business).filter_by(name="Smia")).one()
    assert set(smithy.needs) == {"accommodation", "guided_tour"}
    assert smithy.needs_free == []
    assert smithy.assumed and "handmade_products" in smithy.offers
