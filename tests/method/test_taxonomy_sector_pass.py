"""A pass over every sector group of METHOD.md section 3: the everyday names owners give their
business in the sector field (nb, nn, sv, da, fi, en), and the offers and needs they write, with
inflections and compounds."""

import pytest

from method import taxonomy
from workshops.businesses import registry

# Sector words per group: (word as written, group, NACE class it names or None)
SECTORS = {
    "accommodation": [
        ("hotelli", None),
        ("vandrerhjem", None),
        ("gästgivargård", None),
        ("majatalo", None),
        ("loma-asunnot", None),
        ("feriecenter", None),
        ("mökkivuokraus", "55.30"),
        ("hyttegrend", "55.30"),
        ("sommerhusudlejning", "55.30"),
        ("leirintäalue", "55.30"),
    ],
    "food_service": [
        ("kahvila", "56.10"),
        ("lounasravintola", None),
        ("gatekjøkken", None),
        ("pitopalvelu", None),
        ("gårdscafé", None),
        ("konditori", None),
    ],
    "local_food": [
        ("gårdsbutikk", None),
        ("tilapuoti", None),
        ("leipomo", "10.71"),
        ("juustola", "10.51"),
        ("røykeri", "10.20"),
        ("pienpanimo", "11.05"),
        ("siideri", "11.03"),
        ("cider", "11.03"),
        ("vingård", "11.03"),
        ("destilleri", None),
        ("tislaamo", None),
        ("marjatila", "01"),
        ("bærgård", "01"),
        ("honningprodusent", "01"),
        ("hjortefarm", "01"),
        ("poroyrittäjä", "01"),
        ("renskötsel", "01"),
        ("gartneri", "01"),
    ],
    "guides_activities": [
        ("elämysyritys", None),
        ("elämyspalvelut", None),
        ("ohjelmapalvelut", None),
        ("opplevelsesselskap", None),
        ("upplevelseföretag", None),
        ("oplevelser", None),
        ("safariyritys", None),
        ("koiravaljakko", None),
        ("hundspann", None),
        ("ratsastustalli", None),
        ("laskettelukeskus", None),
        ("skisenter", None),
        ("golfbane", None),
        ("escape room", None),
        ("dog sledding", None),
        ("turistbyrå", "79.90"),
        ("turistkontor", "79.90"),
        ("matkailuneuvonta", "79.90"),
        ("fjellguide", "79.90"),
        ("cykeludlejning", "77.21"),
        ("savusauna", "96.04"),
    ],
    "travel_trade": [
        ("reisebyrå", None),
        ("matkatoimisto", None),
        ("rejsebureau", None),
        ("turoperatør", None),
    ],
    "performing_arts_events": [
        ("trubadur", "90.01"),
        ("trubaduuri", "90.01"),
        ("danseband", "90.01"),
        ("tanssiorkesteri", "90.01"),
        ("soittokunta", "90.01"),
        ("musikant", "90.01"),
        ("spelmanslag", "90.01"),
        ("festivaali", None),
        ("hääpalvelut", "82.30"),
        ("eventbureau", "82.30"),
    ],
    "visual_arts_media": [
        ("valokuvaaja", "74.20"),
        ("galleri", None),
        ("videotuotanto", None),
        ("konstnär", None),
    ],
    "heritage_museums": [
        ("kotiseutumuseo", "91.02"),
        ("bygdetun", None),
        ("hembygdsgård", None),
    ],
    "crafts": [
        ("husflid", None),
        ("hemslöjd", None),
        ("käsityöläinen", None),
        ("kutoja", None),
        ("strikking", None),
        ("snickare", None),
        ("käsityöliike", "47.78"),
        ("keramik", None),
        ("keramikk", None),
    ],
    "transport": [
        ("taksi", "49.32"),
        ("linja-auto", "49.39"),
        ("vesitaksi", "49.32"),
        ("lautta", None),
        ("båtturer", None),
    ],
    "retail": [
        ("kyläkauppa", None),
        ("lanthandel", None),
        ("kirpputori", "47.79"),
        ("loppemarked", "47.79"),
        ("loppis", "47.79"),
        ("genbrugsbutik", "47.79"),
    ],
    "education_courses": [
        ("kulturskole", None),
        ("kansanopisto", None),
    ],
    "enablers": [
        ("digitoimisto", "62.01"),
        ("webbureau", "62.01"),
        ("tilitoimisto", None),
        ("bokföringsbyrå", None),
        ("rådgivning", None),
        ("markedsføringsbyrå", None),
        ("markkinointitoimisto", None),
        ("mainostoimisto", None),
        ("reklambyrå", None),
    ],
    "community": [
        ("kyläyhdistys", None),
        ("grendelag", None),
        ("byalag", None),
    ],
}


@pytest.mark.parametrize(
    ("word", "group", "code"),
    [(word, group, code) for group, rows in SECTORS.items() for word, code in rows],
)
def test_an_everyday_sector_word_names_its_group(word, group, code):
    match = taxonomy.sector_group_for(word)

    assert match.recognised, word
    assert (match.group, match.nace_code) == (group, code)


def test_a_troubadour_known_only_by_its_sector_is_a_musician_not_a_stage():
    reading = registry.read_profile("trubadur", "", "")

    assert reading.assumed
    assert "live_performance" in reading.offers
    assert "stage_tech" not in reading.offers
    assert "venue" in reading.needs


def test_an_advertising_agency_is_an_enabler_in_every_language():
    groups = {
        taxonomy.sector_group_for(w).group for w in ("reklamebyrå", "reklambyrå", "mainostoimisto")
    }

    assert groups == {"enablers"}


