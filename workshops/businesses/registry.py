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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from method import taxonomy
from workshops.businesses.models import SIZE_BANDS, STAGES, Business, TagMapping
from workshops.projects.models import Project

MAX_FILE_BYTES = 10 * 1024 * 1024
COLUMNS = ("name", "sector", "offers", "needs", "municipality", "description", "email", "website")
COLUMNS += ("size", "stage")
# Headers of the optional size and stage columns as written in the other four languages.
HEADER_ALIASES = {
    "size_band": "size",
    "employees": "size",
    "størrelse": "size",  # nb, da
    "ansatte": "size",
    "antall ansatte": "size",
    "antal ansatte": "size",
    "storlek": "size",  # sv
    "anställda": "size",
    "antal anställda": "size",
    "koko": "size",  # fi
    "henkilöstö": "size",
    "henkilöstömäärä": "size",
    "fase": "stage",  # nb, da
    "stadium": "stage",
    "fas": "stage",  # sv
    "skede": "stage",
    "vaihe": "stage",  # fi
}
# Headers of the other columns as owners and form tools write them in nb, nn, sv, da, fi and en.
# A place column (village, island, post town) is not read as the municipality: pairing counts two
# municipalities as apart, which two villages of one municipality are not.
_HEADER_WORDS = {
    "name": (
        "navn", "namn", "nimi", "bedrift", "bedriftsnavn", "bedriftsnamn", "verksemd", "firma",
        "firmanavn", "företag", "företagsnamn", "företagets namn", "virksomhed",
        "virksomhedsnavn", "virksomhedens navn", "yritys", "yrityksen nimi", "yritysnimi",
        "business name", "company", "company name",
    ),
    "sector": (
        "bransje", "næring", "næringskode", "bransch", "branche",
        "toimiala", "sektor", "industry", "nace", "nace code", "sni", "tol",
    ),
    "offers": (
        "offer", "offering", "we offer", "what we offer", "tilbyr", "vi tilbyr", "tilbod",
        "tilbud", "erbjuder", "vi erbjuder", "erbjudande", "tilbyder",
        "vi tilbyder", "tarjoaa", "tarjoamme", "tarjonta", "mitä tarjoamme",
    ),
    "needs": (
        "need", "we need", "what we need", "behov", "trenger", "vi trenger", "treng",
        "vi treng", "behöver", "vi behöver", "har brug for", "vi har brug for",
        "tarvitsee", "tarvitsemme", "tarpeet", "mitä tarvitsemme",
    ),
    "municipality": ("kommune", "kommun", "kunta", "kommunenavn", "kommunnamn"),
    "description": (
        "beskrivelse", "beskriving", "skildring", "beskrivning", "kuvaus", "om oss",
        "om os", "meistä", "about", "about us",
    ),
    "email": ("e-mail", "e-post", "epost", "mail", "sähköposti"),
    "website": (
        "web", "www", "url", "nettside", "nettstad", "heimeside", "hjemmeside", "nettsted",
        "webbplats", "hemsida", "webbsida", "kotisivu", "kotisivut", "verkkosivu",
        "verkkosivut", "web site",
    ),
}  # fmt: skip
HEADER_ALIASES |= {word: column for column, words in _HEADER_WORDS.items() for word in words}
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
        return _("The file cannot be read as CSV or XLSX.")


