"""Column headers as owners and form tools write them, in nb, nn, sv, da, fi and en."""

import pytest

from workshops.businesses import registry as businesses
from workshops.businesses.models import Business

HEADERS = {
    "nb": "Navn;Bransje;Vi tilbyr;Vi trenger;Kommune;Beskrivelse;E-post;Nettside",
    "nn": "Namn;Bransje;Tilbod;Treng;Kommune;Skildring;E-post;Heimeside",
    "sv": "Företagsnamn;Bransch;Vi erbjuder;Vi behöver;Kommun;Beskrivning;E-post;Hemsida",
    "da": "Virksomhedsnavn;Branche;Vi tilbyder;Vi har brug for;Kommune;Beskrivelse;E-mail;Hjemmeside",
    "fi": "Yrityksen nimi;Toimiala;Tarjoamme;Tarvitsemme;Kunta;Kuvaus;Sähköposti;Kotisivut",
    "en": "Company name;Industry;What we offer;What we need;Municipality;About us;Email;Website",
}
ROW = "Fossen;55.10;rom;guiding;Nordvik;sidan 1962;post@fossen.example;fossen.example"


@pytest.mark.parametrize("lang", sorted(HEADERS))
def test_headers_in_six_languages_name_every_column(lang):
    table = businesses.read_table(f"\ufeff{HEADERS[lang]}\n{ROW}\n".encode(), "f.csv")

    assert table.warnings == []
    assert table.columns == businesses.COLUMNS[:8]
    assert table.rows[0].cells["sector"] == "55.10"
    assert table.rows[0].cells["municipality"] == "Nordvik"


@pytest.mark.parametrize("header", ["Name *", "name:", "NAME", " Navn * "])
def test_a_required_mark_or_colon_after_a_header_is_read_past(header):
    table = businesses.read_table(f"{header},sector\nFossen,55.10\n".encode())

    assert table.warnings == [] and table.rows[0].name == "Fossen"


@pytest.mark.parametrize("place", ["sted", "Bygd", "ort", "by", "Kylä", "saari", "village", "Øy"])
def test_a_place_column_is_not_taken_for_the_municipality(place):
    # Pairing counts two municipalities as apart: two villages of one municipality are not.
    table = businesses.read_table(f"name;{place}\nFossen;Holmøy\n".encode())

    assert [w.code for w in table.warnings] == ["unknown_column"]
    assert table.rows[0].cells == {"name": "Fossen"}


@pytest.mark.parametrize("header", ["notes", "business"])
def test_words_that_may_name_another_column_are_not_guessed(header):
    table = businesses.read_table(f"company;{header}\nFossen;x\n".encode())

    assert [(w.column, w.code) for w in table.warnings] == [(header, "unknown_column")]
    assert table.rows[0].cells == {"name": "Fossen"}


@pytest.mark.db
def test_a_file_with_swedish_headers_imports_municipality_and_profile(db, leader, make_project):
    project = make_project("skargard", leaders=[leader], name="Skärgård", language="sv")
    data = "\ufeffNamn;Bransch;Erbjuder;Behöver;Kommun\nStugorna;stuguthyrning;;;Brattö\n"

    plan = businesses.import_file(project, data.encode(), "f.csv")

    business = db.session.scalars(db.select(Business)).one()
    assert plan.errors == []
    assert (business.name, business.municipality, business.sector_group) == (
        "Stugorna",
        "Brattö",
        "accommodation",
    )
    assert business.assumed and "accommodation" in business.offers
