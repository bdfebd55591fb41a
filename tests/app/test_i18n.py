"""Languages: how one is chosen, and that every catalogue is complete."""

import re
from pathlib import Path

import pytest

from app import catalogues

pytestmark = pytest.mark.db
# A text marked for translation: _("..."), _l("..."), gettext("..."), ngettext("...", ...).
MARKED = re.compile(r"""(?<![\w.])(?:_|_l|n?gettext|lazy_gettext)\(\s*["']""")


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


@pytest.fixture(scope="module")
def source_texts():
    """Every text marked for translation, extracted from the source tree as babel.cfg maps it."""
    return catalogues.source_messages()


def test_extraction_covers_every_package_and_template_folder(source_texts):
    places = {place.split(":")[0] for m in source_texts.values() for place in m.places}
    folders = {str(Path(p).parent) for p in places}

    for folder in (
        "app/templates",
        "app/reports/templates/reports",
        "workshops/registrations/templates/registrations/mail",
        "workshops/live/templates/live",
        "evaluations/templates/evaluations",
    ):
        assert folder in folders, folder
    assert any(p.startswith("workshops/") and p.endswith(".py") for p in places)
    assert any(p.startswith("evaluations/") and p.endswith(".py") for p in places)
    assert "Method report" in source_texts
    root = catalogues.ROOT
    marked = [
        path.relative_to(root).as_posix()
        for package in ("app", "workshops", "evaluations", "method")
        for path in (root / package).rglob("*")
        if path.suffix in (".py", ".html", ".txt")
        and MARKED.search(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert marked and set(marked) <= places, sorted(set(marked) - places)
    assert source_texts["%(num)s idea was collected."].plural == "%(num)s ideas were collected."


@pytest.mark.parametrize("language", ["nb", "sv", "da", "fi"])
def test_catalogue_translates_every_text_of_the_source_tree(language, source_texts):
    problems = catalogues.catalogue_problems(language, source_texts)

    assert problems == [], f"{len(problems)} problems in {language}: {problems[:15]}"


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
