"""Texts the team translated stay `unchecked` until a native speaker has read them.

The flag is our own, not PO's `fuzzy` (which compiling drops):

- In the catalogues, a translation of a language the team translated (``TEAM_TRANSLATED``) is
  unchecked until a reviewer has read it. What was read is kept in
  ``app/translations/<lang>/reviewed.json`` (msgid -> the translation as read), so a translation
  changed later is unchecked again, and a new one is unchecked from the start.
- In the method data, a file's ``unchecked: [sv, da, fi]`` list names the languages whose texts in
  that file await a reader.

``export_review`` writes a language's unchecked texts with their English source as PO or XLSX.
``import_review`` writes the reviewed file back into the catalogue and the method data files and
clears the flag: the read translations are recorded as reviewed, and a data file's language
leaves its ``unchecked`` list when the imported file marks every text of that language in that
data file as read (a partly read data file keeps its flag; its read texts are still written).
A PO entry still marked fuzzy, or an XLSX row without a mark in "Checked", counts as not read.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from app import catalogues

TEAM_TRANSLATED = ("sv", "da", "fi")  # the team's translations; nb and en are the sources
CATALOGUE = "catalogue"  # the place of every catalogue text in a review file
FORMATS = ("po", "xlsx")
HEADERS = ("Place", "English", "English plural", "Translation", "Translation plural", "Checked")
_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


class ReviewError(ValueError):
    """A review file that cannot be read or written back."""


@dataclass(frozen=True)
class ReviewItem:
    """One text to review: where it stands, its English source and its translation."""

    place: str  # CATALOGUE, or a method data place such as "programme/W1.yaml#steps/W1.2/title"
    english: str
    translation: tuple[str, ...]  # one text, or the plural forms
    english_plural: str | None = None
    checked: bool = False


@dataclass
class ImportResult:
    """What an import changed."""

    lang: str
    reviewed: int = 0
    changed: int = 0
    cleared_files: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# -- where the flags live ------------------------------------------------------------------------


def reviewed_path(lang: str, translations: Path = catalogues.TRANSLATIONS) -> Path:
    """The file that records which catalogue translations of `lang` a reviewer has read."""
    return translations / lang / "reviewed.json"


def load_reviewed(lang: str, translations: Path = catalogues.TRANSLATIONS) -> dict[str, object]:
    """msgid -> the translation as it was read (a string, or a list of plural forms)."""
    path = reviewed_path(lang, translations)
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def _save_reviewed(lang: str, reviewed: dict[str, object], translations: Path) -> None:
    path = reviewed_path(lang, translations)
    text = json.dumps(dict(sorted(reviewed.items())), ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def _as_stored(forms: tuple[str, ...]) -> object:
    return forms[0] if len(forms) == 1 else list(forms)


def unchecked_files(lang: str, folder: Path = catalogues.METHOD_DATA) -> list[Path]:
    """The method data files whose `unchecked` list names `lang`."""
    found = []
    for path in catalogues.data_files(folder):
        with open(path, encoding="utf-8") as handle:
            data = catalogues.load_yaml(handle)
        if isinstance(data, dict) and lang in (data.get("unchecked") or []):
            found.append(path)
    return found


def unchecked_items(
    lang: str,
    *,
    translations: Path = catalogues.TRANSLATIONS,
    folder: Path = catalogues.METHOD_DATA,
) -> list[ReviewItem]:
    """Every unchecked text of a language, catalogue first, then the method data in file order."""
    items: list[ReviewItem] = []
    if lang in TEAM_TRANSLATED:
        catalogue = catalogues.load_catalogue(lang, translations)
        reviewed = load_reviewed(lang, translations)
        used = catalogues.source_messages()  # texts the source no longer uses need no reader
        for message in catalogue:
            if (
                not message.id
                or (message.id[0] if message.pluralizable else message.id) not in used
            ):
                continue
            forms = tuple(message.string) if message.pluralizable else (message.string,)
            if not all(forms):
                continue  # untranslated: the catalogue test reports it, nothing to read yet
            singular = message.id[0] if message.pluralizable else message.id
            if reviewed.get(singular) == _as_stored(forms):
                continue
            plural = message.id[1] if message.pluralizable else None
            items.append(ReviewItem(CATALOGUE, singular, forms, plural))
    flagged = {p.relative_to(folder).as_posix() for p in unchecked_files(lang, folder)}
    english = {t.place: t.text for t in catalogues.data_texts("en", folder)}
    for text in catalogues.data_texts(lang, folder):
        if text.file in flagged:
            items.append(ReviewItem(text.place, english.get(text.place, ""), (text.text,)))
    return items


# -- export --------------------------------------------------------------------------------------


def export_review(lang: str, fmt: str, target: Path, **where: Path) -> int:
    """Write the unchecked texts of `lang` with their English source to `target`; return how many."""
    if fmt not in FORMATS:
        raise ReviewError(f"unknown format {fmt!r}: choose po or xlsx")
    items = unchecked_items(lang, **where)
    if fmt == "po":
        _write_po(lang, items, target)
    else:
        _write_xlsx(lang, items, target)
    return len(items)


def _write_po(lang: str, items: list[ReviewItem], target: Path) -> None:
    review = Catalog(locale=lang, project="Kraftverk review", fuzzy=False)
    for item in items:
        msgid = (item.english, item.english_plural) if item.english_plural else item.english
        string = item.translation if item.english_plural else item.translation[0]
        # Fuzzy ("needs work" in a PO editor) until the reviewer has read it.
        review.add(msgid, string, context=item.place, flags=("fuzzy",))
    with open(target, "wb") as handle:
        write_po(handle, review, width=100, include_previous=False)


def _write_xlsx(lang: str, items: list[ReviewItem], target: Path) -> None:
    from openpyxl import Workbook  # imported where used: the app starts without it
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = f"review-{lang}"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item in items:
        plural = item.translation[1] if len(item.translation) > 1 else ""
        row = (
            item.place,
            item.english,
            item.english_plural or "",
            item.translation[0],
            plural,
            "",
        )
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text, never a formula
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for column, width in zip("ABCDEF", (34, 60, 30, 60, 30, 9), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    book.save(target)


# -- import --------------------------------------------------------------------------------------


def read_review(source: Path) -> tuple[str, list[ReviewItem]]:
    """The language and the items of a review file (PO or XLSX)."""
    if source.suffix.lower() == ".xlsx":
        return _read_xlsx(source)
    return _read_po(source)


def _read_po(source: Path) -> tuple[str, list[ReviewItem]]:
    with open(source, "rb") as handle:
        try:
            review = read_po(handle)
        except Exception as error:  # babel raises several kinds for a broken file
            raise ReviewError(f"{source.name} is not a PO file: {error}") from error
    if review.locale is None:
        raise ReviewError(f"{source.name} names no language")
    lang = str(review.locale)
    items = []
    for message in review:
        if not message.id or not message.context:
            continue
        if message.pluralizable:
            english, plural = message.id[0], message.id[1]
            forms = tuple(message.string)
        else:
            english, plural, forms = message.id, None, (message.string,)
        items.append(ReviewItem(message.context, english, forms, plural, not message.fuzzy))
    return lang, items


def _read_xlsx(source: Path) -> tuple[str, list[ReviewItem]]:
    from openpyxl import load_workbook  # imported where used: the app starts without it

    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several kinds for a broken file
        raise ReviewError(f"{source.name} is not an XLSX file: {error}") from error
    sheet = book.worksheets[0]
    if not sheet.title.startswith("review-"):
        raise ReviewError(f"{source.name}: the first sheet is not a review sheet")
    lang = sheet.title.removeprefix("review-")
    rows = sheet.iter_rows(values_only=True)
    if tuple(next(rows, ()))[: len(HEADERS)] != HEADERS:
        raise ReviewError(f"{source.name}: the columns are not {', '.join(HEADERS)}")
    items = []
    for row in rows:
        place, english, plural, text, text_plural, checked = (
            "" if value is None else str(value) for value in (*row, *[None] * 6)[:6]
        )
        if not place:
            continue
        forms = (text, text_plural) if plural else (text,)
        items.append(ReviewItem(place, english, forms, plural or None, bool(checked.strip())))
    book.close()
    return lang, items


def import_review(
    source: Path,
    *,
    translations: Path = catalogues.TRANSLATIONS,
    folder: Path = catalogues.METHOD_DATA,
) -> ImportResult:
    """Write a reviewed file back into the catalogue and the method data; clear the flags."""
    lang, items = read_review(source)
    if lang not in catalogues.TRANSLATED:
        raise ReviewError(f"{source.name}: unknown language {lang!r}")
    result = ImportResult(lang)
    read = [item for item in items if item.checked]
    _import_catalogue(lang, [i for i in read if i.place == CATALOGUE], translations, result)
    _import_data(lang, [i for i in read if i.place != CATALOGUE], folder, result)
    return result


def _placeholders_fit(english: str, plural: str | None, forms: tuple[str, ...]) -> bool:
    allowed = set(_PLACEHOLDER.findall(english)) | set(_PLACEHOLDER.findall(plural or ""))
    return all(set(_PLACEHOLDER.findall(form)) <= allowed for form in forms)


def _import_catalogue(
    lang: str, items: list[ReviewItem], translations: Path, result: ImportResult
) -> None:
    if not items:
        return
    path = translations / lang / "LC_MESSAGES" / "messages.po"
    catalogue = catalogues.load_catalogue(lang, translations)
    reviewed = load_reviewed(lang, translations)
    text = path.read_text(encoding="utf-8")
    for item in items:
        message = catalogue.get(item.english)
        if message is None:
            result.problems.append(f"not in the {lang} catalogue: {item.english!r}")
            continue
        current = tuple(message.string) if message.pluralizable else (message.string,)
        forms = item.translation
        if len(forms) != len(current) or not all(forms):
            result.problems.append(f"empty or wrong number of forms: {item.english!r}")
            continue
        if not _placeholders_fit(item.english, item.english_plural, forms):
            result.problems.append(f"unknown placeholder in the translation: {item.english!r}")
            continue
        if forms != current:
            text = _replace_po_string(text, item.english, forms)
            result.changed += 1
        reviewed[item.english] = _as_stored(forms)
        result.reviewed += 1
    path.write_text(text, encoding="utf-8")
    _save_reviewed(lang, reviewed, translations)


def _po_quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return '"' + escaped.replace("\t", "\\t") + '"'


def _po_unquote(pieces: list[str]) -> str:
    joined = "".join(piece.strip()[1:-1] for piece in pieces)
    replacements = {"\\\\": "\\", '\\"': '"', "\\n": "\n", "\\t": "\t"}
    return re.sub(r'\\[\\"nt]', lambda m: replacements[m.group(0)], joined)


def _replace_po_string(text: str, msgid: str, forms: tuple[str, ...]) -> str:
    """Replace the msgstr lines of one entry, leaving every other line of the file as it was."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("msgid "):
            pieces = [lines[i][len("msgid ") :]]
            i += 1
            while i < len(lines) and lines[i].startswith('"'):
                pieces.append(lines[i])
                i += 1
            if _po_unquote(pieces) != msgid:
                continue
            while i < len(lines) and lines[i].startswith(("msgid_plural ", '"')):
                i += 1
            end = i
            while end < len(lines) and lines[end].startswith(("msgstr", '"')):
                end += 1
            if len(forms) == 1:
                new = [f"msgstr {_po_quote(forms[0])}"]
            else:
                new = [f"msgstr[{n}] {_po_quote(form)}" for n, form in enumerate(forms)]
            lines[i:end] = new
            return "\n".join(lines)
        i += 1
    raise ReviewError(f"msgid not found in the catalogue file: {msgid!r}")


