"""The demo's method report speaks the chosen language: no English or Norwegian interface text."""

import re
from html import unescape

import pytest

from app import catalogues
from tests.conftest import login

pytestmark = pytest.mark.db

# Short or shared words (names, codes, loan words) that say nothing about the language.
NEUTRAL = {"Kraftverk", "OK", "Status", "Workshop", "Workshops", "PDF", "JSON", "Excel", "Total"}


def _interface_texts(lang: str) -> set[str]:
    """The texts of a catalogue (msgstr, or msgid for en) long enough to tell a language by."""
    if lang == "en":
        found = set(catalogues.source_messages())
    else:
        found = {text for _msgid, text in catalogues.catalogue_texts(lang)}
    return {
        t
        for t in found
        if "%" not in t and len(t.split()) >= 2 and t not in NEUTRAL and "<" not in t
    }


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+ lang=\"[a-z]{2}\"[^>]*>.*?</", " ", html)  # marked project content
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def demo_client(app, runner, client):
    result = runner.invoke(args=["demo"])
    password = re.search(r"Demo login: \S+ (\S+)", result.output).group(1)
    login(client, "leader@demo.example", password)
    return client


@pytest.mark.parametrize("lang", ["nb", "sv", "da", "fi"])
def test_the_demo_report_has_no_interface_text_of_another_language(demo_client, lang):
    page = demo_client.get(f"/projects/demo/report?lang={lang}")
    text = _visible_text(page.get_data(as_text=True).split("<article", 1)[-1])
    own = _interface_texts(lang)
    others = {"en"} | ({"nb"} if lang != "nb" else set())
    foreign = {t for other in others for t in _interface_texts(other)} - own

    assert page.status_code == 200
    assert "Method report".upper() not in text.upper() or lang == "en"
    left = sorted(t for t in foreign if t in text)
    assert left == [], f"{lang} report shows: {left}"
