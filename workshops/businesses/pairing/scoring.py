"""One pair: profiles, the score of two businesses (METHOD.md section 3) and its reasons.

As a process leader reads a profile, an exact need-offer match counts most; an offer that serves a
need of another kind (a booking channel for "more visitors", a photographer for "marketing") and an
offer close to a need (a guided tour for "outdoor activities") count for less. Pure competitors
(same group, offers mostly the same, and no need of either met by the other or needs mostly the
same too) lose points.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache

import numpy as np

from method import taxonomy


@dataclass(frozen=True)
class Weights:
    """The score's terms; starting values from the method, tuned on the labelled benchmark."""

    match: float = 1.0
    reciprocity: float = 0.75
    affinity: float = 2.0
    shared_interest: float = 2.0
    different_realms: float = 0.25
    competitor: float = 1.5
    pool_beds: float = 1.0
    km_per_point: float = 50.0
    max_distance: float = 0.5
    other_municipality: float = 0.75  # stands in for distance when places have no coordinates
    same_municipality: float = 0.0  # neighbours are easier to introduce and to package
    assumed_match: float = 0.35  # tags assumed from a sector count for less than stated ones
    close: float = 0.5  # an offer close to the need (taxonomy `related`), per tag
    serves: float = 0.5  # an offer that serves a need of another kind (taxonomy `serves`)
    # A business that asks for customers and meets another's need has found one: the other
    # "gives" it a customer, when it gives nothing else (a photographer and a hotel that needs
    # pictures, a bakery and a café): a need for customers met, counted as a met need is.
    customer: float = 1.0
    # What one business gives the other counts in full up to one whole match, a quarter above it:
    # a partner who meets one need well beats one who brushes several (tuned on all three sets).
    full_match: float = 1.0
    beyond: float = 0.25

    def saturate(self, value: float) -> float:
        """What one business gives another, counted in full up to `full_match`, then less."""
        if value <= self.full_match:
            return value
        return self.full_match + self.beyond * (value - self.full_match)


WEIGHTS = Weights()


_BEDS, _GROUP_BEDS = "accommodation", "group_accommodation"
_CUSTOMERS = frozenset({"visitors", "group_customers"})
# Offers of know-how whose buyers are the seller's customers (METHOD.md's enabler role).
_ENABLING = {t.key: t.role == "enabler" for t in taxonomy.tags()}
_SELLS_KNOW_HOW = {key: enabling and key != "volunteers" for key, enabling in _ENABLING.items()}
_SUPPORT_GROUPS = ("enablers", "community")
_TOURIST_SERVICES = frozenset(
    t.key for t in taxonomy.tags() if t.role == "reason_to_go" or t.grp == "mob"
)


@dataclass(frozen=True)
class Profile:
    """What pairing knows of one business: canonical tags, ideas it wants to work on, place."""

    id: str
    name: str
    group: str | None = None
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()
    interests: frozenset[str] = frozenset()  # ids of ideas the business wants to work on
    realms: frozenset[str] = frozenset()  # entertainment, educational, esthetic, escapist
    municipality: str = ""
    lat: float | None = None
    lon: float | None = None
    assumed: bool = False  # offers and needs are the sector's defaults, not the business's words


@dataclass(frozen=True)
class Reason:
    """One reason two businesses (or an ecosystem) fit, as data; `explain` words it."""

    kind: str  # a key of method/data/reasons.yaml
    giver: str = ""  # business names
    taker: str = ""
    tag: str = ""  # a tag key (the need)
    idea: str = ""  # an idea id
    group_a: str = ""  # sector group keys
    group_b: str = ""
    product: str = ""  # a joint product key
    parts: tuple[str, ...] = ()  # day parts (stay, eat, do, buy)
    offer: str = ""  # a tag key: the offer that comes close to the need


@dataclass(frozen=True)
class PairScore:
    """The raw score of a pair (may be negative), its reasons, and whether they compete."""

    score: float
    reasons: tuple[Reason, ...]
    competitor: bool


@dataclass(frozen=True)
class Suggestion:
    """A suggested partner, best first in its list; score is clipped at zero.

    Reasons are worked out when first read, so ranking many businesses costs no wording.
    """

    partner_id: str
    score: float
    given_reasons: tuple[Reason, ...] | None = field(default=None, repr=False)
    competitor: bool = False
    source: Callable[[], tuple[Reason, ...]] | None = field(default=None, repr=False, compare=False)

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """Why this partner fits, most specific first."""
        if self.given_reasons is not None:
            return self.given_reasons
        return self.source() if self.source else ()


@cache
def _tag_weight(key: str) -> float:
    return taxonomy.tag(key).weight if taxonomy.is_tag(key) else 1.0