def _import_data(lang: str, items: list[ReviewItem], folder: Path, result: ImportResult) -> None:
    by_file: dict[str, list[ReviewItem]] = defaultdict(list)
    for item in items:
        file, _sep, _path = item.place.partition("#")
        by_file[file].append(item)
    texts = catalogues.data_texts(lang, folder)
    for file, file_items in by_file.items():
        path = folder / file
        if (
            not path.is_file()
            or path.suffix != ".yaml"
            or folder.resolve() not in path.resolve().parents
        ):
            result.problems.append(f"no such method data file: {file}")
            continue
        source = path.read_text(encoding="utf-8")
        edits = [
            (item.place, (*item.place.partition("#")[2].split("/"), lang), item.translation[0])
            for item in file_items
        ]
        source, changed, problems = _replace_yaml_texts(source, edits)
        result.problems.extend(problems)
        read_places = {place for place, _keys, _new in edits} - {p.split(": ")[0] for p in problems}
        result.changed += changed
        result.reviewed += len(read_places)
        every = {t.place for t in texts if t.file == file}
        if every and every <= read_places:
            source, cleared = _clear_unchecked(source, lang)
            if cleared:
                result.cleared_files.append(file)
        path.write_text(source, encoding="utf-8")


def _child(node: yaml.Node, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            if key_node.value == key:
                return value
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            name = _child(item, "key") if isinstance(item, yaml.MappingNode) else None
            if (name.value if name is not None else str(index)) == key:
                return item
    return None


def _replace_yaml_texts(
    source: str, edits: list[tuple[str, tuple[str, ...], str]]
) -> tuple[str, int, list[str]]:
    """Put each new text at its keys in the YAML text, keeping every other byte.

    Returns the new text, how many texts changed and the problems ("place: why").
    """
    root = yaml.compose(source)  # the pure-Python composer: its marks count characters
    replacements: list[tuple[int, int, str]] = []
    problems: list[str] = []
    wanted: list[tuple[tuple[str, ...], str]] = []
    for place, keys, new in edits:
        node: yaml.Node | None = root
        for key in keys:
            node = _child(node, key) if node is not None else None
        if not new.strip():
            problems.append(f"{place}: empty translation")
        elif not isinstance(node, yaml.ScalarNode):
            problems.append(f"{place}: no text at this place")
        elif node.value.strip() != new.strip():
            replacements.append((*_scalar_span(source, node), _scalar(source, node, new.strip())))
            wanted.append((keys, new.strip()))
    for start, end, text in sorted(replacements, reverse=True):
        source = source[:start] + text + source[end:]
    check = catalogues.load_yaml(source)
    for keys, new in wanted:
        value: object = check
        for key in keys:
            value = _loaded_child(value, key)
        if value != new:
            raise ReviewError(f"the text at {'/'.join(keys)} could not be written back")
    return source, len(replacements), problems


def _scalar_span(source: str, node: yaml.ScalarNode) -> tuple[int, int]:
    start, end = node.start_mark.index, node.end_mark.index
    if node.style in (">", "|"):  # keep the line breaks that end the block
        end = start + len(source[start:end].rstrip("\n"))
    return start, end


def _scalar(source: str, node: yaml.ScalarNode, new: str) -> str:
    """The new text in the old one's style: a folded block stays a folded block."""
    if node.style not in (">", "|"):
        return json.dumps(new, ensure_ascii=False)  # JSON strings are YAML double-quoted ones
    line_start = source.rfind("\n", 0, node.start_mark.index) + 1
    line = source[line_start : node.start_mark.index]
    indent = " " * (len(line) - len(line.lstrip()) + 2)
    body = textwrap.wrap(new, width=100 - len(indent)) or [""]
    return ">-\n" + "\n".join(indent + text for text in body)


def _loaded_child(value: object, key: str) -> object:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list):
        for index, item in enumerate(value):
            name = item.get("key") if isinstance(item, dict) else None
            if str(name if name is not None else index) == key:
                return item
    return None


_UNCHECKED_LINE = re.compile(r"^unchecked:\s*\[([^\]]*)\]", re.M)


def _clear_unchecked(source: str, lang: str) -> tuple[str, bool]:
    match = _UNCHECKED_LINE.search(source)
    if match is None:
        return source, False
    langs = [code.strip() for code in match.group(1).split(",") if code.strip()]
    if lang not in langs:
        return source, False
    langs.remove(lang)
    line = f"unchecked: [{', '.join(langs)}]"
    return source[: match.start()] + line + source[match.end() :], True
