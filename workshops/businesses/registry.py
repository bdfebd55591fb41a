"""Businesses of a project: their profiles, read from words, and the all-or-nothing import.

A profile is read the same way wherever it comes from (a form, a phone, a CSV or XLSX file): the
sector as a NACE code or a sector word, offers and needs as free words mapped to the taxonomy's
tags (with the project's own mappings first); words that map to nothing are kept as written for
the leader to map. A business that gives only a sector gets that sector's defaults, marked assumed.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from method import taxonomy
from workshops.businesses.models import SIZE_BANDS, STAGES, Business, TagMapping
from workshops.http import first_control
from workshops.projects.models import Project

MAX_FILE_BYTES = 10 * 1024 * 1024
# Every preview reads and plans the whole file again (about 0.2 ms a row), so a file holds at most
# this many businesses, and only the columns up to its header's last one are read, at most
# MAX_COLUMNS: a spreadsheet pads each row to its widest one (16384 columns in XLSX).
MAX_ROWS = 10_000
MAX_COLUMNS = 100
_SHEET_ROWS = 1_048_576  # the rows a spreadsheet can have, blank ones included
COLUMNS = ("name", "sector", "offers", "needs", "municipality", "description", "email", "website")
COLUMNS += ("size", "stage")
# The headers that name each column, by language, as owners and form tools write them (nn words
# under nb). The app's own labels for the columns (`own_labels`) are read as well, in every
# language, whatever these lists say. Case, spaces and a trailing "*" or ":" do not matter, and
# any language is read whatever the page's; the import page lists them. A place column (village,
# island, post town) is not read as the municipality: pairing counts two municipalities as apart,
# which two villages of one municipality are not.
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "name": {
        "nb": ("Navn", "Bedrift", "Bedriftsnavn", "Firma", "Firmanavn", "Namn", "Bedriftsnamn",
               "Verksemd"),
        "sv": ("Namn", "Företag", "Företagsnamn", "Företagets namn", "Firma"),
        "da": ("Navn", "Virksomhed", "Virksomhedsnavn", "Virksomhedens navn", "Firma",
               "Firmanavn"),
        "fi": ("Nimi", "Yritys", "Yrityksen nimi", "Yritysnimi"),
        "en": ("Name", "Business name", "Company", "Company name"),
    },
    "sector": {
        "nb": ("Bransje", "Næring", "Næringskode", "Sektor", "NACE"),
        "sv": ("Bransch", "Sektor", "SNI", "NACE"),
        "da": ("Branche", "Sektor", "NACE"),
        "fi": ("Toimiala", "TOL", "NACE"),
        "en": ("Sector", "Industry", "NACE", "NACE code"),
    },
    "offers": {
        "nb": ("Tilbud", "Tilbyr", "Vi tilbyr", "Tilbod"),
        "sv": ("Erbjudande", "Erbjuder", "Vi erbjuder"),
        "da": ("Tilbud", "Tilbyder", "Vi tilbyder"),
        "fi": ("Tarjonta", "Tarjoaa", "Tarjoamme", "Mitä tarjoamme"),
        "en": ("Offers", "Offer", "Offering", "We offer", "What we offer"),
    },
    "needs": {
        "nb": ("Behov", "Trenger", "Vi trenger", "Treng", "Vi treng"),
        "sv": ("Behov", "Behöver", "Vi behöver"),
        "da": ("Behov", "Har brug for", "Vi har brug for"),
        "fi": ("Tarpeet", "Tarvitsee", "Tarvitsemme", "Mitä tarvitsemme"),
        "en": ("Needs", "Need", "We need", "What we need"),
    },
    "municipality": {
        "nb": ("Kommune", "Kommunenavn"),
        "sv": ("Kommun", "Kommunnamn"),
        "da": ("Kommune",),
        "fi": ("Kunta",),
        "en": ("Municipality",),
    },
    "description": {
        "nb": ("Beskrivelse", "Om oss", "Beskriving", "Skildring"),
        "sv": ("Beskrivning", "Om oss"),
        "da": ("Beskrivelse", "Om os"),
        "fi": ("Kuvaus", "Meistä"),
        "en": ("Description", "About", "About us"),
    },
    "email": {
        "nb": ("E-post", "Epost"),
        "sv": ("E-post", "Mail"),
        "da": ("E-mail", "Mail"),
        "fi": ("Sähköposti",),
        "en": ("Email", "E-mail", "Mail"),
    },
    "website": {
        "nb": ("Nettside", "Nettsted", "Hjemmeside", "Nettstad", "Heimeside"),
        "sv": ("Webbplats", "Hemsida", "Webbsida"),
        "da": ("Hjemmeside",),
        "fi": ("Kotisivut", "Kotisivu", "Verkkosivut", "Verkkosivu"),
        "en": ("Website", "Web site", "Web", "WWW", "URL"),
    },
    "size": {
        "nb": ("Størrelse", "Ansatte", "Antall ansatte"),
        "sv": ("Storlek", "Anställda", "Antal anställda"),
        "da": ("Størrelse", "Ansatte", "Antal ansatte"),
        "fi": ("Koko", "Henkilöstö", "Henkilöstömäärä"),
        "en": ("Size", "Employees"),
    },
    "stage": {
        "nb": ("Fase",),
        "sv": ("Fas", "Skede", "Stadium"),
        "da": ("Fase", "Stadium"),
        "fi": ("Vaihe",),
        "en": ("Stage",),
    },
}  # fmt: skip


def _header_key(text: str) -> str:
    """A header as it is compared: case-folded, spaces collapsed, a required mark or ":" gone."""
    return " ".join(text.strip().lstrip("\ufeff").casefold().rstrip(" :*").split())


HEADER_ALIASES = {"size_band": "size"}  # this app's own name for the size column
HEADER_ALIASES |= {
    _header_key(header): column
    for column, by_language in HEADERS.items()
    for headers in by_language.values()
    for header in headers
}
# Stage words in five languages (case-folded, accents kept) -> STAGES key.
STAGE_WORDS = {
    "idea": ("idea", "idé", "ide", "idéfase", "idefase", "idéstadium", "idéstadiet",
             "ideavaihe", "just an idea", "bare en idé", "kun en idé", "bara en idé",
             "an idea, not started yet"),
    "new": ("new", "start-up", "startup", "start up", "start_up", "ny", "nystartet",
            "nyetablert", "oppstart", "oppstartsfase", "nystartad", "nystartat",
            "uppstart", "nyetableret", "opstart", "opstartsfase", "uusi", "aloittava",
            "aloitteleva", "startup-yritys", "new (up to three years)"),
    "established": ("established", "etablert", "etablerad", "etableret", "vakiintunut",
                    "vakiintunut yritys", "mature"),
}  # fmt: skip
# Size words that name one person working alone, in five languages.
SOLE_WORDS = (
    "sole", "sole trader", "alone", "just me", "one person", "1 person", "enkeltperson",
    "enkeltpersonforetak", "enk", "alene", "bare meg", "enskild firma", "enskild näringsidkare",
    "ensam", "enmansföretag", "bara jag", "enkeltmandsvirksomhed", "kun mig", "yksinyrittäjä",
    "toiminimi", "yksin", "vain minä",
)  # fmt: skip
_RANGE = re.compile(
    r"^(\d+)\s*(?:(?:-|–|_|to|til|till|—)\s*(\d+)|(\+|or more|eller flere|eller fler|eller flera|tai enemmän))?"
)
LIMITS = {"name": 160, "sector": 80, "municipality": 120, "email": 254, "website": 500}
LIMITS |= {"description": 5000, "offers": 2000, "needs": 2000}
LIMITS |= {"size": 40, "stage": 60}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"


class FileError(Exception):
    """The file as a whole cannot be read: too large, not a table, broken."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail

    def message(self) -> str:
        """The reason in the user's language."""
        if self.code == "too_large":
            return _("The file is larger than 10 MB.")
        if self.code == "empty":
            return _("The file is empty.")
        if self.code == "too_many_rows":
            return _(
                "The file has more than %(limit)s rows of businesses: split it into smaller files.",
                limit=MAX_ROWS,
            )
        if self.code == "too_many_columns":
            return _(
                "The file has more than %(limit)s columns: delete the ones not needed.",
                limit=MAX_COLUMNS,
            )
        return _("The file cannot be read as CSV or XLSX.")


