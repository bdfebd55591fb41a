"""Offer and need tags, sector groups and their affinity, read from words people actually write."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType

import yaml

from method import parsed

DATA_DIR = Path(__file__).parent / "data"
LANGUAGES = ("nb", "sv", "da", "fi", "en")
DAY_PARTS = ("stay", "eat", "do", "buy")
ROLES = ("reason_to_go", "base_service", "market_access", "enabler", "input")

# A field is split into phrases on these; each phrase is then read word by word.
_PUNCTUATION = r"[,;/\n\r\t|•·]+"
_AND = r"\s+(?:og|och|o|and|ja|samt|sekä|eller|or|tai|&|\+)\s+"  # "o": Swedish short "och"
_SPLIT = re.compile(f"{_PUNCTUATION}|{_AND}", re.I)
_TOKEN = re.compile(r"[^\W_]+(?:[-&'][^\W_]+)*|&")
# A code as registers and form exports write it: 55.10, 5510, 55.101 (SN2007, SNI, TOL),
# 551010 or 55.10.10 (Danish DB07), after a scheme's name or a NACE section letter ("NACE 55.10",
# "SNI 55101", "I 55.10") and before the code's label ("47.78 Husflid", "551010 Hoteller"; a
# label only after four digits or more, or after a scheme's name: see parse_nace).
_NACE = re.compile(
    r"^\s*(?P<scheme>(?:nace|sn|sn2007|sni|sni2007|tol|tol2008|db07|naeringskode|næringskode|"
    r"branschkod|branchekode|toimialakoodi|toimiala)(?:\s*rev\.?\s*2(?:\.1)?)?\s*:?\s*)?"
    r"(?:[a-u]\s+)?(?P<division>\d{2})(?:[.,\s]?(?P<rest>\d{1,4})(?:\.\d{1,2})?)?"
    r"(?:\s*$|(?P<label>\s*[-–:]?\s+(?=[^\W\d])\D*)$)",
    re.I,
)

# Endings stripped to find a word's base form: nb/nn/sv/da inflections, then Finnish case endings.
_ENDINGS = (
    # Scandinavian plural and definite forms
    "erne ene ane arna orna erna ende ande ingen ingar inger ingene ingane ingarna "
    "ingerne en et er ar or na ne a e s n t ers ens ets ernes "
    # Finnish case and plural endings
    "ssa ssä sta stä lla llä lta ltä lle ksi nä ta tä ja jä ia iä in iin ihin hin ineen "
    "jen ien ista istä issa issä illa illä ille ilta iltä ita itä iden tten an än ä it "
    "at ät ssaan nsa nsä"
)
_SUFFIXES = tuple(sorted(set(_ENDINGS.split()), key=len, reverse=True))
_MIN_BASE = 3  # a stripped base shorter than this is never used
_MIN_PREFIX_IN_COMPOUND = 5
_MIN_HEAD = 5
_MIN_MODIFIER = 3
_FOLD = str.maketrans(
    {
        "å": "a",
        "ä": "a",
        "ö": "o",
        "ø": "o",
        "æ": "ae",
        "ü": "u",
        "é": "e",
        "è": "e",
        "á": "a",
        "à": "a",
        "ó": "o",
        "õ": "o",
        "š": "s",
        "ž": "z",
    }
)


@dataclass(frozen=True)
class Tag:
    """One canonical offer/need tag."""

    key: str
    grp: str
    role: str
    day: str
    weight: float
    labels: Mapping[str, str]


@dataclass(frozen=True)
class SectorGroup:
    """A sector group with its NACE codes and the profile assumed when only the sector is known."""

    key: str
    labels: Mapping[str, str]
    nace: tuple[str, ...]
    offers: tuple[str, ...]
    needs: tuple[str, ...]
    day: str
    core: tuple[str, ...] = ()  # offers that make two of the group substitutes (competitors)


@dataclass(frozen=True)
class WordMapping:
    """Tags read from a field, and the phrases that matched no tag (kept as typed).

    `read` holds every phrase in the field's order with the tags it gave (none for a free one),
    so that a caller leaving some tags out never loses the phrase that gave only those.
    """

    tags: tuple[str, ...]
    free: tuple[str, ...]
    read: tuple[tuple[str, tuple[str, ...]], ...] = field(default=(), compare=False)

    def without(self, left_out: Collection[str]) -> WordMapping:
        """The mapping with the tags in `left_out` left out. A phrase that gave only those tags
        is kept as written, among the free ones: "Barnehage" or "julebord" in the offers of a
        business that only serves kindergartens or Christmas parties is no customer flow it
        brings others, but the owner's word stays for the leader to map, with a warning."""
        if not left_out:
            return self
        tags = tuple(t for t in self.tags if t not in left_out)
        read = tuple(
            (phrase, tuple(t for t in found if t not in left_out)) for phrase, found in self.read
        )
        free = [phrase for phrase, found in read if not found]
        free += [phrase for phrase in self.free if phrase not in free]  # read holds them all
        return WordMapping(tags, tuple(free), read)


@dataclass(frozen=True)
class SectorMatch:
    """How a sector as written was read: group, normalised NACE code, and whether it was known.

    An unknown sector word still says something: `tags` are the offer tags its words map to
    ("trubadur" gives live performance), and `group` the sector group those tags point to, if any.
    """

    group: str | None
    nace_code: str | None
    recognised: bool
    tags: tuple[str, ...] = ()


# --- reading words ------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Return text in a comparable form: NFC, case-folded, curly quotes straightened."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.replace("’", "'").replace("–", "-").replace("—", "-")


def fold(word: str) -> str:
    """Return word with Nordic letters folded to plain ones (å→a, ø→o, ä→a...)."""
    folded = word.translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _forms(word: str) -> tuple[str, ...]:
    """Return word, its folded form and its plausible base forms (inflection endings removed)."""
    found = [word]
    for base in (word, fold(word)):
        if base not in found:
            found.append(base)
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= _MIN_BASE + 1:
                stem = base[: -len(suffix)]
                for candidate in (stem, _undouble(stem)):
                    if len(candidate) >= _MIN_BASE and candidate not in found:
                        found.append(candidate)
        feminine = _definite_feminine_base(base)
        if feminine and feminine not in found:
            found.append(feminine)
    return tuple(found)


