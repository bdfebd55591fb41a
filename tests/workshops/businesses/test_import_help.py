"""The import page lists the headers the import reads, in the leader's language and the others."""

import html

import pytest
from flask import render_template

from app.i18n import LANGUAGE_NAMES
from workshops.businesses import registry as businesses
from workshops.businesses.forms import ImportForm

COLUMNS = businesses.column_headers()


@pytest.mark.parametrize("lang", sorted(LANGUAGE_NAMES))
def test_every_header_the_page_lists_is_read_as_its_column(lang):
    for column in COLUMNS:
        assert column.headers[lang], f"no {lang} header for {column.column}"
        for header in column.headers[lang]:
            first = header if column.column == "name" else f"name;{header}"
            table = businesses.read_table(f"{first}\nFossen;x\n".encode())

            assert column.column in table.columns, (lang, header)
            assert table.headers[column.column] == header


def render_import_page(app, make_project, lang: str) -> str:
    project = make_project("elvedalen", name="Elvedalen")
    with app.test_request_context(f"/projects/elvedalen/businesses/import?lang={lang}"):
        app.preprocess_request()
        page = render_template(
            "businesses/import.html",
            project=project,
            form=ImportForm(),
            headers=businesses.column_headers(),
        )
    return html.unescape(page)


@pytest.mark.db
def test_the_norwegian_page_lists_norwegian_headers_and_the_other_languages(app, make_project):
    page = render_import_page(app, make_project, "nb")

    mine, others = page.split("<details>")
    assert "Navn, Bedrift, Bedriftsnavn" in mine and "Vi tilbyr" in mine
    assert "<code>name</code>" not in page and "Nimi" not in mine
    assert '<h3 lang="fi">Suomi</h3>' in others and "Nimi, Yritys, Yrityksen nimi" in others
    assert "Name, Business name" in others  # the English headers are read too


@pytest.mark.db
def test_the_finnish_page_lists_finnish_headers_first(app, make_project):
    page = render_import_page(app, make_project, "fi")

    mine = page.split("<details>")[0]
    assert "Nimi, Yritys" in mine and "Tarjonta, Tarjoaa, Tarjoamme" in mine


@pytest.mark.db
def test_the_import_page_lists_the_headers_of_the_leaders_language(
    leader_client, leader, make_project
):
    make_project("elvedalen", leaders=[leader], name="Elvedalen")

    page = html.unescape(leader_client.get("/projects/elvedalen/businesses/import?lang=nb").text)

    mine = page.split("<details>")[0]
    assert "Navn, Bedrift, Bedriftsnavn" in mine and "Vi tilbyr" in mine