@dataclass(frozen=True)
class Problem:
    """An error (nothing is imported) or a warning (the row is imported) about a row and column.

    Row is the row a spreadsheet program shows for the file: the header is row 1 (or lower, after
    blank rows), and a cell with a line break in it stays in its row. Row 0 is the file as a
    whole or its header line. Column is the column's key (the header itself when it is unknown).
    """

    row: int
    column: str
    code: str
    detail: str = ""
    words: tuple[str, ...] = ()  # the words of an "unknown_words" warning

    def message(self) -> str:
        """The problem in the user's language."""
        messages = {
            "no_name_column": lambda: _("There is no name column."),
            "empty_name": lambda: _("The name is empty."),
            "control_character": lambda: _(
                "A control character (U+%(code)s): only tabs and line breaks are allowed; "
                "remove it and import again.",
                code=self.detail,
            ),
            "duplicate_name": lambda: _("The same name as row %(row)s.", row=self.detail),
            "too_long": lambda: _("Longer than %(limit)s characters.", limit=self.detail),
            "cut": lambda: _(
                "Longer than %(limit)s characters: only the first part is read.",
                limit=self.detail,
            ),
            "unknown_column": lambda: _("Unknown column, ignored."),
            "unknown_sector": lambda: _(
                "Unknown sector '%(word)s', kept as written.", word=self.detail
            ),
            "sector_from_words": lambda: _(
                "'%(word)s' is no sector the method knows; it is read as %(group)s from its "
                "words: correct it if that is wrong.",
                word=self.detail.partition(":")[2],
                group=_label("group:" + self.detail.partition(":")[0]),
            ),
            "code_without_group": lambda: _(
                "The code %(code)s is in no sector group of the method, kept as written.",
                code=self.detail,
            ),
            "sector_from_name": lambda: _(
                "No sector the method knows: '%(what)s' is assumed from the name; correct it "
                "if that is wrong.",
                what=_label(self.detail),
            ),
            "served_only": lambda: _(
                "'%(word)s' says whom the business serves, not what it offers: kept as written.",
                word=self.detail,
            ),
            "sector_from_offers": lambda: _(
                "No sector the method knows: '%(what)s' is assumed from the offers; correct "
                "it if that is wrong.",
                what=_label(self.detail),
            ),
            "unknown_words": self._unknown_words,
            "not_utf8": lambda: _("The file is not UTF-8; it was read as Windows-1252."),
            "unknown_size": lambda: _(
                "Unknown size '%(word)s', left as it was: give the number of people working "
                "in the business.",
                word=self.detail,
            ),
            "unknown_stage": lambda: _(
                "Unknown stage '%(word)s', left as it was: idea, new or established.",
                word=self.detail,
            ),
        }
        return messages[self.code]()

    def _unknown_words(self) -> str:
        if len(self.words) == 1:
            return _(
                "'%(word)s' matches no tag, kept as written for the leader to map.",
                word=self.words[0],
            )
        # Words never hold a comma: a comma separates them in the cell.
        return ngettext(
            "%(num)d word matches no tag, kept as written for the leader to map: %(words)s.",
            "%(num)d words match no tag, kept as written for the leader to map: %(words)s.",
            len(self.words),
            words=", ".join(self.words),
        )

    def line(self, header_row: int = 1) -> str:
        """The problem as `row N, column C: message`, rows numbered as the import page numbers
        them (a header's problem on the header's row); one about the whole file as its message."""
        if self.column == "-" or self.code == "no_name_column":
            return self.message()
        return f"row {self.row or header_row}, column {self.column}: {self.message()}"