# Norwegian feminine nouns on -e that owners write definite, on -a (hytta, ferja, drosja, utleia,
# utleiehytta). Only these: in Swedish and Finnish a word on -a is no such form ("bilda" is "to
# form", not "bildet"; "pakka" is not "pakke").
_FEMININE_ON_E = ("hytte", "ferje", "drosje", "utleie", "stue", "kirke", "skute", "seter")


def _definite_feminine_base(word: str) -> str | None:
    """The -e form of a listed Norwegian feminine noun written definite (hytta → hytte)."""
    if len(word) < 5 or not word.endswith("a"):
        return None
    base = word[:-1] + "e"
    return base if base.endswith(_FEMININE_ON_E) else None


def _linked(modifier: str) -> tuple[str, ...]:
    """The forms a compound's first part may stand for: as written, without a linking -s or -e
    ("værelses", "sommarstuge"), or with the -e or -a its noun ends in ("hytt", "stug")."""
    forms = [modifier]
    if modifier[-1:] in ("s", "e") and len(modifier) > 4:
        forms.append(modifier[:-1])
    forms += [modifier + "e", modifier + "a"]
    return tuple(forms)


def _undouble(stem: str) -> str:
    """Drop a doubled final consonant (rommet → romm → rom; butikken → butikk stays)."""
    if len(stem) > 3 and stem[-1] == stem[-2] and stem[-1] not in "aeiouyåäöøæ":
        return stem[:-1]
    return stem


def split_field(text: str) -> list[str]:
    """Split a form field into phrases on , ; / and the words for 'and' in five languages."""
    return [part.strip(" .:!?-\"'()[]") for part in _SPLIT.split(text or "") if part.strip()]


def _clauses(text: str) -> list[list[str]]:
    """Split a field on punctuation into clauses, and each clause into phrases on 'and'."""
    found = []
    for clause in re.split(_PUNCTUATION, text or ""):
        phrases = [p.strip(" .:!?-\"'()[]") for p in re.split(_AND, clause, flags=re.I)]
        if any(phrases):
            found.append([p for p in phrases if p])
    return found


def _tokens(phrase: str) -> list[str]:
    return _possessed(_TOKEN.findall(normalise(phrase)))


def _possessed(tokens: list[str]) -> list[str]:
    """Read Finnish "X:llä on Y" (X has Y) as Y: in "Meillä on mökkejä" or "Tilalla on kahvila"
    the owner (in the adessive case) is not what is offered, and "on" is "has", not "on"."""
    for k in range(1, len(tokens) - 1):
        if (
            tokens[k] == "on"
            and len(tokens[k - 1]) >= 6
            and tokens[k - 1].endswith(("lla", "llä"))
            and tokens[k + 1] not in {"the", "a", "an"}
        ):
            return tokens[: k - 1] + tokens[k + 1 :]  # only the owner and "on" go
    return tokens


# "Someone who can sell our tours", "nån som kan göra etiketter", "joku joka voi kuljettaa": the
# need is what that someone does. Selling or booking is a sales channel, driving is transport;
# other verbs (make, take, do) only lead to the thing needed, read from the words that follow.
# English also asks "someone to drive our guests".
_SOMEONE = re.compile(
    r"^(?:(?:noen|nokon|nån|någon|nogon|nogen|nokre|folk|personer|en|ein|ei|ett|et|joku|jonkun|"
    r"ihmisiä|someone|somebody|people|"
    r"anyone|a company|an agency|et firma|ett företag|ei bedrift|en bedrift|yritys)\s+"
    r"(?:som|der|who|that|joka|jotka)\s+(?:kan|kunne|vil|ville|can|could|will|would|voi|osaa|"
    r"haluaa|gerne\s+vil)?|(?:someone|somebody|anyone|a company|an agency)\s+to)\s*",
    re.I,
)
_SOMEONE_VERBS = {
    "booking_channel": (
        "selje selge selger sel sälja säljer sälj sælge sælger myy myydä myisi myyvät sell sells "
        "booke booker boka bokar book books varata varaa"
    ),
    "passenger_transport": (
        "køyre kjøre kjører køyrer köra kör köra køre kører kuljettaa kuljettaisi kuljettavat "
        "drive drives frakte frakta fragte hente henter hämta hämtar skjutsa skjutsar skysse "
        "skyssa skysser kyyditä kyydittää kyydittäisi"
    ),
    "marketing_reach": (
        "markedsføre markedsfører marknadsföra marknadsför markkinoida markkinoi markkinoisi "
        "markkinois market markets promote promotes"
    ),
    "": (
        "lage lager laga lagar göra gör lave laver tehdä tekee tekisi tekis make makes do does ta tar "
        "tage tager ottaa take takes hjelpe hjälpa hjælpe auttaa help helps skrive skriva skrive "
        "kirjoittaa write writes fikse fixa ordne ordna stå stod sköta sköter styre ha have "
        "levere leverera levere leverer toimittaa deliver delivers tilby erbjuda tilbyde tarjota "
        "offer offers"
    ),
}
_SOMEONE_VERB = {verb: tag for tag, verbs in _SOMEONE_VERBS.items() for verb in verbs.split()}
# What is sold in a shop: someone who sells it is a sales outlet (tours and stays are booked).
_GOODS = frozenset({"local_food", "local_drinks", "handmade_products", "souvenirs", "artworks"})
_OF = frozenset({"av", "af", "of", "från", "fra", "frå", "from"})
# An adjective that only says "local" before what is local ("lokale æbler", "lokala äpplen");
# alone or before "til"/"for" it is a hall ("lokale til selskap").
_LOCAL = frozenset({"lokal", "lokale", "lokala", "lokalt", "local", "paikallinen", "paikallista"})
# Suppliers lead to what they supply (stopwords), yet "lokale leverandører" are local ones.
_SUPPLIERS = frozenset(
    {"leverandør", "leverandøren", "leverandører", "leverandørar", "leverandørerne"}
    | {"leverantör", "leverantörer", "leverantörerna", "supplier", "suppliers", "provider"}
    | {"providers"}
)