@cache
def _affinity(group_a: str | None, group_b: str | None) -> tuple[float, str | None]:
    return taxonomy.affinity(group_a, group_b)


@cache
def _related(key: str) -> frozenset[str]:
    return taxonomy.related(key) if taxonomy.is_tag(key) else frozenset()


@cache
def _serves(key: str) -> frozenset[str]:
    return taxonomy.serves(key) if taxonomy.is_tag(key) else frozenset()


@lru_cache(maxsize=1 << 16)
def _served_needs(p: Profile) -> frozenset[str]:
    """Return the needs of other kinds that what a business offers serves."""
    return frozenset(t for offer in p.offers for t in _serves(offer)) - p.offers


@lru_cache(maxsize=1 << 16)
def _close_offers(p: Profile) -> frozenset[str]:
    """Return the tags close to what a business offers, that it neither offers nor serves."""
    close = frozenset(t for offer in p.offers for t in _related(offer))
    return close - p.offers - _served_needs(p)


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def offers_alike(a: Profile, b: Profile) -> bool:
    """Tell whether two businesses offer mostly the same (METHOD.md section 3's competitor test).

    Same sector group, or a group unknown on either side (a sector word no one listed), and an
    offer Jaccard over 0.5, counted on what makes businesses of the group substitutes
    (`core_offers`: two cabin firms compete on beds whatever else each adds, a sauna or a canoe
    to borrow; a festival's stage does not make it a band's rival). A profile assumed from a
    sector alone is compared the same way: its core is the sector's, not its long default list.
    Whether a need is met either way is the caller's part of the test.
    """
    if a.group is not None and b.group is not None and a.group != b.group:
        return False
    mine, theirs = core_offers(a), core_offers(b)
    if not mine or not theirs:
        return False
    return _jaccard(mine, theirs) > 0.5


@lru_cache(maxsize=1 << 16)
def core_offers(p: Profile) -> frozenset[str]:
    """Return the offers that make a business a substitute for others of its sector group (the
    group's `core` offers it has), or all its offers when it has none or no known group."""
    core = p.offers & _group_offers(p.group)
    return core or p.offers


@cache
def _group_offers(group: str | None) -> frozenset[str]:
    found = {g.key: g for g in taxonomy.groups()}.get(group or "")
    return frozenset(found.core) if found else frozenset()


def substitutes(a: Profile, b: Profile, wanted: bool) -> bool:
    """Tell whether two businesses are of one kind: offers mostly the same, or needs mostly the
    same (`wanted`) and an offer of what makes their group's businesses substitutes in common
    (two wedding venues, one of them also with rooms and a garden)."""
    if offers_alike(a, b):
        return True
    if not wanted or (a.group is not None and b.group is not None and a.group != b.group):
        return False
    return bool(core_offers(a) & core_offers(b))


def needs_alike(a: Profile, b: Profile) -> bool:
    """Tell whether two businesses need mostly the same (two needs or more in common, and a
    need Jaccard over 0.5).

    Two businesses that offer mostly the same and also need mostly the same serve one market
    from one set of suppliers: pure competitors even when one meets a need of the other (two
    wedding venues, one of them with rooms). An assumed profile is compared on the smaller list.
    """
    shared = len(a.needs & b.needs)
    if shared < 2:  # one need in common (a shop to sell in) says little
        return False
    if a.assumed or b.assumed:
        return shared > 0.5 * min(len(a.needs), len(b.needs))
    return _jaccard(a.needs, b.needs) > 0.5


def _km(a: Profile, b: Profile) -> float | None:
    if a.lat is None or a.lon is None or b.lat is None or b.lon is None:
        return None
    unit = _unit(np.array([a.lat, b.lat]), np.array([a.lon, b.lon]))
    return float(_chord_km(*(axis[:1] - axis[1:] for axis in unit))[0])


