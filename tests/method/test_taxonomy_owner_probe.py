"""An owner-style probe of the word reading (issue 17): short offers and needs per sector group in
nb, nn, sv, da, fi and en, each with the tags a careful reader expects, written before the reading
was measured (tests/method/data/owner_probe.yaml). The reading was then tuned on it, so its
figures are in-sample: they say the reading does what the probe asks, not how it generalises (a
probe written later, tests/method/data/form_rows_probe.yaml, measured that before its own pass).
The floors and ceilings keep the reading from sliding back. Then focused tests for the word
families added with it."""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from method import taxonomy
from tests.method.words import tags_of

PROBE = yaml.safe_load(
    (Path(__file__).parent / "data" / "owner_probe.yaml").read_text(encoding="utf-8")
)
LANGS = ("nb", "nn", "sv", "da", "fi", "en")

# Per language: share of expected tags found (at least), tags found that no reader expects (at
# most). Before this pass: nb 0.838/9, nn 0.732/3, sv 0.899/14, da 0.915/6, fi 0.870/4, en 0.786/11.
RECALL_FLOOR = {"nb": 0.91, "nn": 0.89, "sv": 0.94, "da": 0.98, "fi": 0.98, "en": 0.97}
FALSE_CEILING = {"nb": 7, "nn": 1, "sv": 9, "da": 1, "fi": 3, "en": 7}


def _measure() -> tuple[Counter, Counter, Counter]:
    found, wanted, false = Counter(), Counter(), Counter()
    for langs in PROBE["texts"].values():
        for lang, items in langs.items():
            for item in items:
                _field, text, want = item[:3]
                ok = set(item[3]) if len(item) > 3 else set()
                got = tags_of(text)
                found[lang] += len(got & set(want))
                wanted[lang] += len(want)
                false[lang] += len(got - set(want) - ok)
    return found, wanted, false


MEASURED = _measure()


def test_probe_covers_every_sector_group_and_language():
    groups = {g.key for g in taxonomy.groups()}
    assert set(PROBE["texts"]) == groups
    for langs in PROBE["texts"].values():
        assert set(langs) == set(LANGS)
        for items in langs.values():
            for item in items:
                assert item[0] in {"offers", "needs"}
                assert all(taxonomy.is_tag(t) for t in [*item[2], *(item[3:] or [[]])[0]])


@pytest.mark.parametrize("lang", LANGS)
def test_probe_recall(lang):
    found, wanted, _false = MEASURED
    assert found[lang] / wanted[lang] >= RECALL_FLOOR[lang]


@pytest.mark.parametrize("lang", LANGS)
def test_probe_false_matches(lang):
    assert MEASURED[2][lang] <= FALSE_CEILING[lang]


@pytest.mark.parametrize(
    ("word", "group"),
    [(w, g) for words in PROBE["sectors"].values() for w, g in words.items()],
)
def test_probe_sector_words(word, group):
    assert taxonomy.sector_group_for(word).group == group


# --- word families added with the probe -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "not_expected"),
    [
        # Wanting, seeking and lacking lead to what is wanted; they are no tag themselves.
        ("Søger lokale råvarer", {"local_food"}, {"heritage_stories"}),
        ("Looking for musicians to play on Friday nights", {"live_performance"}, set()),
        ("Haluamme myyntiin lähiruokaa", {"local_food"}, set()),
        ("Vi är en resebyrå", {"packaging"}, {"tech_vr"}),
        ("Vi driver ett litet café", {"meals"}, {"passenger_transport"}),
        ("Vi treng fleire leverandørar av overnatting", {"accommodation"}, set()),
        ("Vi skipar til konsertar", {"live_performance"}, set()),
        # "Someone who can" after a need verb, and a clause that opens anew after "and".
        ("Trenger noen som kan ta med gjestene på guidede turer", {"guided_tour"}, {"visitors"}),
        ("Vi hyr ut stugor vid sjön och har vedeldad bastu", {"accommodation", "wellness"}, set()),
        (
            "Ønsker lokalmat til frokosten og noen som kan spille musikk om kvelden",
            {"local_food", "live_performance"},
            set(),
        ),
        ("Need shops to stock our products and help with branding", {"design_branding"}, set()),
        # An occasion after "till" stays an occasion.
        ("tårtor till bröllop och fester", set(), {"event_program"}),
        # Finnish "X:llä on Y" is "X has Y"; a word on -nen is no genitive.
        ("Meillä on mökkejä ja sauna", {"accommodation", "wellness"}, set()),
        ("Kyläyhdistyksellä on vapaaehtoisia", {"volunteers"}, set()),
        ("Tilalla on kahvila", {"meals"}, {"venue"}),
        ("aamiainen omista raaka-aineista", {"meals", "local_food"}, set()),
        # Norwegian feminine nouns on -a.
        ("Vi leier ut hytta vår", {"accommodation"}, set()),
        ("Ferja går kvar time", {"water_transport"}, set()),
        ("drosja", {"passenger_transport"}, set()),
    ],
)
def test_reading_fixes(text, expected, not_expected):
    found = tags_of(text)
    assert expected <= found
    assert not (not_expected & found)