@dataclass(frozen=True)
class _Pattern:
    word: str
    prefix: bool

    def matches(self, token: str) -> bool:
        if self.prefix:
            return token.startswith(self.word) or fold(token).startswith(fold(self.word))
        return not set(_forms(self.word)).isdisjoint(_forms(token))


class _Lexicon:
    """Words and phrases mapped to values, read with inflections, compounds and folding."""

    def __init__(
        self,
        entries: Iterable[tuple[str, object]],
        not_compounds: Iterable[str] = (),
        short_heads: Iterable[str] = (),
        not_heads: Iterable[str] = (),
    ) -> None:
        self.exact: dict[str, list[object]] = {}
        self.folded: dict[str, list[object]] = {}
        self.prefixes: dict[str, list[object]] = {}
        self.folded_prefixes: dict[str, list[object]] = {}
        self.phrases: dict[str, list[tuple[tuple[_Pattern, ...], object]]] = {}
        self.not_compounds = {fold(normalise(w)) for w in not_compounds}
        self.short_heads = {fold(normalise(w)) for w in short_heads}
        self.not_heads = {fold(normalise(w)) for w in not_heads}
        for text, value in entries:
            self._add(text, value)
        self.longest_prefix = max((len(p) for p in self.prefixes), default=0)

    def _add(self, text: str, value: object) -> None:
        text = normalise(text).strip()
        words = text.split()
        if len(words) == 1:
            word = words[0]
            if word.endswith("*"):
                stem = word[:-1]
                stems = [stem]
                # Finnish stems change their last vowel when inflected (ravintola → ravintoloita).
                if len(stem) >= 6 and stem[-1] in "aä":
                    stems.append(stem[:-1] + ("o" if stem[-1] == "a" else "ö"))
                for each in stems:
                    _append(self.prefixes, each, value)
                    _append(self.folded_prefixes, fold(each), value)
            else:
                _append(self.exact, word, value)
                _append(self.folded, fold(word), value)
            return
        patterns = tuple(_Pattern(w.rstrip("*"), w.endswith("*")) for w in words)
        first = patterns[0].word
        for key in {first, fold(first)}:
            _append(self.phrases, key, (patterns, value))

    def _exact(self, forms: Iterable[str], minimum: int = 1) -> list[object]:
        # Words as written win over folded spellings (båd is a boat, bad is a bath).
        for index in (self.exact, self.folded):
            for form in forms:
                values = index.get(form)
                if values and (len(form) >= minimum or form in self.short_heads):
                    return values
        return []

    def word(self, token: str) -> list[object]:
        """Return the values one token means: as written, as a stem, inflected, compound head."""
        return (
            self._exact((token, fold(token)))
            or self._prefix(token, 1)
            or self._exact(_forms(token))
            or self._definite_feminine(token)
            or self._compound(token)
        )

    def _definite_feminine(self, token: str) -> list[object]:
        """Read a Norwegian feminine noun on -a (hytta, ferja, drosja) by its -e form's stem."""
        base = _definite_feminine_base(token)
        return self._prefix(base, 1) if base else []

    def _prefix(self, token: str, minimum: int) -> list[object]:
        for index, base in ((self.prefixes, token), (self.folded_prefixes, fold(token))):
            for length in range(min(len(base), self.longest_prefix), minimum - 1, -1):
                values = index.get(base[:length])
                if values:
                    return values
        return []

    def _compound(self, token: str) -> list[object]:
        folded = fold(token)
        if len(folded) < _MIN_MODIFIER + 4 or folded in self.not_compounds:
            return []
        if any(form in self.not_compounds for form in _forms(folded)):
            return []
        for start in range(_MIN_MODIFIER, len(folded) - 3):
            head = folded[start:]
            if self.not_heads.intersection(_forms(head)):
                continue  # "nettsider": pages, never cider
            values = self._exact(_forms(head), _MIN_HEAD) or self._prefix(
                head, _MIN_PREFIX_IN_COMPOUND
            )
            if values:
                return self._let(folded[:start], head, values)
        return []

    def _let(self, modifier: str, head: str, values: list[object]) -> list[object]:
        """Read a rental compound as what it lets: "hyttudlejning" and "stuguthyrare" let cabins
        (accommodation), "lokaleutleie" a hall; "kajakkutleie" stays equipment rental. Only a
        head that is a word for letting counts: "utstyr" (gear) is equipment, not a rental."""
        if _RENTAL not in values or not head.startswith(_LETTING):
            return values
        for form in _linked(modifier):
            let = [v for v in self.word(form) if v in _PLACES]
            if let:
                return let
        return values

    def phrase_at(self, tokens: list[str], start: int) -> tuple[int, list[object]]:
        """Return (length, values) of the longest listed phrase starting at tokens[start]."""
        best: tuple[int, list[object]] = (0, [])
        seen: set[int] = set()
        for form in _forms(tokens[start]):
            for patterns, value in self.phrases.get(form, ()):
                if id(patterns) in seen:
                    continue
                seen.add(id(patterns))
                end = start + len(patterns)
                if end <= len(tokens) and all(
                    p.matches(t) for p, t in zip(patterns, tokens[start:end], strict=True)
                ):
                    if len(patterns) > best[0]:
                        best = (len(patterns), [value])
                    elif len(patterns) == best[0]:
                        best[1].append(value)
        return best

    def scan(
        self,
        phrase: str,
        stopwords: frozenset[str] = frozenset(),
        qualifiers: frozenset[str] = frozenset(),
        qualifier_endings: tuple[str, ...] = (),
    ) -> list[object]:
        """Return the values found in a phrase, longest phrases first, then word by word."""
        tokens = _for_what(_tokens(phrase))
        if len(tokens) > 1 and tokens[0] in _LOCAL and tokens[1] in _SUPPLIERS:
            tokens = tokens[1:]  # "lokale leverandører av fisk": read as suppliers of fish
        whole = " ".join(tokens)
        values: list[object] = []
        if whole in self.exact or fold(whole) in self.folded:
            return list(self.exact.get(whole) or self.folded[fold(whole)])
        i = 0
        while i < len(tokens):
            length, found = self.phrase_at(tokens, i)
            said_language = length and i and tokens[i] in qualifiers and set(found) == _LANGUAGE
            if said_language and "guided_tour" not in values:
                break  # "meny på tysk", "nettside på engelsk": only a tour's language is guiding
            if length and i and tokens[i] in qualifiers and values and not said_language:
                values += self._for_families(values, tokens[i:], stopwords)
                break  # "förskola för barn": a listed phrase that says for whom, after the thing
            if length:
                values += found
                i += length
                continue
            said = values or any(t not in stopwords for t in tokens[:i])
            if tokens[i] in _OF and "equipment_rental" in values:
                i += 1  # "utleie av leiligheter": what is let says what it is (_rented_places)
                continue
            if said and (tokens[i] in qualifiers or _qualifies(tokens[i], qualifier_endings)):
                values += self._for_families(values, tokens[i:], stopwords)
                break  # the rest says who it is for, not what it is ("tårtor till bröllop")
            if not said and i == 0 and tokens[i] in _LEADING and len(tokens) > 1:
                break  # a phrase that opens with "på", "til", "for" says where or for whom
            rest = tokens[i + 1 :]
            if rest and _qualifies(tokens[i], qualifier_endings) and not self._listed(tokens[i]):
                i += 1  # "museolle kävijöitä": the allative says for whom; read what follows
                continue
            if tokens[i] in _LOCAL and rest and rest[0] not in stopwords | qualifiers:
                i += 1
                continue
            if rest and rest[0] not in stopwords | qualifiers | _WITH and self._genitive(tokens[i]):
                i += 1  # "museon myyntinurkka": a Finnish genitive only says whose
                continue
            if tokens[i] not in stopwords:
                values += self.word(tokens[i])
            i += 1
        return values

    def _for_families(
        self, values: list[object], rest: list[str], stopwords: frozenset[str]
    ) -> list:
        """An activity for families or children is a family activity ("vinteraktiviteter for
        familier", "teatteri lapsille"); a school, a room or a meal for them is not."""
        if _FAMILY in values or not _ACTIVITIES.intersection(values):  # type: ignore[arg-type]
            return []
        for token in rest:
            if token not in stopwords and _FAMILY in self.word(token):
                return [_FAMILY]
        return []

    def _listed(self, token: str) -> bool:
        return token in self.exact or fold(token) in self.folded

    def _genitive(self, token: str) -> bool:
        """Tell whether a token is a listed Finnish noun in the genitive (museo → museon); a
        word on -nen is in the nominative (aamiainen: breakfast; its genitive is aamiaisen)."""
        base = token[:-1]
        return (
            len(token) > 4
            and token.endswith("n")
            and not token.endswith("nen")
            and base[-1:] in "aeiouyäö"
            and not self._listed(token)
            and bool(self._exact((base, fold(base))) or self._prefix(base, _MIN_BASE))
        )