def _lang() -> str:
    """The user's language if the taxonomy has it, else English."""
    lang = str(get_locale() or "en")
    return lang if lang in taxonomy.LANGUAGES else "en"


def _label(what: str) -> str:
    """What "group:KEY", "tag:KEY", "size:KEY" or "stage:KEY" names, in the user's language;
    "text:WORDS" as written (and a NACE code as it is)."""
    kind, _colon, key = what.partition(":")
    if kind == "tag":
        return taxonomy.tag_label(key, _lang())
    if kind == "group":
        return taxonomy.group_label(key, _lang())
    if kind in ("size", "stage"):
        from workshops.businesses.forms import SIZE_LABELS, STAGE_LABELS  # forms imports us

        return str((SIZE_LABELS if kind == "size" else STAGE_LABELS).get(key, key))
    if kind == "text":
        return key
    return what


def column_label(column: str) -> str:
    """A column's field name in the user's language, as the business form names it."""
    labels = {
        "name": _("Name"),
        "sector": _("Sector"),
        "offers": _("Offers"),
        "needs": _("Needs"),
        "municipality": _("Municipality"),
        "description": _("Description"),
        "email": _("E-mail"),
        "website": _("Website"),
        "size": _("People working in the business"),
        "stage": _("Stage"),
    }
    return labels.get(column, column)


def own_labels() -> dict[str, tuple[str, ...]]:
    """The labels the app itself gives each column in the user's language: its field name (the
    import page, the preview), the business form's, and the headers of the export's businesses
    sheet, whose own-words columns are read into offers and needs."""
    labels = {column: (column_label(column),) for column in COLUMNS}
    labels["offers"] += (_("Offers, own words"), _("Other offers, in their own words"))
    labels["needs"] += (_("Needs, own words"), _("Other needs, in their own words"))
    labels["size"] += (_("People working in the business (optional)"),)
    labels["stage"] += (_("Stage (optional)"),)
    return labels


def _labels_by_language() -> dict[str, dict[str, tuple[str, ...]]]:
    """`own_labels` in each language, read from the catalogues at each call: a changed
    translation is read as a header at once."""
    found = {}
    for lang in taxonomy.LANGUAGES:
        with force_locale(lang):
            found[lang] = own_labels()
    return found


def header_aliases() -> dict[str, str]:
    """Every header a business file may name a column with, as `_header_key` compares it."""
    aliases = dict(HEADER_ALIASES)
    for labels in _labels_by_language().values():
        for column, names in labels.items():
            for name in names:
                aliases.setdefault(_header_key(name), column)  # a HEADERS word keeps its column
    return aliases


@dataclass(frozen=True)
class ColumnHeaders:
    """A column as the import page explains it: its field name and the headers that name it."""

    column: str
    label: str
    headers: Mapping[str, tuple[str, ...]]  # by language


def column_headers() -> list[ColumnHeaders]:
    """Every column of a business file with its headers in each language, for the import page."""
    labels = _labels_by_language()
    return [
        ColumnHeaders(
            c,
            column_label(c),
            {
                lang: _once((labels[lang][c][0], *HEADERS[c][lang]))  # the field name first
                for lang in taxonomy.LANGUAGES
            },
        )
        for c in COLUMNS
    ]


def _once(headers: Sequence[str]) -> tuple[str, ...]:
    """Headers without the ones `_header_key` reads as one before them."""
    seen: dict[str, str] = {}
    for header in headers:
        seen.setdefault(_header_key(header), header)
    return tuple(seen.values())


@dataclass(frozen=True)
class Reading:
    """A profile as read from words: sector, tags, free words, and whether tags are assumed."""

    sector: str
    nace_code: str | None
    sector_group: str | None
    offers: tuple[str, ...]
    needs: tuple[str, ...]
    offers_free: tuple[str, ...]
    needs_free: tuple[str, ...]
    assumed: bool
    problems: tuple[tuple[str, str, str], ...] = ()  # (column, code, detail) warnings


@dataclass
class Row:
    """One data row of a business file: its number (as Problem counts) and its known cells."""

    number: int
    cells: dict[str, str]

    @property
    def name(self) -> str:
        return self.cells.get("name", "").strip()


@dataclass
class Table:
    """A business file as read: the known columns present, the rows, and file-level warnings."""

    columns: tuple[str, ...]
    rows: list[Row]
    warnings: list[Problem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # column -> its header as written
    header_row: int = 1  # the header's row as a spreadsheet numbers it


@dataclass(frozen=True)
class Change:
    """A stored value an update replaces: values as `_label` words them, before and after."""

    column: str
    before: tuple[str, ...]
    after: tuple[str, ...]

    def shown(self, which: str, limit: int = 120) -> str:
        """The value before or after, in the user's language on one line, cut when long."""
        values = self.before if which == "before" else self.after
        text = " ".join(", ".join(_label(v) for v in values).split())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class PlannedRow:
    """What importing one row will do.

    `reading` is the profile the business will have (for an update whose file gives no sector,
    offers or needs, the stored one); it is written only when `profile_from_file`. An update
    lists the stored values it replaces (`changes`) and the columns whose empty cell keeps a
    stored value (`kept`).
    """

    row: int
    name: str
    action: str  # "create" or "update"
    reading: Reading | None
    profile_from_file: bool = False
    changes: list[Change] = field(default_factory=list)
    kept: tuple[str, ...] = ()


@dataclass
class Plan:
    """An import worked out but not applied: every row, its errors and its warnings."""

    rows: list[PlannedRow]
    errors: list[Problem]
    warnings: list[Problem]
    columns: tuple[str, ...]
    table: Table

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.action == "create")

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.action == "update")

    def header(self, column: str) -> str:
        """A column as the file names it: its header as written, else its field name."""
        return self.table.headers.get(column) or column_label(column)

    def line(self, problem: Problem) -> str:
        """A problem as the command prints it, rows numbered as this page numbers them."""
        return problem.line(self.table.header_row)

    def where(self, problem: Problem) -> str:
        """Where a problem is, in the user's language and the file's own headers; "" when it
        is about the whole file."""
        if problem.column == "-" or problem.code == "no_name_column":
            return ""
        if problem.row == 0:
            return _("Column '%(column)s':", column=self.header(problem.column))
        return _(
            "Row %(row)s, column '%(column)s':",
            row=problem.row,
            column=self.header(problem.column),
        )


