"""Telling whether two businesses are in the same municipality, however their owners wrote it.

Owners write a municipality as "Pargas", "pargas ", "Pargas stad" or, in Finnish, "Parainen";
pairing compares place.key() of each, not the text. The key is the name case-folded, its letters
plain (Nordic and Sámi letters folded, and "ae", "oe", "aa" as owners type "æ", "ø", "å":
"Tromsø", "Tromso" and "Tromsoe" are one), its spaces and punctuation closed up, without a word
that only says what kind of place it is ("kommune", "kommun", "kunta", "kaupunki", "stad",
"suohkan", "municipality"), with a genitive before such a word read as the name ("Københavns
Kommune", "Paraisten kaupunki"), and without a last "s" (every name loses it, so "Stockholms
stad" meets "Stockholm"). A municipality known by several names (Swedish and Finnish, Sámi and
Kven) has one key (method/data/places.yaml, which also lists the Finnish genitives of the names
it has). What is stored and shown stays as the owner wrote it.
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

# Words that say what kind of place a name is, in the languages owners write, before or after it.
_KIND = frozenset(
    {
        "kommune", "kommunes", "kommun", "kommuns", "kunta", "kaupunki", "stad", "stads", "by",
        "bys", "herred", "municipality", "town", "city", "of", "i", "av", "suohkan", "gielda",
        "tjielte", "kommuuni",
    }
)  # fmt: skip
# After these the name is in the Finnish genitive: "Inarin kunta", "Paraisten kaupunki".
_FINNISH_KIND = frozenset({"kunta", "kaupunki"})
_WORD = re.compile(r"\w+")
_SAMI = str.maketrans({"ŋ": "n", "đ": "d", "ŧ": "t", "ʒ": "z", "ǯ": "z", "ǥ": "g", "ǩ": "k"})
_TYPED = (("ae", "a"), ("oe", "o"), ("aa", "a"))  # "Baerum", "Tromsoe", "Aas"


def _letters(text: str) -> str:
    folded = fold(unicodedata.normalize("NFKC", text).casefold().translate(_SAMI))
    for typed, letter in _TYPED:
        folded = folded.replace(typed, letter)
    return folded


def _forms(name: str) -> tuple[str, ...]:
    """name's plain forms, the likeliest first: as written, then (after "kunta" or "kaupunki")
    its Finnish genitive taken back to the nominative ("inarin" → "inari", "-sten" → "-nen")."""
    words = _WORD.findall(_letters(name))
    if not words:
        return ("",)
    named = [w for w in words if w not in _KIND] or words[:1]  # "Stad kommune": Stad is the name
    plain = "".join(named)
    forms = [plain]
    if _FINNISH_KIND.intersection(words) and plain.endswith("n"):
        forms.append(plain[:-4] + "nen" if plain.endswith("sten") else plain[:-1])
    return tuple(f[:-1] if len(f) > 3 and f.endswith("s") else f for f in forms)


@cache
def _same_place() -> dict[str, str]:
    """Each listed name's plain form → the plain form of its municipality's first name."""
    data = parsed.load(DATA.read_text(encoding="utf-8"), yaml.SafeLoader, DATA.name)
    names: dict[str, str] = {}
    for group in data["same_place"]:
        first = _forms(group[0])[0]
        for name in group:
            names.setdefault(_forms(name)[0], first)
    return names


@lru_cache(maxsize=4096)  # a region has few municipalities and many businesses
def key(name: str | None) -> str:
    """The municipality name as pairing compares it ("" for none)."""
    if not name or not name.strip():
        return ""
    forms = _forms(name)
    known = _same_place()
    for form in forms:
        if form in known:
            return known[form]
    return forms[-1]
