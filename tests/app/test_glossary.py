"""The glossary holds: no catalogue or method data text uses a word the glossary avoids."""

import re
from pathlib import Path

import pytest

from app import catalogues

GLOSSARY = Path(__file__).resolve().parents[2] / "docs" / "glossary.md"
SECTION = re.compile(r"^## (nb|sv|da|fi|en): ", re.M)
EXCEPTION = re.compile(r"^- `([^`]+)` in `(?:msgid \"(.+?)\"|([^`]+))`", re.M)


def _pattern(entry: str) -> re.Pattern[str]:
    """One avoided entry as a regex: whole words, `*` for any ending, any spacing between words."""
    words = []
    for word in entry.split():
        stem = re.escape(word.rstrip("*"))
        words.append(stem + (r"\w*" if word.endswith("*") else ""))
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.I)


def glossary() -> dict[str, tuple[list[tuple[str, re.Pattern[str]]], set[tuple[str, str]]]]:
    """Per language: the avoided entries and the (entry, place) exceptions."""
    text = GLOSSARY.read_text(encoding="utf-8")
    parts = SECTION.split(text)[1:]
    found = {}
    for lang, body in zip(parts[::2], parts[1::2], strict=True):
        avoided = []
        for line in body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) == 3 and line.startswith("|") and cells[0] not in ("Term", "---"):
                for entry in cells[2].split(","):
                    entry = entry.strip()
                    if entry and entry != "—":
                        avoided.append((entry, _pattern(entry)))
        exceptions = set()
        for names, msgid, place in EXCEPTION.findall(body):
            for name in names.split(","):
                exceptions.add((name.strip(), f"msgid {msgid}" if msgid else place))
        found[lang] = (avoided, exceptions)
    return found


GLOSSARY_DATA = glossary()


def test_glossary_covers_every_key_term_in_every_language():
    text = GLOSSARY.read_text(encoding="utf-8")
    terms = [
        "business",
        "idea",
        "connection",
        "ecosystem",
        "evaluation",
        "offer",
        "need",
        "project",
        "process",
        "workshop",
    ] + ["process leader", "step", "wall"]

    assert set(GLOSSARY_DATA) == set(catalogues.LANGUAGES)
    for body in SECTION.split(text)[2::2]:
        rows = {line.split("|")[1].strip() for line in body.splitlines() if line.startswith("| ")}
        assert set(terms) <= rows


def test_an_avoided_word_is_found_unless_it_is_an_exception():
    avoided, exceptions = GLOSSARY_DATA["nb"]
    patterns = dict(avoided)

    assert patterns["virksomhet*"].search("Virksomhetene møtes")
    assert not patterns["virksomhet*"].search("bedriftene møtes")
    assert patterns["ide"].search("en god ide.") and not patterns["ide"].search("en idé")
    assert ("virksomhet*", "evaluation_forms.yaml#forms/A/questions/org_type/text") in exceptions
    assert _pattern("prosessin vetäjä*").search("Prosessin  vetäjälle")


def _uses(lang: str) -> list[str]:
    avoided, exceptions = GLOSSARY_DATA[lang]
    texts = [(f"msgid {msgid}", text) for msgid, text in catalogues.catalogue_texts(lang)]
    texts += [(t.place, t.text) for t in catalogues.data_texts(lang)]
    found = []
    for place, text in texts:
        for entry, pattern in avoided:
            hit = pattern.search(text)
            if hit and (entry, place) not in exceptions:
                found.append(f"{entry!r} ({hit.group(0)}) in {place}")
    return found


@pytest.mark.parametrize("lang", catalogues.LANGUAGES)
def test_no_text_uses_a_word_the_glossary_avoids(lang):
    found = _uses(lang)

    assert found == [], f"{len(found)} in {lang}: " + "; ".join(found[:20])


@pytest.mark.parametrize("lang", catalogues.LANGUAGES)
def test_every_exception_names_a_place_that_uses_the_word(lang):
    avoided, exceptions = GLOSSARY_DATA[lang]
    patterns = dict(avoided)
    texts = {f"msgid {msgid}": text for msgid, text in catalogues.catalogue_texts(lang)}
    texts |= {t.place: t.text for t in catalogues.data_texts(lang)}

    for entry, place in exceptions:
        assert entry in patterns, f"{entry} is not avoided in {lang}"
        assert place in texts, f"no text at {place} in {lang}"
        assert patterns[entry].search(texts[place]), f"{place} does not use {entry} in {lang}"