# --- reading words ------------------------------------------------------------------------------


def mappings(project: Project) -> dict[str, str]:
    """The project's own word -> tag mappings."""
    rows = db.session.execute(
        select(TagMapping.word, TagMapping.tag).where(TagMapping.project_id == project.id)
    )
    return {word: tag for word, tag in rows if taxonomy.is_tag(tag)}


def normalise_word(text: str) -> str:
    """A word or phrase in the form mappings are stored in."""
    return " ".join(taxonomy.normalise(text).split())


def read_profile(
    sector: str,
    offers: str,
    needs: str,
    extra: Mapping[str, str] | None = None,
    offer_tags: Sequence[str] = (),
    need_tags: Sequence[str] = (),
    name: str = "",
) -> Reading:
    """Read a sector and offers and needs as written (plus tags chosen from a list).

    With no tag at all, the sector's defaults are assumed. When the sector says nothing the
    method knows either, the business's name is read as a sector word ("Hansens Bakeri",
    "Paja Kuutamo"): its defaults are assumed, with a warning; the sector stays as written.
    """
    sector = (sector or "").strip()
    problems: list[tuple[str, str, str]] = []
    match = taxonomy.sector_group_for(sector) if sector else None
    code = match.nace_code if match and taxonomy.parse_nace(sector) else None
    recognised = bool(match and match.recognised)
    if sector and match and not match.recognised:
        if taxonomy.parse_nace(sector):
            problems.append(("sector", "code_without_group", sector))
        elif match.group:  # read through its words ("hyttudlejning"): say as what
            problems.append(("sector", "sector_from_words", f"{match.group}:{sector}"))
        else:
            problems.append(("sector", "unknown_sector", sector))
    offered = taxonomy.map_words(offers or "", extra)
    needed = taxonomy.map_words(needs or "", extra)
    problems += [("offers", "unknown_word", w) for w in offered.free]
    problems += [("needs", "unknown_word", w) for w in needed.free]
    from_offers, served_by = False, match
    if offers.strip() and not (match and (match.recognised or match.group)):
        # No sector the method knows: what the business offers says what it is ("Barnehage",
        # "hytteutleie og frokost"), before its name does; the sector stays as written.
        by_offers = taxonomy.sector_group_for(offers, codes=False)
        if by_offers.group or by_offers.recognised:
            match, from_offers = by_offers, True
            # A travel agency or a festival read from its offers brings its customers as one
            # named in the sector column does; a class alone ("Barnehage") gets its defaults.
            served_by = by_offers if by_offers.group else served_by
    # Customers it only serves are no offer of a business ("julebord" at a hotel).
    own = offered.without(_served_only(served_by))
    offer_tags = tuple(
        dict.fromkeys([t for t in offer_tags if taxonomy.is_tag(t)] + list(own.tags))
    )
    # A business may need what it also offers: a gallery needs art, a festival beds for artists.
    need_tags = tuple(
        dict.fromkeys([t for t in need_tags if taxonomy.is_tag(t)] + list(needed.tags))
    )
    if not offer_tags and not need_tags and not (match and (match.recognised or match.tags)):
        by_name = taxonomy.sector_group_for(name, codes=False) if name.strip() else None
        if by_name and (by_name.recognised or by_name.tags):
            match = by_name
            if by_name.group:
                what = f"group:{by_name.group}"
            else:
                what = by_name.nace_code or f"tag:{by_name.tags[0]}"
            problems.append(("name", "sector_from_name", what))
    group = match.group if match else None
    assumed = False
    if not offer_tags and not need_tags and match and not match.recognised and match.tags:
        # An unknown sector word falls back to the tags its words map to ("trubadur"), with
        # the needs of the group those tags point to.
        offer_tags = match.tags
        need_tags = (
            tuple(t for t in taxonomy.default_profile(group)[1] if t not in offer_tags)
            if group
            else ()
        )
        assumed = True
    elif not offer_tags and not need_tags and match and (group or match.nace_code):
        # A class's refinement holds even where no group lists the class (a kindergarten).
        offer_tags, need_tags = taxonomy.default_profile(group or "", match.nace_code)
        assumed = bool(offer_tags or need_tags)
    elif not offer_tags and match and match.recognised and (group or match.nace_code):
        # Needs without offers: the sector says what the business is, so what it offers; the
        # offers are assumed, the needs its own (`own_tags` tells them apart).
        defaults = taxonomy.default_profile(group or "", match.nace_code)
        offer_tags = tuple(t for t in defaults[0] if t not in need_tags)
        assumed = bool(offer_tags)
    if from_offers and assumed:
        # Only when the offers gave no tag of their own ("Barnehage"): the profile is then the
        # sector's, as for a name. A group read from offers that have tags changes none of them.
        what = f"group:{group}" if group else match.nace_code or ""
        problems.append(("offers", "sector_from_offers", what))
    if group == "enablers" and "sales_outlet" in offer_tags:
        # An agency's webshop is one it builds for others, not a shop: digital skills.
        offer_tags = tuple(
            dict.fromkeys(t if t != "sales_outlet" else "digital_skills" for t in offer_tags)
        )
    # A phrase that said only such customers, and that nothing read afterwards took up (a
    # kindergarten's own profile does), stays as written, with a warning: no word is lost.
    said = dict(offered.read)
    lost = tuple(
        p for p in own.free if p not in offered.free and not set(said[p]) & set(offer_tags)
    )
    problems += [("offers", "served_only", w) for w in lost]
    stored_sector = code or (group if recognised else None) or sector
    return Reading(
        sector=stored_sector,
        nace_code=code,
        sector_group=group,
        offers=tuple(offer_tags),
        needs=tuple(need_tags),
        offers_free=offered.free + lost,
        needs_free=needed.free,
        assumed=assumed,
        problems=tuple(problems),
    )


