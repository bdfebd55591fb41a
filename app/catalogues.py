"""The interface texts of the source tree and the catalogues that translate them.

``source_messages()`` extracts every text marked for translation, as ``babel.cfg`` maps the
packages' Python files and templates, straight from the source tree (no ``.pot`` file is trusted).
``catalogue_problems()`` lists, per language, what is missing, untranslated or broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ("nb", "sv", "da", "fi", "en")
TRANSLATED = ("nb", "sv", "da", "fi")  # en reads its msgids
KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
}
# msgids that may read the same in a language as in English (names, codes, loan words).
SAME_AS_ENGLISH = frozenset(
    {"Kraftverk", "OK", "E-mail", "Workshop", "Workshops", "Status", "Catering", "Wi-Fi", "PDF"}
)
# ... and in one language only, where its word happens to be spelt as the English one.
SAME_IN = {
    "nb": frozenset({"1 person"}),
    "sv": frozenset({"Organisation", "Period", "1 person"}),
    "da": frozenset({"1 person"}),
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@dataclass(frozen=True)
class SourceMessage:
    """One text marked in the source: its msgid, plural msgid if any, and where it stands."""

    id: str
    plural: str | None
    places: tuple[str, ...]


def source_messages(root: Path = ROOT) -> dict[str, SourceMessage]:
    """Every text marked for translation in the source tree, by msgid (extracted now)."""
    return dict(_extracted(root))


@cache
def _extracted(root: Path) -> dict[str, SourceMessage]:
    """Extract once per process: the source does not change while it runs."""
    with open(root / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, tuple[str | None, list[str]]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(root), method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        singular, plural = (
            (message[0], message[1]) if isinstance(message, tuple) else (message, None)
        )
        if not singular:
            continue
        known_plural, places = found.setdefault(singular, (plural, []))
        if plural and not known_plural:
            found[singular] = (plural, places)
        places.append(f"{filename}:{lineno}")
    return {
        msgid: SourceMessage(msgid, plural, tuple(places))
        for msgid, (plural, places) in found.items()
    }


def load_catalogue(lang: str, translations: Path = TRANSLATIONS) -> Catalog:
    """The catalogue of one language, read from its .po file."""
    with open(translations / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _strings(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def catalogue_problems(
    lang: str, messages: dict[str, SourceMessage], catalogue: Catalog | None = None
) -> list[str]:
    """What is wrong with one language's catalogue against the texts of the source tree."""
    catalogue = catalogue if catalogue is not None else load_catalogue(lang)
    problems = []
    if catalogue.fuzzy:
        problems.append("the catalogue header is marked fuzzy: compiling would skip it")
    for msgid, source in sorted(messages.items()):
        entry = catalogue.get(msgid)
        where = source.places[0]
        if entry is None:
            problems.append(f"missing: {msgid!r} ({where})")
            continue
        strings = _strings(entry.string)
        if entry.fuzzy or not strings or not all(strings):
            problems.append(f"untranslated: {msgid!r} ({where})")
            continue
        if source.plural and not entry.pluralizable:
            problems.append(f"no plural forms: {msgid!r} ({where})")
            continue
        if strings[0] == msgid and msgid not in SAME_AS_ENGLISH | SAME_IN.get(lang, frozenset()):
            problems.append(f"same as English: {msgid!r} ({where})")
            continue
        allowed = set(_PLACEHOLDER.findall(msgid)) | set(_PLACEHOLDER.findall(source.plural or ""))
        for text in strings:
            unknown = set(_PLACEHOLDER.findall(text)) - allowed
            if unknown:
                problems.append(f"unknown placeholder {sorted(unknown)} in {lang}: {msgid!r}")
        if not source.plural and set(_PLACEHOLDER.findall(strings[0])) != allowed:
            problems.append(f"placeholders differ in {lang}: {msgid!r}")
    return problems


# -- the method data's texts -------------------------------------------------------------------

METHOD_DATA = ROOT / "method" / "data"
# Lists of search words, not texts: the taxonomy's synonyms are matched, never shown as a sentence.
_NOT_TEXTS = frozenset({"synonyms"})


@dataclass(frozen=True)
class DataText:
    """One text of the method data in one language, and where it stands."""

    file: str  # relative to method/data, e.g. "programme/W1.yaml"
    path: tuple[str, ...]  # keys down to the text's language mapping; list items by their key
    lang: str
    text: str

    @property
    def place(self) -> str:
        """A stable name for the text: "programme/W1.yaml#steps/W1.2/purpose"."""
        return f"{self.file}#{'/'.join(self.path)}"


def load_yaml(stream: object) -> object:
    """Read YAML with the safe loader, the C one when PyYAML has it."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # both are safe loaders
    return yaml.load(stream, Loader=loader)  # noqa: S506  # nosec B506


def data_files(folder: Path = METHOD_DATA) -> list[Path]:
    """The method data files that hold translated texts."""
    return sorted(folder.rglob("*.yaml"))


def data_texts(lang: str, folder: Path = METHOD_DATA) -> list[DataText]:
    """Every text of the method data in one language, in file order."""
    found: list[DataText] = []

    def walk(node: object, path: tuple[str, ...], file: str) -> None:
        if isinstance(node, dict):
            if isinstance(node.get(lang), str) and "en" in node:
                found.append(DataText(file, path, lang, node[lang]))
            for key, value in node.items():
                if key not in _NOT_TEXTS and key not in LANGUAGES:
                    walk(value, (*path, str(key)), file)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                name = item.get("key") if isinstance(item, dict) else None
                walk(item, (*path, str(name if name is not None else index)), file)

    for path in data_files(folder):
        with open(path, encoding="utf-8") as handle:
            walk(load_yaml(handle), (), path.relative_to(folder).as_posix())
    return found


def catalogue_texts(lang: str, catalogue: Catalog | None = None) -> list[tuple[str, str]]:
    """(msgid, translation) for every translated text of a catalogue, each plural form apart."""
    catalogue = catalogue if catalogue is not None else load_catalogue(lang)
    found = []
    for message in catalogue:
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        found.extend((msgid, text) for text in _strings(message.string) if text)
    return found