@dataclass(frozen=True)
class Problem:
    """An error (nothing is imported) or a warning (the row is imported) about a row and column.

    Row counts data rows from 1; row 0 is the header or the file as a whole.
    """

    row: int
    column: str
    code: str
    detail: str = ""

    def message(self) -> str:
        """The problem in the user's language."""
        messages = {
            "no_name_column": lambda: _("There is no name column."),
            "empty_name": lambda: _("The name is empty."),
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
            "code_without_group": lambda: _(
                "The code %(code)s is in no sector group of the method, kept as written.",
                code=self.detail,
            ),
            "sector_from_name": lambda: _(
                "No sector the method knows: '%(what)s' is assumed from the name; correct it "
                "if that is wrong.",
                what=_label(self.detail),
            ),
            "unknown_word": lambda: _(
                "'%(word)s' matches no tag, kept as written for the leader to map.",
                word=self.detail,
            ),
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

    def line(self) -> str:
        """The problem as `row N, column C: message`."""
        return f"row {self.row}, column {self.column}: {self.message()}"


def _label(what: str) -> str:
    """What "group:KEY" or "tag:KEY" names, in the user's language (a NACE code as it is)."""
    lang = str(get_locale() or "en")
    kind, _colon, key = what.partition(":")
    if kind == "tag":
        return taxonomy.tag_label(key, lang)
    if kind == "group":
        return taxonomy.group_label(key, lang)
    return what


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
    """One data row of a business file: its number and the cells of the known columns."""

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


@dataclass
class PlannedRow:
    """What importing one row will do."""

    row: int
    name: str
    action: str  # "create" or "update"
    reading: Reading | None


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
        else:
            problems.append(("sector", "unknown_sector", sector))
    offered = taxonomy.map_words(offers or "", extra)
    needed = taxonomy.map_words(needs or "", extra)
    problems += [("offers", "unknown_word", w) for w in offered.free]
    problems += [("needs", "unknown_word", w) for w in needed.free]
    offer_tags = tuple(
        dict.fromkeys(
            [t for t in offer_tags if taxonomy.is_tag(t)] + _offered_in_words(offered.tags, match)
        )
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
        # Needs without offers: the sector says what the business is, so what it offers.
        defaults = taxonomy.default_profile(group or "", match.nace_code)
        offer_tags = tuple(t for t in defaults[0] if t not in need_tags)
    if group == "enablers" and "sales_outlet" in offer_tags:
        # An agency's webshop is one it builds for others, not a shop: digital skills.
        offer_tags = tuple(
            dict.fromkeys(t if t != "sales_outlet" else "digital_skills" for t in offer_tags)
        )
    stored_sector = code or (group if recognised else None) or sector
    return Reading(
        sector=stored_sector,
        nace_code=code,
        sector_group=group,
        offers=tuple(offer_tags),
        needs=tuple(need_tags),
        offers_free=offered.free,
        needs_free=needed.free,
        assumed=assumed,
        problems=tuple(problems),
    )


# Customers an offer is for ("julebord", "teambuilding for firma", "skuleklassar", "120 gäster")
# are whom a business serves, not customers it brings others. Only a seller of trips (groups and
# visitors), an event (its audience) or a school or kindergarten (its children, a group for a
# farm or a museum) offers them in its words.
_CUSTOMER_FLOW = frozenset({"visitors", "group_customers"})


def _offered_in_words(tags: Sequence[str], match: taxonomy.SectorMatch | None) -> list[str]:
    """The offer tags read from a business's own words, customers it only serves left out."""
    group, code = (match.group, match.nace_code or "") if match else (None, "")
    if group == "travel_trade":
        brought = _CUSTOMER_FLOW
    elif group == "performing_arts_events":
        brought = frozenset({"visitors"})
    elif code.startswith("85"):
        brought = frozenset({"group_customers"})
    else:
        brought = frozenset()
    return [t for t in tags if t not in _CUSTOMER_FLOW or t in brought]


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
    """A business's offers or needs tags, none when they are only assumed from its sector."""
    return [] if business.assumed else list(getattr(business, side) or [])


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
            tags = [] if business.assumed else list(getattr(business, side) or [])
            if tag not in tags:
                tags.append(tag)
            if business.assumed:  # its own word now says something: drop the assumption
                business.offers, business.needs, business.assumed = [], [], False
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


def _csv_grid(text: str) -> list[list[str]]:
    lines = text.splitlines()
    header = next((line for line in lines if line.strip()), "")
    delimiter = max((",", ";", "\t"), key=lambda d: _count_outside_quotes(header, d))
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
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


def _xlsx_grid(data: bytes) -> list[list[str]]:
    try:
        # Formulas are read as the text they are, never computed.
        from openpyxl import load_workbook  # imported where used: the app starts without it

        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        sheet = book.worksheets[0]
        grid = [
            ["" if v is None else _cell_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        book.close()
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise FileError("unreadable", str(error)) from error
    return grid


def _cell_text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(grid: list[list[str]], warnings: list[Problem]) -> Table:
    start = next((k for k, row in enumerate(grid) if any(str(c).strip() for c in row)), None)
    if start is None:
        raise FileError("empty")
    header = [str(c).strip().lstrip("\ufeff").casefold() for c in grid[start]]
    positions: dict[str, int] = {}
    for k, name in enumerate(header):
        # A form tool's export may mark a required field ("Name *") or end a label with ":".
        name = " ".join(name.rstrip(" :*").split())
        name = HEADER_ALIASES.get(name, name)
        if name in COLUMNS and name not in positions:
            positions[name] = k
        elif name:
            warnings.append(Problem(0, grid[start][k].strip(), "unknown_column"))
    rows = []
    for number, cells in enumerate(grid[start + 1 :], start=1):
        if not any(str(c).strip() for c in cells):
            continue  # blank rows are skipped (and still counted, so numbers match the file)
        rows.append(
            Row(
                number,
                {
                    col: str(cells[k]).strip() if k < len(cells) else ""
                    for col, k in positions.items()
                },
            )
        )
    return Table(tuple(c for c in COLUMNS if c in positions), rows, warnings)


def plan_import(project: Project, table: Table) -> Plan:
    """Check every row and work out what importing it would do; nothing is changed."""
    errors: list[Problem] = []
    warnings = list(table.warnings)
    if "name" not in table.columns:
        errors.append(Problem(0, "name", "no_name_column"))
        return Plan([], errors, warnings, table.columns, table)
    extra = mappings(project)
    existing = {b.name.strip().casefold() for b in project.businesses}
    first_row: dict[str, int] = {}
    planned = []
    for row in table.rows:
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
        reading = None
        if {"sector", "offers", "needs"} & set(table.columns):
            reading = read_profile(
                row.cells.get("sector", ""),
                row.cells.get("offers", ""),
                row.cells.get("needs", ""),
                extra,
                name=name,
            )
            warnings += [Problem(row.number, c, code, d) for c, code, d in reading.problems]
        for column, read in (("size", read_size), ("stage", read_stage)):
            if column in table.columns and read(row.cells.get(column, "")) is None:
                warnings.append(Problem(row.number, column, f"unknown_{column}", row.cells[column]))
        action = "update" if key in existing else "create"
        planned.append(PlannedRow(row.number, name, action, reading))
    return Plan(planned, errors, warnings, table.columns, table)


def _cut(text: str, limit: int) -> str:
    """Cut text to at most limit characters, at the last separator of a list when there is one."""
    head = text[:limit]
    at = max(head.rfind(sep) for sep in (",", ";", "\n"))
    return head[:at].rstrip() if at > limit // 2 else head


def apply_import(project: Project, plan: Plan) -> tuple[int, int]:
    """Apply a plan without errors: create new businesses, update existing ones by name.

    Only the columns the file has are written; the caller commits (or rolls back).
    """
    if plan.errors:
        raise ValueError("a plan with errors is never applied")
    by_row = {row.number: row for row in plan.table.rows}
    extra = mappings(project)
    for planned in plan.rows:
        cells = by_row[planned.row].cells
        business = find_by_name(project, planned.name)
        if business is None:
            business = Business(project=project, name=planned.name)
            db.session.add(business)
        for column in ("municipality", "description", "email", "website"):
            if column in plan.columns:
                setattr(business, column, cells.get(column, ""))
        # An unknown size or stage leaves the business's own as it was (a warning in the plan).
        if "size" in plan.columns and (size := read_size(cells.get("size", ""))) is not None:
            business.size_band = size
        if "stage" in plan.columns and (stage := read_stage(cells.get("stage", ""))) is not None:
            business.stage = stage
        if {"sector", "offers", "needs"} & set(plan.columns):
            sector = cells["sector"] if "sector" in plan.columns else sector_words(business, "en")
            keep_own = not business.assumed
            offers = (
                cells["offers"]
                if "offers" in plan.columns
                else _own_words(business, "offers", keep_own)
            )
            needs = (
                cells["needs"]
                if "needs" in plan.columns
                else _own_words(business, "needs", keep_own)
            )
            apply_reading(business, read_profile(sector, offers, needs, extra, name=business.name))
    db.session.flush()
    return plan.created, plan.updated


def _own_words(business: Business, side: str, keep: bool) -> str:
    """A business's stored offers or needs as words (tag keys read back as themselves)."""
    if not keep:
        return "; ".join(getattr(business, f"{side}_free") or [])
    return "; ".join(
        list(getattr(business, side) or []) + list(getattr(business, f"{side}_free") or [])
    )


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