# Customers an offer is for ("julebord", "teambuilding for firma", "skuleklassar", "120 gäster")
# are whom a business serves, not customers it brings others. Only a seller of trips (groups and
# visitors), an event (its audience) or a school or kindergarten (its children, a group for a
# farm or a museum) offers them in its words.
_CUSTOMER_FLOW = frozenset({"visitors", "group_customers"})


def _served_only(match: taxonomy.SectorMatch | None) -> frozenset[str]:
    """The customer tags a business of this sector only serves, so never offers in its words."""
    group, code = (match.group, match.nace_code or "") if match else (None, "")
    if group == "travel_trade":
        return frozenset()
    if group == "performing_arts_events":
        return _CUSTOMER_FLOW - {"visitors"}
    if code.startswith("85"):
        return _CUSTOMER_FLOW - {"group_customers"}
    return _CUSTOMER_FLOW


def _band(people: int) -> str:
    """The SIZE_BANDS band of a number of people."""
    for limit, band in ((1, "1"), (4, "2-4"), (9, "5-9"), (49, "10-49")):
        if people <= limit:
            return band
    return "50+"


def read_size(text: str) -> str | None:
    """A size as written ("3", "2–4", "50+", "sole", "enkeltperson") as a SIZE_BANDS key; ""
    when empty; None when it cannot be read (a range across two bands, such as 2–9, included)."""
    word = " ".join((text or "").casefold().split())
    if not word:
        return ""
    if word in SIZE_BANDS:
        return word
    if word in SOLE_WORDS:
        return "1"
    match = _RANGE.match(word)
    if match is None:
        return None
    low = int(match.group(1))
    if low < 1:
        return None
    if match.group(3):
        return "50+" if low >= 50 else None
    high = int(match.group(2)) if match.group(2) else low
    return _band(low) if high >= low and _band(low) == _band(high) else None


def read_stage(text: str) -> str | None:
    """A stage as written in five languages as a STAGES key; "" when empty; None when unknown."""
    word = " ".join((text or "").casefold().split()).strip(" .")
    if not word:
        return ""
    for key, words in STAGE_WORDS.items():
        if word == key or word in words:
            return key
    return None


def apply_reading(business: Business, reading: Reading) -> None:
    """Store a reading on a business."""
    business.sector = reading.sector[: LIMITS["sector"]]
    business.nace_code = reading.nace_code
    business.sector_group = reading.sector_group
    business.offers = list(reading.offers)
    business.needs = list(reading.needs)
    business.offers_free = list(reading.offers_free)
    business.needs_free = list(reading.needs_free)
    business.assumed = reading.assumed


def own_tags(business: Business, side: str) -> list[str]:
    """A business's offers or needs tags, none when they are only assumed from its sector.

    One flag marks a profile assumed. Offers are then always the sector's; needs are the
    business's own when it wrote some (read_profile assumes its offers only), told by their not
    being needs its sector alone gives.
    """
    tags = list(getattr(business, side) or [])
    if not business.assumed or not tags:
        return tags
    if side == "offers":
        return []
    return [] if tuple(tags) in _sector_needs(business) else tags


def _sector_needs(business: Business) -> set[tuple[str, ...]]:
    """The needs read_profile may assume for a business's stored sector: its own reading, and
    its group's defaults and those of each class of the group (the word that chose a class, such
    as "bakeri", is not stored), also without the offers that were assumed with them."""
    found = {read_profile(_stored_sector(business), "", "", name=business.name).needs}
    group = next((g for g in taxonomy.groups() if g.key == business.sector_group), None)
    for code in (None, *group.nace) if group else ():
        needs = taxonomy.default_profile(group.key, code)[1]
        found |= {needs, tuple(t for t in needs if t not in (business.offers or ()))}
    return found


def _stored_sector(business: Business) -> str:
    """A business's sector as read_profile reads it back the same: its code or group key."""
    return business.nace_code or business.sector or ""


def free_words(business: Business, side: str) -> str:
    """A business's offers or needs that matched no tag, as written."""
    return "; ".join(getattr(business, f"{side}_free") or [])


def sector_words(business: Business, lang: str) -> str:
    """A business's sector as a person would write it again."""
    if business.nace_code:
        return business.nace_code
    if business.sector_group and business.sector == business.sector_group:
        return taxonomy.group_label(business.sector_group, lang)
    return business.sector or ""


# --- one business ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BusinessData:
    """A business as a form gives it: words for sector, offers and needs."""

    name: str
    sector: str = ""
    offers: str = ""
    needs: str = ""
    municipality: str = ""
    description: str = ""
    email: str = ""
    website: str = ""
    contact_consent: bool = False
    report_consent: bool = False
    size_band: str = ""  # one of SIZE_BANDS, or "" when not given
    stage: str = ""  # one of STAGES, or ""
    offer_tags: tuple[str, ...] = ()
    need_tags: tuple[str, ...] = ()


def find_by_name(project: Project, name: str) -> Business | None:
    """The project's business of this name (trimmed, case-insensitive), if any."""
    key = name.strip().casefold()
    for business in project.businesses:
        if business.name.strip().casefold() == key:
            return business
    return None