# What a guest does, so that doing it "for families" or "for children" is a family activity.
_FAMILY = "family_activities"
_ACTIVITIES = frozenset(
    {
        "guided_tour",
        "outdoor_activity",
        "course_workshop",
        "live_performance",
        "event_program",
        "exhibition",
        "heritage_stories",
        "farm_visit",
        "craft_demo",
    }
)


# A tour's language ("omvisning på tysk", "guided tours in German") says what is offered.
_LANGUAGE = frozenset({"language_guiding"})


# Words that open a phrase about where or for whom ("på kroer", "til gjestene", "i uld og hør").
_LEADING = frozenset(
    {"på", "pa", "til", "till", "for", "för", "ved", "vid", "hos", "at", "on", "in", "i", "åt"}
)


# A Finnish postposition whose noun says what for, not what ("opas ryhmiä varten": a guide for
# groups; "kuljetuksia häitä varten": transport for weddings).
_FOR = frozenset({"varten"})


def _for_what(tokens: list[str]) -> list[str]:
    """Drop a Finnish "for what" (the noun before "varten", and the postposition)."""
    for k, token in enumerate(tokens):
        if token in _FOR:
            return tokens[: max(k - 1, 0)] + _for_what(tokens[k + 1 :])
    return tokens


# Finnish postpositions after a genitive that is the thing itself ("matkanjärjestäjien kanssa":
# with tour operators; "jälleenmyyjien kautta": through retailers).
_WITH = frozenset({"kanssa", "kautta"})


def _qualifies(token: str, endings: tuple[str, ...]) -> bool:
    """Tell whether a token's ending says "for whom" (Finnish allative: esiintyjille)."""
    return any(token.endswith(e) and len(token) > len(e) + 3 for e in endings)


def _append(index: dict, key: str, value: object) -> None:
    bucket = index.setdefault(key, [])
    if value not in bucket:
        bucket.append(value)


# --- the data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Taxonomy:
    tags: Mapping[str, Tag]
    groups: Mapping[str, SectorGroup]
    codes: Mapping[str, str]  # listed NACE code (class or division) -> group
    refinements: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]]
    rev2_to_rev21: Mapping[str, str]
    affinity: Mapping[frozenset[str], tuple[float, str]]
    related: Mapping[str, frozenset[str]]
    serves: Mapping[str, frozenset[str]]
    affinity_defaults: Mapping[str, object]
    products: Mapping[str, Mapping[str, str]]
    day_parts: Mapping[str, Mapping[str, str]]
    roles: Mapping[str, Mapping[str, str]]
    reasons: Mapping[str, Mapping[str, str]]
    class_groups: Mapping[str, str | None]  # NACE class with a refinement -> its group
    word_entries: tuple[tuple[str, object], ...]
    sector_entries: tuple[tuple[str, object], ...]
    not_compounds: tuple[str, ...]
    short_heads: tuple[str, ...]
    not_heads: tuple[str, ...]
    stopwords: frozenset[str]
    qualifiers: frozenset[str]
    qualifier_endings: tuple[str, ...]

    # The two word indexes are built when first read (about 0.02 s): a sector written as a NACE
    # code, a group's label or the groups' order never needs them.
    @cached_property
    def words(self) -> _Lexicon:
        return _Lexicon(self.word_entries, self.not_compounds, self.short_heads, self.not_heads)

    @cached_property
    def sectors(self) -> _Lexicon:
        return _Lexicon(self.sector_entries, self.not_compounds, self.short_heads, self.not_heads)