FAMILIES = {
    "visitors": [
        "flere deltakere på kursene",
        "fleire deltakarar",
        "fler deltagare",
        "flere deltagere",
        "lisää osallistujia",
        "more participants",
    ],
    "family_activities": [
        "aktiviteter for barn",
        "aktivitetar for born",
        "aktiviteter för barnfamiljer",
        "aktiviteter for børnefamilier",
        "activities for kids",
        "activities for families",
    ],
    "course_workshop": [
        "kulturskole",
        "kulturskule",
        "kulturskola",
        "bakekurs",
        "leivontakursseja",
    ],
    "venue": [
        "utstillingslokale",
        "utställningslokal",
        "udstillingssteder",
        "näyttelytiloja",
        "a gallery space",
    ],
    "exhibition": ["stille ut", "stiller ut bilder", "ställa ut", "udstille"],
    "digital_skills": [
        "vi lager nettsider",
        "vi lagar heimesider",
        "vi bygger hemsidor",
        "vi laver webshops",
        "teemme verkkosivuja",
        "we build websites",
    ],
    "tech_vr": ["VR-opplevelser", "VR-upplevelser", "VR-oplevelser", "VR-elämyksiä"],
    "funding_advice": [
        "hjelp til å søkje om støtte",
        "søke om midler",
        "ansöka om bidrag",
        "søge om tilskud",
        "need help applying for grants",
    ],
    "event_program": ["bygdefest", "sommerfest", "järjestämme häitä ja juhlia", "juhlissa"],
    "passenger_transport": [
        "kuljetamme ryhmiä",
        "bussutleie med sjåfør",
        "busudlejning med chauffør",
        "coach hire",
        "busrejser",
    ],
    "catering": ["smørrebrød ud af huset", "we cater weddings"],
    "meals": ["rom med frokost", "rum med frukost", "værelser med morgenmad", "pizzeria"],
    "outdoor_activity": ["husky rides", "safareita", "moottorikelkkasafareille"],
    "local_drinks": ["paikallisia oluita"],
    "local_food": ["marjoja", "hjemmelavet is", "hemgjord glass", "hjemmelaget is"],
    "handmade_products": ["glassblåsing", "glasblåsare", "glaspuster", "lasinpuhallus"],
    "accommodation": ["mökeissä"],
    "farm_visit": ["kotieläimiä"],
    "group_customers": ["gruppresenärer"],
    "group_accommodation": ["hostel with dorms"],
    "language_guiding": [
        "Omvisning på tysk og engelsk",
        "Guidade turer på engelska och tyska",
        "Rundvisninger på tysk",
        "Opastuksia myös englanniksi",
        "Guided tours in German and English",
        "Fisketurer med guide på tysk",
    ],
}


@pytest.mark.parametrize(
    ("tag", "text"), [(tag, text) for tag, texts in FAMILIES.items() for text in texts]
)
def test_word_families(tag, text):
    assert tag in tags_of(text)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # Generic "products" and "goods" say nothing about handmade crafts.
        ("Behöver fler ställen att sälja våra produkter", "handmade_products"),
        ("tuotteita", "handmade_products"),
        ("our products", "handmade_products"),
        # Norwegian and Swedish "store/stora" is big, not a shop; "business" is no bus.
        ("store grupper", "sales_outlet"),
        ("stora grupper", "sales_outlet"),
        ("Business coaching for small firms", "passenger_transport"),
        ("Taxa og busudlejning med chauffør", "equipment_rental"),
        ("kuljetuksia häihin", "event_program"),
        # A language after a menu or a website is no guiding.
        ("Meny på tysk og engelsk", "language_guiding"),
        ("Nettside på engelsk", "language_guiding"),
        ("menu in English", "language_guiding"),
    ],
)
def test_wrong_matches_gone(text, wrong):
    assert wrong not in tags_of(text)


@pytest.mark.parametrize(
    ("word", "group"),
    [
        ("bonde", "local_food"),
        ("sauebonde", "local_food"),
        ("gardbrukar", "local_food"),
        ("landmand", "local_food"),
        ("maanviljelijä", "local_food"),
        ("farmer", "local_food"),
        ("grendalag", "community"),
        ("turlag", "community"),
        ("bondegårdscafé", "food_service"),
        ("cooking school", "education_courses"),
        ("business", None),
        ("ismejeri", "local_food"),
    ],
)
def test_sector_words(word, group):
    assert taxonomy.sector_group_for(word).group == group


@pytest.mark.parametrize(
    "word", ["bryllupslokaler", "bröllopslokaler", "eventlokal", "juhlatiloja", "wedding venues"]
)
def test_venue_sector_words_name_the_venue_class(word):
    assert taxonomy.sector_group_for(word).nace_code == "68.20"
