"""Languages: how one is chosen, and that every catalogue is complete."""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

pytestmark = pytest.mark.db

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"
# msgids that may read the same in a language as in English (names, codes, loan words).
SAME_AS_ENGLISH = {"Kraftverk", "OK", "E-mail", "Workshop", "Workshops", "Status", "Catering"}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("sv-SE,sv;q=0.9,en;q=0.5", "sv"),
        ("fi", "fi"),
        ("da-DK", "da"),
        ("no-NO,no;q=0.9", "nb"),
        ("nn", "nb"),
        ("en-GB,en;q=0.8", "en"),
        ("de-DE", "nb"),
        ("", "nb"),
    ],
)
def test_browser_language_picks_the_page_language(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)

    assert f'<html lang="{expected}">' in page


def test_language_switch_is_remembered_in_a_cookie(client):
    first = client.get("/?lang=da", headers={"Accept-Language": "sv"})
    later = client.get("/login", headers={"Accept-Language": "sv"})

    assert '<html lang="da">' in first.get_data(as_text=True)
    assert '<html lang="da">' in later.get_data(as_text=True)


def test_unknown_language_in_the_switch_is_ignored(client):
    page = client.get("/?lang=xx", headers={"Accept-Language": "fi"}).get_data(as_text=True)

    assert '<html lang="fi">' in page


def test_every_page_offers_all_five_languages(client):
    page = client.get("/login").get_data(as_text=True)

    for code in ("nb", "sv", "da", "fi", "en"):
        assert f'href="/login?lang={code}"' in page


@pytest.mark.parametrize("language", ["nb", "sv", "da", "fi"])
def test_catalogue_translates_every_message(language):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert not catalogue.fuzzy, (
        "the catalogue header is marked fuzzy: pybabel compile would skip it"
    )
    with open(TRANSLATIONS / "messages.pot", "rb") as handle:
        template = read_po(handle)

    missing = [
        m.id
        for m in catalogue
        if m.id and (not m.string or m.fuzzy or (m.string == m.id and m.id not in SAME_AS_ENGLISH))
    ]
    absent = [m.id for m in template if m.id and m.id not in catalogue]

    assert missing == [], f"untranslated in {language}: {missing[:10]}"
    assert absent == [], (
        f"not in the {language} catalogue (run make translations-update): {absent[:10]}"
    )


def test_norwegian_front_page_has_no_english_left(client):
    page = client.get("/?lang=nb").get_data(as_text=True)

    for english in ("Join a workshop", "Log in", "Upcoming workshops", "How it works"):
        assert english not in page


def test_error_page_is_in_the_users_language(client):
    page = client.get("/no-such-page?lang=sv")

    assert page.status_code == 404
    assert "Sidan" in page.get_data(as_text=True) or "hittade" in page.get_data(as_text=True)


def test_numbers_are_formatted_per_locale(app):
    from flask_babel import force_locale, format_decimal

    with app.test_request_context("/"):
        with force_locale("nb"):
            norwegian = format_decimal(12345.5)
        with force_locale("en"):
            english = format_decimal(12345.5)

    assert english == "12,345.5"
    assert norwegian.replace("\xa0", " ") == "12 345,5"
