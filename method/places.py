"""Telling whether two businesses are in the same municipality, however their owners wrote it.

Owners write a municipality as "Pargas", "pargas ", "Pargas stad" or, in Finnish, "Parainen";
pairing compares place.key() of each, not the text. The key is the name case-folded, Nordic
letters folded to plain ones ("Tromsø", "Tromso"), its spaces and punctuation closed up, without
a word that only says what kind of place it is ("kommune", "kommun", "kunta", "kaupunki",
"stad", "municipality"), and one name for a municipality known by several
(method/data/places.yaml). What is stored and shown stays as the owner wrote it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import yaml

from method import parsed
from method.taxonomy import fold

DATA = Path(__file__).parent / "data" / "places.yaml"

# Words that say what kind of place a name is, in the six languages, before or after it.
_KIND = re.compile(
    r"\b(?:kommune|kommunes|kommun|kommuns|kunta|kaupunki|stad|stads|by|bys|herred|"
    r"municipality|town|city|of|i|av)\b"
)
# After a Finnish kind word the name is in the genitive: "Inarin kunta", "Paraisten kaupunki".
_FINNISH_KIND = re.compile(r"\b(?:kunta|kaupunki)\b")
_NOT_NAME = re.compile(r"[\W_]+")


def _fold(text: str) -> str:
    """text case-folded, Nordic letters as plain ones (owners type "Tromso", "Baerum")."""
    return fold(unicodedata.normalize("NFKC", text).casefold())


def _plain(name: str) -> str:
    """name as compared: case-folded, without kind words, spaces and punctuation, a Finnish
    genitive back in the nominative, and without a last "s" (so that a genitive before a kind
    word, "Københavns kommune", "Stockholms stad", meets the bare name; every name loses it)."""
    folded = _fold(name)
    plain = _NOT_NAME.sub("", _KIND.sub(" ", folded)) or _NOT_NAME.sub("", folded)
    if _FINNISH_KIND.search(folded) and plain.endswith("n"):
        plain = plain[:-4] + "nen" if plain.endswith("sten") else plain[:-1]
    return plain[:-1] if len(plain) > 3 and plain.endswith("s") else plain


@cache
def _same_place() -> dict[str, str]:
    """Each known name's plain form → the plain form of its municipality's first name."""
    data = parsed.load(DATA.read_text(encoding="utf-8"), yaml.SafeLoader, DATA.name)
    names: dict[str, str] = {}
    for group in data["same_place"]:
        first = _plain(group[0])
        for name in group:
            names.setdefault(_plain(name), first)
    return names


@lru_cache(maxsize=4096)  # a region has few municipalities and many businesses
def key(name: str | None) -> str:
    """The municipality name as pairing compares it ("" for none)."""
    if not name or not name.strip():
        return ""
    plain = _plain(name)
    return _same_place().get(plain, plain)