def _unit(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return points on the unit sphere, so that distances need no trigonometry per pair."""
    phi, lam = np.radians(lat), np.radians(lon)
    return np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)


def _chord_km(dx: np.ndarray, dy: np.ndarray, dz: np.ndarray) -> np.ndarray:
    """Return great-circle kilometres from the chord between two unit vectors."""
    chord = np.sqrt(dx * dx + dy * dy + dz * dz)
    return 2 * 6371.0 * np.arcsin(np.minimum(chord / 2, 1.0))


def _pools_beds(a: Profile, b: Profile) -> bool:
    return _BEDS in a.offers and _BEDS in b.offers and _GROUP_BEDS in (a.needs | b.needs)


def _weight(tags: Iterable[str]) -> float:
    return sum(_tag_weight(t) for t in tags)


@dataclass(frozen=True)
class _Flow:
    """What one business gives another: exact need-offer matches, needs its offers serve, and
    offers close to a need."""

    exact: frozenset[str]
    served: frozenset[str]
    close: frozenset[str]

    def value(self, weights: Weights) -> float:
        return (
            _weight(self.exact)
            + weights.serves * _weight(self.served)
            + weights.close * _weight(self.close)
        )


def _flow(giver: Profile, taker: Profile) -> _Flow:
    needs = met_needs(taker)
    return _Flow(
        exact=giver.offers & needs,
        served=_served_needs(giver) & needs,
        close=_close_offers(giver) & needs,
    )


@lru_cache(maxsize=1 << 16)
def met_needs(p: Profile) -> frozenset[str]:
    """Return the needs another business's offers can meet.

    A seller of know-how (photos, design, web, advice) that asks for customers or visitors means
    buyers of its know-how (the customer term, `Weights.customer`), not a business that brings
    tourist groups: a wedding barn's groups are no design studio's clients. Volunteers are given,
    not sold: an association that asks for visitors wants them.
    """
    if any(_SELLS_KNOW_HOW.get(t) for t in p.offers):
        return p.needs - _CUSTOMERS
    return p.needs


def score_pair(a: Profile, b: Profile, weights: Weights = WEIGHTS) -> PairScore:
    """Score how well two businesses complete each other, with one reason per term."""
    return _score(a, b, weights, distance=True)


def _score(a: Profile, b: Profile, weights: Weights, distance: bool) -> PairScore:
    return _score_and_exact(a, b, weights, distance)[0]


def _score_and_exact(
    a: Profile, b: Profile, weights: Weights, distance: bool
) -> tuple[PairScore, float]:
    """Score a pair; also return the weight of exact need-offer matches (the tie-break)."""
    a_gives, b_gives = _flow(a, b), _flow(b, a)
    factor = weights.assumed_match if a.assumed or b.assumed else 1.0
    given_b, given_a = a_gives.value(weights), b_gives.value(weights)
    customer_of_a = _customer(a, a_gives, given_a, weights)
    customer_of_b = _customer(b, b_gives, given_b, weights)
    to_b = factor * weights.saturate(given_b + customer_of_b)
    to_a = factor * weights.saturate(given_a + customer_of_a)
    # The tie-break counts every written need met by a written offer (met_needs aside).
    exact = factor * (_weight(a.offers & b.needs) + _weight(b.offers & a.needs))
    score = weights.match * (to_a + to_b)
    reasons = [
        Reason("covers_need", giver=a.name, taker=b.name, tag=t) for t in sorted(a_gives.exact)
    ]
    reasons += [
        Reason("covers_need", giver=b.name, taker=a.name, tag=t) for t in sorted(b_gives.exact)
    ]
    if customer_of_a:
        reasons.append(Reason("customer", giver=a.name, taker=b.name))
    if customer_of_b:
        reasons.append(Reason("customer", giver=b.name, taker=a.name))
    if to_a and to_b:  # reciprocity built of tags assumed from a sector counts as they do
        score += weights.reciprocity * factor
    shared = a.interests & b.interests
    if shared:
        score += weights.shared_interest * _jaccard(a.interests, b.interests)
        reasons += [Reason("shared_interest", idea=idea) for idea in sorted(shared)]
    weight, product = _affinity(a.group, b.group)
    score += weights.affinity * weight
    if product == "support":
        helper, helped = (b, a) if b.group in _SUPPORT_GROUPS else (a, b)
        reasons.append(Reason("support", group_a=helped.group or "", group_b=helper.group or ""))
    elif product and weight >= 0.5:
        kind = "within_group" if a.group == b.group else "value_chain"  # a festival and a band
        reasons.append(Reason(kind, group_a=a.group or "", group_b=b.group or "", product=product))
    for giver, taker, flow in ((a, b, a_gives), (b, a, b_gives)):
        reasons += _served_reasons(giver, taker, flow)
    for giver, taker, flow in ((a, b, a_gives), (b, a, b_gives)):
        reasons += _close_reasons(giver, taker, flow)
    if a.realms and b.realms and a.realms != b.realms:
        score += weights.different_realms
    pooled = _pools_beds(a, b)
    if pooled:
        score += weights.pool_beds
        reasons.append(Reason("pool_beds", giver=a.name, taker=b.name))
    # Beds sold with another tourist service may make a package trip: ask who organises it.
    beds_and_service = (_BEDS in a.offers and b.offers & _TOURIST_SERVICES) or (
        _BEDS in b.offers and a.offers & _TOURIST_SERVICES
    )
    if beds_and_service and exact and not pooled:
        reasons.append(Reason("package_check"))
    # A profile assumed from a sector is no sign that two businesses alike complete each other.
    # A need the needer meets itself (two kayak firms, one asking for "paddling trips") is none.
    met = not (a.assumed or b.assumed) and bool(
        (a_gives.exact | a_gives.served) - b.offers or (b_gives.exact | b_gives.served) - a.offers
    )
    wanted = needs_alike(a, b)
    competitor = not pooled and substitutes(a, b, wanted) and (not met or wanted)
    if competitor:
        score -= weights.competitor
        reasons.append(Reason("competitor"))
    km = _km(a, b) if distance else None
    if km is not None:
        score -= min(weights.max_distance, km / weights.km_per_point)
    elif distance and a.municipality and b.municipality and a.municipality != b.municipality:
        score -= weights.other_municipality
    if distance and a.municipality and a.municipality == b.municipality:
        score += weights.same_municipality
    if not reasons:  # only their trades' general affinity: the leader is told it is weak
        reasons.append(Reason("little_known"))
    return PairScore(score, tuple(reasons), competitor), exact


def _customer(seller: Profile, sold: _Flow, bought: float, weights: Weights) -> float:
    """What a buyer brings a seller that asked for customers and gets nothing else from it."""
    if bought or not weights.customer or not any(_ENABLING.get(t) for t in sold.exact):
        return 0.0
    return weights.customer * _weight(seller.needs & _CUSTOMERS)


def _served_reasons(giver: Profile, taker: Profile, flow: _Flow) -> list[Reason]:
    """Word the offers that serve a need of another kind, after the exact matches."""
    return [
        Reason(
            "serves_need",
            giver=giver.name,
            taker=taker.name,
            tag=need,
            offer=min(t for t in giver.offers if need in _serves(t)),
        )
        for need in sorted(flow.served)
    ]


def _close_reasons(giver: Profile, taker: Profile, flow: _Flow) -> list[Reason]:
    """Word the offers that come close to a need, after the exact matches."""
    return [
        Reason(
            "close_need",
            giver=giver.name,
            taker=taker.name,
            tag=need,
            offer=min(t for t in giver.offers if need in _related(t)),
        )
        for need in sorted(flow.close)
    ]


def explain(reason: Reason, lang: str = "nb", ideas: Mapping[str, str] | None = None) -> str:
    """Word a reason in lang (nb, sv, da, fi, en) with tag, sector and product labels.

    A tag or sector group label stands in quotes when it holds a comma or an "and" of its own
    ("booking, sales channel"), so that it reads as one name inside the sentence; a template
    asks for quotes always with `!q` (Finnish puts a label in apposition: ryhmän ”majoitus”).
    Day parts are listed as a sentence lists them: "stay, eat and do".
    """
    template = taxonomy.reason_template(reason.kind, lang)
    text = _ReasonFormatter(lang).format(
        template,
        giver=reason.giver,
        taker=reason.taker,
        a=reason.giver,
        b=reason.taker,
        tag=_Label(_lower(taxonomy.tag_label(reason.tag, lang))) if reason.tag else "",
        offer=_Label(_lower(taxonomy.tag_label(reason.offer, lang))) if reason.offer else "",
        idea=(ideas or {}).get(reason.idea, reason.idea),
        group_a=_Label(_lower(taxonomy.group_label(reason.group_a, lang))),
        group_b=_Label(_lower(taxonomy.group_label(reason.group_b, lang))),
        product=taxonomy.product_label(reason.product, lang) if reason.product else "",
        parts=_listed([_lower(taxonomy.day_part_label(p, lang)) for p in reason.parts], lang),
    )
    return text[:1].upper() + text[1:]


_QUOTES = {"nb": ("«", "»"), "sv": ("”", "”"), "da": ("»", "«"), "fi": ("”", "”"), "en": ("“", "”")}
_AND = {"nb": "og", "sv": "och", "da": "og", "fi": "ja", "en": "and"}


class _Label(str):
    """A taxonomy label put into a reason sentence."""

    __slots__ = ()


class _ReasonFormatter(string.Formatter):
    """Quote a label when it would not read as one name in the sentence, or when asked (`!q`)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def convert_field(self, value: object, conversion: str | None) -> object:
        if isinstance(value, _Label) and value:
            opening, closing = _QUOTES.get(self.lang, _QUOTES["en"])
            joined = f" {_AND.get(self.lang, 'and')} " in value or "," in value
            if conversion == "q" or (conversion is None and joined):
                return f"{opening}{value}{closing}"
            return str(value)
        return super().convert_field(value, None if conversion == "q" else conversion)


def _listed(items: list[str], lang: str) -> str:
    """List items as a sentence does: a, b and c."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {_AND.get(lang, 'and')} {items[-1]}"


def _lower(label: str) -> str:
    """Lower-case a label's first letter for use inside a sentence (VR/AR keeps its capitals)."""
    return label[:1].lower() + label[1:]