@cache
def _load() -> _Taxonomy:
    # libyaml's safe loader when PyYAML has it: the same data, about ten times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    # Parsed once, then kept where the app says (method/parsed.py).
    data = _parsed("taxonomy.yaml", loader)
    reasons = _parsed("reasons.yaml", loader)
    weights = data["grp_weights"]
    tags = {
        key: Tag(
            key,
            t["grp"],
            t["role"],
            t["day"] or "",
            float(weights[t["grp"]]),
            MappingProxyType(dict(t["label"])),
        )
        for key, t in data["tags"].items()
    }
    groups: dict[str, SectorGroup] = {}
    codes: dict[str, str] = {}
    sector_entries: list[tuple[str, object]] = []
    for key, g in data["groups"].items():
        nace = tuple(g["nace"]) + tuple(g.get("rev21") or ())
        groups[key] = SectorGroup(
            key,
            MappingProxyType(dict(g["label"])),
            nace,
            tuple(g["offers"]),
            tuple(g["needs"] or ()),
            g["day"] or "",
            tuple(g.get("core") or g["offers"]),
        )
        for code in nace:
            codes[code] = key
        for lang in LANGUAGES:
            sector_entries += [(w, (key, None)) for w in g["words"][lang]]
    rev2_to_rev21 = dict(data["rev2_to_rev21"])
    refinements = {}
    class_entries: list[tuple[str, object]] = []
    class_groups: dict[str, str | None] = {}
    for code, c in data["classes"].items():
        refinements[code] = (tuple(c["offers"]), tuple(c["needs"]))
        # A class in no group's codes may name the group its everyday words belong to.
        group = class_groups[code] = c.get("group") or _code_group(code, codes)
        class_entries += [(w, (group, code)) for w in c.get("words") or ()]
    affinity = {
        frozenset((a, b)): (float(w), product) for a, b, w, product in data["affinity"]["pairs"]
    }
    stopwords = frozenset(normalise(w) for w in data["stopwords"])
    related: dict[str, set[str]] = {}
    for a, b in data.get("related") or ():
        related.setdefault(a, set()).add(b)
        related.setdefault(b, set()).add(a)
    serves: dict[str, set[str]] = {}
    for offer, need in data.get("serves") or ():
        serves.setdefault(offer, set()).add(need)
    word_entries = [
        (w, key) for key, t in data["tags"].items() for lang in LANGUAGES for w in t["words"][lang]
    ]
    word_entries += [(t.labels[lang], key) for key, t in tags.items() for lang in LANGUAGES]
    word_entries += [(key.replace("_", " "), key) for key in tags] + [(k, k) for k in tags]
    return _Taxonomy(
        tags=MappingProxyType(tags),
        groups=MappingProxyType(groups),
        codes=MappingProxyType(codes),
        refinements=MappingProxyType(refinements),
        rev2_to_rev21=MappingProxyType(rev2_to_rev21),
        affinity=MappingProxyType(affinity),
        related=MappingProxyType({k: frozenset(v) for k, v in related.items()}),
        serves=MappingProxyType({k: frozenset(v) for k, v in serves.items()}),
        affinity_defaults=MappingProxyType(
            {k: v for k, v in data["affinity"].items() if k != "pairs"}
        ),
        products=MappingProxyType(data["products"]),
        day_parts=MappingProxyType(data["day_parts"]),
        roles=MappingProxyType(data["roles"]),
        reasons=MappingProxyType(reasons),
        class_groups=MappingProxyType(class_groups),
        word_entries=tuple(word_entries),
        # Class words come first so that "camping" also tells the class, not only the group.
        sector_entries=(*class_entries, *sector_entries, *[(k, (k, None)) for k in groups]),
        not_compounds=tuple(data["not_compounds"]),
        short_heads=tuple(data["short_heads"]),
        not_heads=tuple(data.get("not_heads") or ()),
        stopwords=stopwords,
        qualifiers=frozenset(normalise(w) for w in data["qualifiers"]),
        qualifier_endings=tuple(data.get("qualifier_endings") or ()),
    )


def _parsed(name: str, loader: type) -> dict:
    return parsed.load((DATA_DIR / name).read_text(encoding="utf-8"), loader, name)


def _code_group(code: str, codes: Mapping[str, str]) -> str | None:
    """Return the group of a listed code, or the commonest group among listed codes under it."""
    if code in codes:
        return codes[code]
    under = [group for listed, group in codes.items() if listed.startswith(code)]
    if not under:
        return None
    return max(dict.fromkeys(under), key=under.count)


# --- public API -----------------------------------------------------------------------------


def tags() -> tuple[Tag, ...]:
    """Return every canonical tag, in the order of the method's table."""
    return tuple(_load().tags.values())


def tag(key: str) -> Tag:
    """Return one tag by key (KeyError if unknown)."""
    return _load().tags[key]


def is_tag(key: str) -> bool:
    """Tell whether key is a canonical tag."""
    return key in _load().tags


def tag_label(key: str, lang: str = "en") -> str:
    """Return the tag's label in lang (en if lang is not one of the five); unknown keys as given."""
    found = _load().tags.get(key)
    if found is None:
        return key
    return found.labels.get(lang) or found.labels["en"]


def groups() -> tuple[SectorGroup, ...]:
    """Return every sector group, in the order of the method's table."""
    return tuple(_load().groups.values())


def group_label(key: str, lang: str = "en") -> str:
    """Return a sector group's label in lang; unknown keys as given."""
    found = _load().groups.get(key)
    if found is None:
        return key
    return found.labels.get(lang) or found.labels["en"]