def save(project: Project, data: BusinessData, business: Business | None = None) -> Business:
    """Create a business or change one from form data (the caller commits)."""
    if business is None:
        business = Business(project=project, name=data.name.strip())
        db.session.add(business)
    business.name = data.name.strip()
    business.municipality = data.municipality.strip()
    business.description = data.description.strip()
    business.email = data.email.strip()
    business.website = data.website.strip()
    business.contact_consent = data.contact_consent
    business.report_consent = data.report_consent
    business.size_band = data.size_band if data.size_band in SIZE_BANDS else ""
    business.stage = data.stage if data.stage in STAGES else ""
    reading = read_profile(
        data.sector,
        data.offers,
        data.needs,
        mappings(project),
        data.offer_tags,
        data.need_tags,
        name=business.name,
    )
    apply_reading(business, reading)
    return business


# --- unmapped words -------------------------------------------------------------------------


@dataclass(frozen=True)
class Unmapped:
    """A word no tag matched, and the businesses that wrote it."""

    word: str
    businesses: tuple[str, ...]


def unmapped_words(project: Project) -> list[Unmapped]:
    """Every free word of the project's offers and needs, with who wrote it, by word."""
    found: dict[str, tuple[str, set[str]]] = {}
    for business in project.businesses:
        for word in list(business.offers_free or []) + list(business.needs_free or []):
            key = normalise_word(word)
            if key:
                found.setdefault(key, (word, set()))[1].add(business.name)
    return [
        Unmapped(word, tuple(sorted(names)))
        for _key, (word, names) in sorted(found.items(), key=lambda item: item[0])
    ]


def map_word(project: Project, word: str, tag: str) -> int:
    """Remember that a word means a tag in this project; re-read who wrote it. Return how many."""
    if not taxonomy.is_tag(tag):
        raise ValueError(f"{tag!r} is not a tag")
    key = normalise_word(word)
    mapping = db.session.scalar(
        select(TagMapping).where(TagMapping.project_id == project.id, TagMapping.word == key)
    )
    if mapping is None:
        mapping = TagMapping(project_id=project.id, word=key, tag=tag)
        db.session.add(mapping)
    mapping.tag = tag
    changed = 0
    for business in project.businesses:
        for side in ("offers", "needs"):
            free = list(getattr(business, f"{side}_free") or [])
            kept = [w for w in free if normalise_word(w) != key]
            if len(kept) == len(free):
                continue
            tags = own_tags(business, side)
            if tag not in tags:
                tags.append(tag)
            if business.assumed:  # its own word now says something: read the profile again
                chosen = {
                    "offers": own_tags(business, "offers"),
                    "needs": own_tags(business, "needs"),
                }
                chosen[side] = tags
                reading = read_profile(
                    _stored_sector(business),
                    "",
                    "",
                    offer_tags=chosen["offers"],
                    need_tags=chosen["needs"],
                    name=business.name,
                )
                business.offers, business.needs = list(reading.offers), list(reading.needs)
                business.assumed = reading.assumed
            else:
                setattr(business, side, tags)
            setattr(business, f"{side}_free", kept)
            changed += 1
    return changed


# --- files ------------------------------------------------------------------------------------


def read_table(data: bytes, filename: str = "") -> Table:
    """Read a business file (CSV in UTF-8, UTF-16 or cp1252, or XLSX) into rows of known columns.

    Raises FileError when the file as a whole cannot be read.
    """
    if len(data) > MAX_FILE_BYTES:
        raise FileError("too_large")
    if not data.strip():
        raise FileError("empty")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith((".xlsx", ".xlsm")):
        grid = _xlsx_grid(data)
        warnings: list[Problem] = []
    else:
        text, warnings = _decode(data)
        grid = _csv_grid(text)
    return _table(grid, warnings)


def _decode(data: bytes) -> tuple[str, list[Problem]]:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16"), []
        except UnicodeDecodeError as error:
            raise FileError("unreadable", str(error)) from error
    if b"\x00" in data:
        raise FileError("unreadable", "binary")
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), [Problem(0, "-", "not_utf8")]
    except UnicodeDecodeError as error:
        raise FileError("unreadable", str(error)) from error