def test_no_word_hides_a_soft_hyphen():
    from pathlib import Path

    data = Path(taxonomy.__file__).parent / "data" / "taxonomy.yaml"

    assert "\u00ad" not in data.read_text(encoding="utf-8")


# Offers and needs as owners write them: (text, tag it must give, tags it must not give)
WORDS = {
    "nb": [
        ("overnatting for grupper", "group_accommodation", set()),
        ("omvisning på gården", "farm_visit", set()),
        ("hjemmebakt", "meals", set()),
        ("nye nettsider", "digital_skills", set()),
        ("ny nettside", "digital_skills", set()),
        ("bilder til ny nettside", "content_media", {"digital_skills"}),
        ("vi trenger flere overnattingsgjester", "visitors", {"accommodation"}),
        ("isklatring og småviltjakt", "outdoor_activity", set()),
        ("kringle", "local_food", set()),
        ("tyskspråklig guiding", "language_guiding", set()),
    ],
    "nn": [
        ("stader å selje", "sales_outlet", set()),
        ("omvisning på garden", "farm_visit", set()),
        ("heimebakt", "meals", set()),
        ("sal av lokal mat", "sales_outlet", {"venue"}),
    ],
    "sv": [
        ("ny hemsida", "digital_skills", set()),
        ("boende för grupper", "group_accommodation", set()),
        ("fler övernattningsgäster", "visitors", {"accommodation"}),
    ],
    "da": [
        ("ny hjemmeside", "digital_skills", set()),
        ("overnatning til grupper", "group_accommodation", set()),
        ("guidede ture på tysk", "language_guiding", set()),
        ("flere hotelgæster", "visitors", {"accommodation"}),
    ],
    "fi": [
        ("keramiikkakursseja", "course_workshop", {"handmade_products"}),
        ("kursseja lapsille", "course_workshop", set()),
        ("huvila 10 hengelle", "accommodation", set()),
        ("uudet kotisivut", "digital_skills", set()),
        ("valokuvaaja uusia nettisivuja varten", "content_media", {"digital_skills"}),
        ("tarvitsemme uusia kotisivuja", "digital_skills", set()),
        ("kokoukset ja juhlat", "venue", set()),
        ("porotila", "farm_visit", set()),
        ("lisää majoitusasiakkaita", "visitors", {"accommodation"}),
        ("opas ryhmiä varten", "guided_tour", {"group_customers"}),
        ("majoitusta kokousryhmiä varten", "accommodation", {"group_customers"}),
        ("kuljetuksia häitä varten", "passenger_transport", {"event_program"}),
    ],
    "en": [
        ("locally produced food", "local_food", set()),
        ("accommodation for groups", "group_accommodation", set()),
        ("a new website", "digital_skills", set()),
    ],
}


@pytest.mark.parametrize(
    ("lang", "text", "wanted", "unwanted"),
    [(lang, *row) for lang, rows in WORDS.items() for row in rows],
)
def test_owners_words_give_their_tag(lang, text, wanted, unwanted):
    found = set(taxonomy.map_words(text).tags)

    assert wanted in found, (lang, text, found)
    assert not unwanted & found, (lang, text, found)


def test_a_finnish_for_what_alone_gives_no_tag():
    assert taxonomy.map_words("ryhmiä varten").tags == ()


# NACE codes as registers and form exports write them (SN2007, SNI, TOL, Danish DB07)
CODES = [
    ("55.10", "55.10"),
    ("55101", "55.10"),
    ("551010", "55.10"),
    ("55.10.10", "55.10"),
    ("NACE 55.10", "55.10"),
    ("NACE Rev. 2 55.10", "55.10"),
    ("SN2007 55.101", "55.10"),
    ("TOL 56101", "56.10"),
    ("I 55.10", "55.10"),
    ("5510 Hotell", "55.10"),
    ("551010 Hoteller", "55.10"),
    ("47.78 - Butikkhandel med husflid", "47.78"),
    ("NACE 55 Overnatting", "55"),
]


@pytest.mark.parametrize(("written", "code"), CODES)
def test_a_code_reads_with_its_scheme_and_label(written, code):
    assert taxonomy.parse_nace(written) == code
    assert taxonomy.sector_group_for(written).nace_code == code


@pytest.mark.parametrize("written", ["hotell", "2 rom", "12345678", "55.10.101", "00.00"])
def test_words_and_other_numbers_are_no_code(written):
    assert taxonomy.parse_nace(written) is None


# A number before words is a count, not a code with its label: the words decide the sector.
COUNTS = [
    ("20 rom hotell", "accommodation"),
    ("50 år med fiske", "guides_activities"),
    ("10 km fra sentrum", None),
    ("12 hytter til leie", "accommodation"),
]


@pytest.mark.parametrize(("written", "group"), COUNTS)
def test_a_count_before_words_is_no_code(written, group):
    assert taxonomy.parse_nace(written) is None
    assert taxonomy.sector_group_for(written).group == group


def test_a_craft_shop_known_by_its_code_and_label_is_a_shop():
    reading = registry.read_profile("47.78 Husflid", "", "")

    assert reading.nace_code == "47.78"
    assert reading.offers == ("sales_outlet",)


@pytest.mark.parametrize(
    "written", ["loppis", "kirpputori", "Bygdeloppisen", "47.79", "flea market"]
)
def test_a_flea_market_wants_visitors_and_a_meal_not_makers_goods(written):
    reading = registry.read_profile(written, "", "")

    assert reading.sector_group == "retail"
    assert set(reading.offers) == {"sales_outlet", "event_program"}
    assert set(reading.needs) == {"visitors", "meals", "marketing_reach"}