def product_label(key: str, lang: str = "en") -> str:
    """Return a joint product's phrase in lang."""
    labels = _load().products.get(key, {})
    return labels.get(lang) or labels.get("en") or key


def day_part_label(key: str, lang: str = "en") -> str:
    """Return the label of a part of a visitor's day (stay, eat, do, buy)."""
    labels = _load().day_parts.get(key, {})
    return labels.get(lang) or labels.get("en") or key


def role_label(key: str, lang: str = "en") -> str:
    """Return the label of a role class (reason_to_go, base_service...)."""
    labels = _load().roles.get(key, {})
    return labels.get(lang) or labels.get("en") or key


def reason_template(kind: str, lang: str = "en") -> str:
    """Return the wording template of a reason kind in lang (en as fallback)."""
    templates = _load().reasons[kind]
    return templates.get(lang) or templates["en"]


def reason_kinds() -> tuple[str, ...]:
    """Return every reason kind that has a template."""
    return tuple(_load().reasons)


# "IT" written in capitals as a word of its own is information technology; lower-case "it" is
# left alone, as in English it is a pronoun ("we offer it to guests").
_IT = re.compile(r"(?<![\w-])IT(?![\w-])")


def map_words(text: str, extra: Mapping[str, str] | None = None) -> WordMapping:
    """Read a free-text offers or needs field into canonical tags; unmatched phrases stay free.

    `extra` holds a project's own word → tag mappings; they win over the built-in synonyms.
    """
    data = _load()
    extra_lexicon = _extra_lexicon(tuple(sorted((extra or {}).items())))
    found: list[str] = []
    free: list[str] = []
    read: list[tuple[str, tuple[str, ...]]] = []
    text = _IT.sub("IT-tjenester", text)  # "Vi trenger IT": the acronym, never English "it"
    for phrase in _phrases(text, data):
        values = extra_lexicon.scan(phrase) if extra_lexicon else []
        if not values:
            values = _someone(phrase, data)
        if not values:
            values = data.words.scan(
                _without_counts(phrase, data),
                data.stopwords,
                data.qualifiers,
                data.qualifier_endings,
            )
            values = _rented_places(values)
        if values:
            found += [v for v in values if v not in found]
        else:
            free.append(phrase)
        read.append((phrase, tuple(dict.fromkeys(values))))  # type: ignore[arg-type]
    return WordMapping(tuple(dict.fromkeys(found)), tuple(free), tuple(read))


def _phrases(text: str, data: _Taxonomy) -> list[str]:
    """The phrases of a field, leaving out the rest of a clause once a phrase turned to saying
    whom or what it is for: in "tårtor till bröllop och fester" the parties are the occasion. A
    phrase that opens a clause of its own ("och har bastu", "og noen som kan ...") is kept.

    Whom a business sells or delivers to are its buyers, not what it offers or needs: "sel til
    butikkar, hotell og restaurantar" leaves out the shops and the trades listed after them.
    """
    found = []
    buyers = False
    for clause in _clauses(text):
        if buyers and all(_a_trade(phrase, data) for phrase in clause):
            continue
        buyers = False
        occasion = False
        for phrase in clause:
            tokens = _tokens(phrase)
            lead = tokens[1:] if tokens[:1] and tokens[0] in _WE else tokens
            if len(lead) > 1 and lead[0] in _SELLS and lead[1] in _TO:
                buyers = True
                break
            if occasion and not _opens_clause(phrase, tokens):
                continue
            found.append(phrase)
            occasion = any(
                (t in data.qualifiers or _qualifies(t, data.qualifier_endings))
                and any(x not in data.stopwords for x in tokens[:k])
                for k, t in enumerate(tokens)
            )
    return found


# Words that open a clause of their own after "and": a subject or "has" ("stugor vid sjön och har
# bastu", "lokalmat til frokosten og noen som kan spille musikk") says something new, not whom
# the thing before is for.
_OPENERS = frozenset(
    {"har", "have", "has", "vi", "we", "me", "eg", "jeg", "jag", "help", "hjelp", "hjälp", "hjælp"}
)


def _opens_clause(phrase: str, tokens: list[str]) -> bool:
    return bool(tokens) and (tokens[0] in _OPENERS or bool(_SOMEONE.match(normalise(phrase))))


_COUNTED = frozenset({"visitors", "group_customers"})
# "sel til", "levererar till", "sells to": what follows are buyers.
_SELLS = frozenset(
    {"sel", "selg", "selger", "selgjer", "selje", "selge", "sälj", "säljer", "sälja", "sælg"}
    | {"sælger", "sælge", "sell", "sells", "selling", "leverer", "leverar", "levererar"}
    | {"levere", "leverera", "deliver", "delivers", "supply", "supplies"}
)
_TO = frozenset({"til", "till", "to", "åt", "te"})
_WE = frozenset({"vi", "we", "me", "eg", "jeg", "jag", "i"})


# Businesses and people that buy: "til hotell", "restauranger och butiker", "grossister".
_BUYER = re.compile(
    r"^(?:hotel|hotell|hotelli|restaurant|restaurang|ravintol|kafe|kafé|cafe|café|kahvil|butik|"
    r"kauppa|kaupo|kiosk|shop|store|marked|market|marknad|tori|torg|grossist|tukku|dagligvare|"
    r"matbutik|kunde|kund|asiak|customer|bedrift|företag|yrity|compan|hyttee|stugäg|mökinomist|"
    r"turistbutik|gavebutik|museumsbutik|museibutik)"
)


def _a_trade(phrase: str, data: _Taxonomy) -> bool:
    """Tell whether a short phrase only names buyers ("hotell", "kafeer i dalen", "butiker")."""
    tokens = [t for t in _tokens(phrase) if t not in data.stopwords]
    named = [t for t in tokens if _BUYER.match(t) or _BUYER.match(fold(t))]
    return 0 < len(tokens) <= 3 and bool(named) and len(named) >= len(tokens) - 1