def _csv_grid(text: str) -> list[Sequence[str]]:
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=lambda d: _count_outside_quotes(header, d))
    try:
        return _bounded(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise FileError("unreadable", str(error)) from error


def _count_outside_quotes(line: str, delimiter: str) -> int:
    count, quoted = 0, False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif char == delimiter and not quoted:
            count += 1
    return count


def _xlsx_grid(data: bytes) -> list[Sequence[str]]:
    errors = (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError)
    try:
        # Formulas are read as the text they are, never computed.
        from openpyxl import load_workbook  # imported where used: the app starts without it

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except errors as error:
        raise FileError("unreadable", str(error)) from error
    try:
        # openpyxl pads each row to max_col (else to the sheet's widest row), so a cell far to
        # the right costs nothing; the one column more shows a header too wide.
        rows = _business_sheet(book.worksheets).iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        return _bounded(["" if v is None else _cell_text(v) for v in row] for row in rows)
    except errors as error:
        raise FileError("unreadable", str(error)) from error
    finally:
        book.close()


def _business_sheet(sheets: Sequence):
    """The export's businesses sheet, whatever language named it, else the first sheet."""
    titles = set()
    for lang in taxonomy.LANGUAGES:
        with force_locale(lang):
            titles.add(_header_key(_("Businesses")))
    return next((s for s in sheets if _header_key(s.title) in titles), sheets[0])


def _bounded(rows: Iterable[Sequence[str]]) -> list[Sequence[str]]:
    """The rows of a file, each only as wide as its header; a blank row as ().

    Raises FileError past MAX_COLUMNS header columns or MAX_ROWS rows of businesses.
    """
    grid: list[Sequence[str]] = []
    width = filled = 0
    for row in rows:
        if len(grid) >= _SHEET_ROWS:  # millions of blank lines are work too
            raise FileError("too_many_rows")
        if not any(str(c).strip() for c in row):
            grid.append(())
            continue
        if not width:  # the header: the first row with something in it
            width = max(k for k, c in enumerate(row) if str(c).strip()) + 1
            if width > MAX_COLUMNS:
                raise FileError("too_many_columns")
        else:
            filled += 1
            if filled > MAX_ROWS:
                raise FileError("too_many_rows")
        grid.append(list(row[:width]))
    return grid


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# The columns whose every cell is read, joined: the export writes offers and needs as tags and
# again in the business's own words.
_LISTS = ("offers", "needs")


def _table(grid: Sequence[Sequence[str]], warnings: list[Problem]) -> Table:
    start = next((k for k, row in enumerate(grid) if any(str(c).strip() for c in row)), None)
    if start is None:
        raise FileError("empty")
    aliases = header_aliases()
    positions: dict[str, list[int]] = {}
    headers: dict[str, str] = {}
    for k, cell in enumerate(grid[start]):
        written = str(cell).strip().lstrip("\ufeff").strip()
        name = _header_key(written)
        name = aliases.get(name, name)
        if name in COLUMNS and (name not in positions or name in _LISTS):
            positions.setdefault(name, []).append(k)
            headers.setdefault(name, written)
        elif name:
            warnings.append(Problem(0, written, "unknown_column"))
    rows = []
    # A grid row is a spreadsheet row (a CSV record, whatever line breaks its quoted cells hold),
    # blank ones included: the number is the one the leader sees when opening the file.
    for number, cells in enumerate(grid[start + 1 :], start=start + 2):
        if not any(str(c).strip() for c in cells):
            continue
        rows.append(
            Row(
                number,
                {
                    col: "; ".join(
                        text for k in ks if k < len(cells) and (text := str(cells[k]).strip())
                    )
                    for col, ks in positions.items()
                },
            )
        )
    columns = tuple(c for c in COLUMNS if c in positions)
    return Table(columns, rows, warnings, headers, header_row=start + 1)


def plan_import(project: Project, table: Table) -> Plan:
    """Check every row and work out what importing it would do; nothing is changed.

    A row with the name of one of the project's businesses updates it: a filled cell replaces
    the stored value, an empty cell keeps it, so a file with fewer details than the registry
    loses none. The plan lists, per update, what is replaced and what is kept.
    """
    errors: list[Problem] = []
    warnings = list(table.warnings)
    if "name" not in table.columns:
        errors.append(Problem(0, "name", "no_name_column"))
        return Plan([], errors, warnings, table.columns, table)
    extra = mappings(project)
    existing = {b.name.strip().casefold(): b for b in project.businesses}
    first_row: dict[str, int] = {}
    planned = []
    for row in table.rows:
        for column, value in row.cells.items():
            # As a form or an uploaded CSV refuses it: the business could not be saved again.
            if char := first_control(value):
                errors.append(Problem(row.number, column, "control_character", f"{ord(char):04X}"))
        for column, limit in LIMITS.items():
            if len(row.cells.get(column, "")) > limit:
                if column == "name":
                    errors.append(Problem(row.number, column, "too_long", str(limit)))
                else:  # a row with a name is imported: what is too long is cut, with a warning
                    row.cells[column] = _cut(row.cells[column], limit)
                    warnings.append(Problem(row.number, column, "cut", str(limit)))
        name = row.name
        if not name:
            errors.append(Problem(row.number, "name", "empty_name"))
            continue
        key = name.casefold()
        if key in first_row:
            errors.append(Problem(row.number, "name", "duplicate_name", str(first_row[key])))
            continue
        first_row[key] = row.number
        business = existing.get(key)
        reading, from_file, problems = _row_profile(row, table.columns, business, extra)
        warnings += _word_warnings(row.number, problems)
        for column, read in (("size", read_size), ("stage", read_stage)):
            if column in table.columns and read(row.cells.get(column, "")) is None:
                warnings.append(Problem(row.number, column, f"unknown_{column}", row.cells[column]))
        if business is None:
            planned.append(PlannedRow(row.number, name, "create", reading, from_file))
            continue
        changes, kept = _changes(business, row.cells, table.columns, reading)
        planned.append(PlannedRow(row.number, name, "update", reading, from_file, changes, kept))
    return Plan(planned, errors, warnings, table.columns, table)


_PROFILE = ("sector", "offers", "needs")


def _row_profile(
    row: Row, columns: Sequence[str], business: Business | None, extra: Mapping[str, str]
) -> tuple[Reading | None, bool, tuple[tuple[str, str, str], ...]]:
    """The profile a row gives, whether it comes from the file, and the warnings on its words.

    For an update, an empty (or absent) sector, offers or needs cell is the business's stored
    one, and only the file's own words are warned about; a row with none of the three keeps the
    stored profile as it is.
    """
    present = [c for c in _PROFILE if c in columns]
    if business is None:
        # A new business is read even from a file of names only: its name may say its sector.
        cells = [row.cells.get(c, "") for c in _PROFILE]
        reading = read_profile(*cells, extra, name=row.name)
        return reading, True, reading.problems
    given = {c for c in present if row.cells.get(c)}
    if not given:
        return stored_reading(business), False, ()
    words, tags = {}, {}
    for side in ("offers", "needs"):
        if side in given:
            words[side], tags[side] = row.cells[side], ()
        else:  # what it wrote, and the tags it chose (none when they were only assumed)
            words[side] = "; ".join(getattr(business, f"{side}_free") or [])
            tags[side] = tuple(own_tags(business, side))
    reading = read_profile(
        row.cells["sector"] if "sector" in given else sector_words(business, "en"),
        words["offers"],
        words["needs"],
        extra,
        tags["offers"],
        tags["needs"],
        name=business.name,
    )
    problems = tuple(p for p in reading.problems if p[0] in given or p[0] == "name")
    return reading, True, problems


def stored_reading(business: Business) -> Reading:
    """A business's profile as it is stored."""
    return Reading(
        sector=business.sector or "",
        nace_code=business.nace_code,
        sector_group=business.sector_group,
        offers=tuple(business.offers or ()),
        needs=tuple(business.needs or ()),
        offers_free=tuple(business.offers_free or ()),
        needs_free=tuple(business.needs_free or ()),
        assumed=bool(business.assumed),
    )


def _word_warnings(row: int, problems: Sequence[tuple[str, str, str]]) -> list[Problem]:
    """A row's warnings on its words, each column's unknown words as one warning listing them."""
    warnings: list[Problem] = []
    unknown: dict[str, list[str]] = {}
    for column, code, detail in problems:
        if code != "unknown_word":
            warnings.append(Problem(row, column, code, detail))
        elif column not in unknown:
            unknown[column] = [detail]
            warnings.append(Problem(row, column, "unknown_words"))
        elif detail not in unknown[column]:
            unknown[column].append(detail)
    return [
        replace(w, words=tuple(unknown[w.column])) if w.code == "unknown_words" else w
        for w in warnings
    ]


def _changes(
    business: Business, cells: Mapping[str, str], columns: Sequence[str], reading: Reading | None
) -> tuple[list[Change], tuple[str, ...]]:
    """The stored values an update replaces, and the columns whose empty cell keeps one."""
    changes, kept = [], []
    for column in columns:
        before = () if column == "name" else _stored_values(business, column)
        if not before:  # the name matched; nothing stored is nothing lost
            continue
        if not cells.get(column):
            kept.append(column)
            continue
        after = _new_values(column, cells[column], reading)
        if after is not None and set(after) != set(before):
            changes.append(Change(column, before, after))
    return changes, tuple(kept)


def _stored_values(business: Business, column: str) -> tuple[str, ...]:
    """What a business has stored for a column, as values `_label` words; () when nothing."""
    if column in ("offers", "needs"):
        tags = tuple(f"tag:{t}" for t in own_tags(business, column))
        return tags + tuple(f"text:{w}" for w in getattr(business, f"{column}_free") or ())
    if column == "sector":
        return _sector_values(business.sector, business.nace_code, business.sector_group)
    if column == "size":
        return (f"size:{business.size_band}",) if business.size_band else ()
    if column == "stage":
        return (f"stage:{business.stage}",) if business.stage else ()
    value = getattr(business, column) or ""
    return (f"text:{value}",) if value else ()


def _new_values(column: str, cell: str, reading: Reading | None) -> tuple[str, ...] | None:
    """What a filled cell will store, as values `_label` words; None when it cannot be read."""
    if column in ("offers", "needs") and reading is not None:
        tags = tuple(f"tag:{t}" for t in getattr(reading, column))
        return tags + tuple(f"text:{w}" for w in getattr(reading, f"{column}_free"))
    if column == "sector" and reading is not None:
        return _sector_values(reading.sector, reading.nace_code, reading.sector_group)
    if column in ("size", "stage"):
        key = read_size(cell) if column == "size" else read_stage(cell)
        return (f"{column}:{key}",) if key else None
    return (f"text:{cell}",)


def _sector_values(sector: str | None, nace_code: str | None, group: str | None) -> tuple[str, ...]:
    if nace_code:
        return (f"text:{nace_code}",)
    if group and sector == group:
        return (f"group:{group}",)
    return (f"text:{sector}",) if sector else ()


def _cut(text: str, limit: int) -> str:
    """Cut text to at most limit characters, at the last separator of a list when there is one."""
    head = text[:limit]
    at = max(head.rfind(sep) for sep in (",", ";", "\n"))
    return head[:at].rstrip() if at > limit // 2 else head


def apply_import(project: Project, plan: Plan) -> tuple[int, int]:
    """Apply a plan without errors: create new businesses, update existing ones by name.

    Only the filled cells of the columns the file has are written: an empty cell keeps what a
    business has stored. The caller commits (or rolls back).
    """
    if plan.errors:
        raise ValueError("a plan with errors is never applied")
    by_row = {row.number: row for row in plan.table.rows}
    for planned in plan.rows:
        cells = by_row[planned.row].cells
        business = find_by_name(project, planned.name)
        if business is None:
            business = Business(project=project, name=planned.name)
            db.session.add(business)
        for column in ("municipality", "description", "email", "website"):
            if column in plan.columns and cells.get(column):
                setattr(business, column, cells[column])
        # An unknown size or stage leaves the business's own as it was (a warning in the plan).
        if "size" in plan.columns and (size := read_size(cells.get("size", ""))):
            business.size_band = size
        if "stage" in plan.columns and (stage := read_stage(cells.get("stage", ""))):
            business.stage = stage
        if planned.profile_from_file and planned.reading is not None:
            apply_reading(business, planned.reading)
    db.session.flush()
    return plan.created, plan.updated


def import_file(project: Project, data: bytes, filename: str = "", dry_run: bool = False) -> Plan:
    """Read and check a file, and apply it unless dry_run or any error (the caller commits)."""
    plan = plan_import(project, read_table(data, filename))
    if not plan.errors and not dry_run:
        apply_import(project, plan)
    return plan


def summary(rows: Sequence[PlannedRow]) -> str:
    """`N created, M updated` for a list of planned rows."""
    created = sum(1 for r in rows if r.action == "create")
    return f"{created} created, {len(rows) - created} updated"


def business_named(project_id: int, name: str) -> int | None:
    """The id of the project's business with this name, whatever its case; None if there is none."""
    return db.session.scalar(
        select(Business.id).where(
            Business.project_id == project_id, func.lower(Business.name) == name.lower()
        )
    )