# Words that only ask for what follows ("trenger", "we need", "etsimme"), and the small words that
# may follow them ("looking for", "leter etter").
_ASKING = frozenset(
    {
        "trenger", "treng", "trengs", "behøver", "behöver", "behøves", "mangler", "manglar",
        "saknar", "savner", "søker", "søkjer", "söker", "søger", "ønsker", "ønskjer", "önskar",
        "leter", "letar", "leder", "vil", "vill", "ville", "gjerne", "gärna", "gerne", "ha",
        "have", "need", "needs", "want", "wants", "seeking", "looking", "vi", "we", "me", "eg",
        "jeg", "jag", "i", "tarvitsemme", "tarvitaan", "etsimme", "haemme", "kaipaamme",
        "haluamme", "also", "også", "og", "och", "ja", "and",
    }
)  # fmt: skip
_AFTER_ASKING = frozenset({"for", "etter", "efter", "after"})
# "is" asks only before an asking word: "we are looking for someone who ..."
_IS = frozenset({"are", "is", "er", "är", "ere"})


def _someone(phrase: str, data: _Taxonomy) -> list:
    """Read "someone who can <verb> <thing>" as the thing needed (or the verb's own tag)."""
    text = normalise(phrase).strip()
    lead = _SOMEONE.match(text)
    words = text.split()
    # "Trenger noen som kan ...", "Vi mangler nogen der kan ...": the words before only ask. A
    # preposition or "is" before is no asking: "for folk som kjører bobil har vi ..." offers.
    for k, word in enumerate(words[:-1]):
        asking = (
            word in _ASKING
            or (k and words[k - 1] in _ASKING and word in _AFTER_ASKING)
            or (word in _IS and words[k + 1] in _ASKING)
        )
        if lead or not asking:
            break
        text = " ".join(words[k + 1 :])
        lead = _SOMEONE.match(text)
    if not lead:
        return []
    tokens = _tokens(text[lead.end() :])
    if not tokens:
        return []
    tag = _SOMEONE_VERB.get(tokens[0])
    if tokens[0] == "drive" and data.sectors.scan(" ".join(tokens[1:]), data.stopwords):
        # Norwegian "drive kafeen": run the café, which is the need; English drives people.
        run = data.words.scan(" ".join(tokens[1:]), data.stopwords, data.qualifiers | _OF)
        return [v for v in run if v not in _COUNTED]
    if tag == "booking_channel" and _GOODS.intersection(
        data.words.scan(" ".join(tokens[1:]), data.stopwords, data.qualifiers | _OF)
    ):
        return ["sales_outlet"]  # "någon som säljer våra ägg": a shop, not a booking channel
    if data.words.phrase_at(tokens, 0)[0]:  # "gör en ny hemsida": the verb is in a phrase
        return data.words.scan(" ".join(tokens), data.stopwords, data.qualifiers | _OF)
    if tag:
        return [tag]
    if tag == "":
        tokens = tokens[1:]
    # The people served ("ta gästerna på ...") and a preposition after them are not the need.
    kept: list[str] = []
    for token in tokens:
        values = data.words.word(token) if token not in data.stopwords else []
        if not kept and (token in data.stopwords or (values and set(values) <= _COUNTED)):
            continue
        if not kept and token in _LEADING:
            continue
        kept.append(token)
    return data.words.scan(
        " ".join(kept), data.stopwords, data.qualifiers | _OF, data.qualifier_endings
    )


_PLACES = frozenset({"accommodation", "group_accommodation", "venue", "outdoor_site"})
_RENTAL = "equipment_rental"


def _without_counts(phrase: str, data: _Taxonomy) -> str:
    """Drop a counted word for people after a number: "120 gäster" is a capacity, not visitors,
    and so is "120 sittande gäster" (a word between that is no tag); "100 nye gjester" or "100
    more visitors" still asks for visitors."""
    tokens = _tokens(phrase)
    kept = []
    for k, token in enumerate(tokens):
        between = tokens[k - 1] if k > 1 and tokens[k - 2].isdigit() else ""
        counted = bool(k and tokens[k - 1].isdigit()) or bool(
            between and between not in data.stopwords and not data.words.word(between)
        )
        if counted:
            values = data.words.word(token)
            if values and set(values) <= _COUNTED:  # type: ignore[arg-type]
                continue
        kept.append(token)
    return " ".join(kept)


def _rented_places(values: list) -> list:
    """Renting out rooms, cabins or a hall is accommodation or a venue, not equipment rental."""
    if "equipment_rental" in values and _PLACES.intersection(values):
        return [v for v in values if v != "equipment_rental"]
    return values


@cache
def _extra_lexicon(items: tuple[tuple[str, str], ...]) -> _Lexicon | None:
    if not items:
        return None
    for word, key in items:
        if key not in _load().tags:
            raise ValueError(f"{word!r} is mapped to {key!r}, which is not a tag")
    return _Lexicon(items)


def parse_nace(text: str) -> str | None:
    """Return a NACE code written as 55.10, 5510, 55.101, 551010, 55.1 or 55 (alone, after a
    scheme's name or before its label) in normal form, else None."""
    match = _NACE.match(text or "")
    if not match:
        return None
    division, rest = match.group("division"), match.group("rest") or ""
    if division == "00":
        return None
    # A label after a short number is a count, not a code's label: "20 rom hotell", "50 år med
    # fiske", "10 km fra sentrum" are sectors in words. A code with a label has four digits or
    # more ("47.78 Husflid") or comes after a scheme's name ("NACE 55 Overnatting").
    if match.group("label") and len(rest) < 2 and not match.group("scheme"):
        return None
    if len(rest) >= 2:
        return f"{division}.{rest[:2]}"
    if rest:
        return f"{division}.{rest}"
    return division


def sector_group_for(code_or_word: str, *, codes: bool = True) -> SectorMatch:
    """Read a sector as a NACE code (Rev. 2 or 2.1) or as a sector word in any of five languages.

    With `codes` false, numbers are not read as codes (a business's name: "Studio 54").
    """
    data = _load()
    code = parse_nace(code_or_word) if codes else None
    if code is not None:
        return SectorMatch(_group_of_code(code), code, _group_of_code(code) is not None)
    # The whole text first, so that "bed and breakfast" is not split on its "and".
    phrases = split_field(code_or_word)
    for phrase in [code_or_word, *phrases]:
        values = data.sectors.scan(phrase, data.stopwords) or _rental_sector(phrase, data)
        if values:
            # In one phrase the most specific word says what a business is; in a list of
            # phrases ("strikkekurs og strikkekafé") the first thing listed does.
            one = phrase is not code_or_word or len(phrases) <= 1
            group, class_code = _most_specific(values) if one else values[0]  # type: ignore[misc]
            return SectorMatch(group, class_code, True)
    found = map_words(code_or_word).tags
    return SectorMatch(group_for_tags(found), None, False, found)


def _most_specific(values: list) -> tuple[str | None, str | None]:
    """The sector a phrase names most precisely: the first word that names a NACE class, else
    the first word. In "Nordlys Hytter" the cabins (55.30) say what the business is; the
    northern lights, a word only for the guiding group, say what it is near or named after."""
    return next((v for v in values if v[1]), values[0])


# Words for letting out, alone or ending a compound ("hyttudlejning", "mökkivuokraus").
_LETTING = (
    "utleie", "utleige", "utleiga", "uthyrning", "uthyrare", "udlejning", "udlejer", "vuokraus",
    "vuokraamo", "vuokra", "rental", "hire", "leie", "leige", "lejes", "uthyres",
)  # fmt: skip
_LETTING_INSIDE = re.compile("|".join(_LETTING))
# The class of a sector that lets something out, by what it lets: beds (cabins and holiday
# homes; rooms and flats are listed as the group's own words) or a hall; else equipment (77.21).
_LET_CLASS = {"accommodation": "55.30", "group_accommodation": "55.30", "venue": "68.20"}


def _rental_sector(phrase: str, data: _Taxonomy) -> list[tuple[str | None, str]]:
    """Read a sector that lets something out as a business of what it lets: "hyttudlejning" and
    "utleie av hytter" are cabin rentals, "lokaluthyrning" a venue, "bådudlejning" equipment."""
    tokens = [fold(t) for t in _tokens(phrase)]
    if not any(t.startswith(_LETTING) or _LETTING_INSIDE.search(t[3:]) for t in tokens):
        return []
    found = map_words(phrase).tags
    let = [_LET_CLASS[t] for t in found if t in _LET_CLASS]
    code = let[0] if let else ("77.21" if _RENTAL in found else None)
    return [(data.class_groups.get(code), code)] if code else []


def group_for_tags(found: Iterable[str]) -> str | None:
    """Return the sector group a list of offer tags points to, or None when it points nowhere.

    A group's first default offer is what it is known by (accommodation for accommodation, live
    performance for performing arts); the first tag that is some group's first offer decides.
    Otherwise the group whose default offers hold the most of the tags, when only one does (and
    a single shared tag is what a business is, not a market or support it brings to others).
    """
    found = list(found)
    groups = list(_load().groups.values())
    primary = {g.offers[0]: g.key for g in groups if g.offers}
    for key in found:
        if key in primary:
            return primary[key]
    counts = {g.key: len(set(g.offers) & set(found)) for g in groups}
    best = max(counts.values(), default=0)
    winners = [k for k, n in counts.items() if n == best]
    if not best or len(winners) != 1:
        return None
    if best == 1:  # one tag says what a business is, not what it brings others (groups, ads)
        shared = set(_load().groups[winners[0]].offers) & set(found)
        if any(_load().tags[t].role in ("market_access", "enabler") for t in shared):
            return None
    return winners[0]


def _group_of_code(code: str) -> str | None:
    """Map a code by its longest listed prefix: class, then NACE group, then division."""
    codes = _load().codes
    for prefix in (code[:5], code[:4], code[:2]):
        if len(prefix) == 4 and prefix.endswith("."):
            continue
        group = _code_group(prefix, codes)
        if group:
            return group
    return None


def nace_rev21(code: str) -> str:
    """Return the NACE Rev. 2.1 code for a Rev. 2 class the taxonomy lists (else the code)."""
    return _load().rev2_to_rev21.get(code, code)


def default_profile(
    group: str, nace_code: str | None = None
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the assumed (offers, needs) of a business known only by its sector.

    A NACE class (or its everyday name's class) with a refinement in the method overrides the
    group's defaults; an unknown group has none.
    """
    data = _load()
    if nace_code:
        rev2 = {v: k for k, v in data.rev2_to_rev21.items()}
        for key in (nace_code[:5], rev2.get(nace_code[:5], ""), nace_code[:2]):
            if key in data.refinements:
                return data.refinements[key]
    found = data.groups.get(group)
    if found is None:
        return (), ()
    return found.offers, found.needs


def related(key: str) -> frozenset[str]:
    """Return the tags close to a tag: an offer of one goes some way to meet a need for another."""
    return _load().related.get(key, frozenset())


def serves(key: str) -> frozenset[str]:
    """Return the needs of other kinds an offer serves (a booking channel serves "visitors")."""
    return _load().serves.get(key, frozenset())


def affinity(group_a: str | None, group_b: str | None) -> tuple[float, str | None]:
    """Return how often two sector groups make products together (0-1) and the joint product."""
    data = _load()
    defaults = data.affinity_defaults
    if not group_a or not group_b:
        # A business of no listed group (a party venue, a kindergarten) is an unlisted pair, but
        # for the groups `no_group` names (a photographer: weddings in the venues let for them).
        named = defaults.get("no_group")
        other = group_a or group_b or ""
        if isinstance(named, Mapping) and other in named:
            return float(named[other]), None
        return float(defaults["default"]), None
    listed = data.affinity.get(frozenset((group_a, group_b)))
    if listed:  # a group listed with itself makes products within it (a festival and its bands)
        return listed
    if group_a == group_b:
        return float(defaults["same_group"]), None
    support = defaults["any_to"]
    if group_a in support or group_b in support:
        weight = max(support.get(group_a, 0.0), support.get(group_b, 0.0))
        return float(weight), str(defaults["any_product"])
    return float(defaults["default"]), None
