"""Sector words owners of rural businesses write (nb, nn, sv, da, fi, en): what a rental lets
decides its group, tourism as a whole is a sector, a hall for parties is an events business, and
the import, the pairing and the report all read one sector the same way."""

import pytest

from app.reports.data import sector_group as report_group
from method import taxonomy
from workshops.businesses import registry

# A rental is a business of what it lets: (word as written, group, NACE class)
RENTALS = {
    "nb": [
        ("hytteutleie", "accommodation", "55.30"),
        ("hyttutleie", "accommodation", "55.30"),
        ("romutleige", "accommodation", None),
        ("leilighetsutleie", "accommodation", None),
        ("utleie av hytter", "accommodation", "55.30"),
        ("sykkelutleie", "guides_activities", "77.21"),
        ("skiutleie", "guides_activities", "77.21"),
        ("båtutleie", "guides_activities", "77.21"),
        ("lokaleutleie", "performing_arts_events", "68.20"),
    ],
    "nn": [
        ("hytteutleige", "accommodation", "55.30"),
        ("hyttutleige", "accommodation", "55.30"),
        ("båtutleige", "guides_activities", "77.21"),
    ],
    "sv": [
        ("stuguthyrning", "accommodation", "55.30"),
        ("stuguthyrare", "accommodation", "55.30"),
        ("sommarstugeuthyrning", "accommodation", "55.30"),
        ("lägenhetsuthyrning", "accommodation", None),
        ("kanotuthyrning", "guides_activities", "77.21"),
        ("skiduthyrning", "guides_activities", "77.21"),
        ("lokaluthyrning", "performing_arts_events", "68.20"),
    ],
    "da": [
        ("hytteudlejning", "accommodation", "55.30"),
        ("hyttudlejning", "accommodation", "55.30"),
        ("sommerhusudlejning", "accommodation", "55.30"),
        ("lejlighedsudlejning", "accommodation", None),
        ("udlejning af hytter", "accommodation", "55.30"),
        ("kanoudlejning", "guides_activities", "77.21"),
        ("cykeludlejning", "guides_activities", "77.21"),
        ("bådudlejning", "guides_activities", "77.21"),
        ("lokaleudlejning", "performing_arts_events", "68.20"),
    ],
    "fi": [
        ("mökkivuokraus", "accommodation", "55.30"),
        ("huvilavuokraus", "accommodation", "55.30"),
        ("mökkien vuokraus", "accommodation", "55.30"),
        ("huoneistovuokraus", "accommodation", None),
        ("suksivuokraus", "guides_activities", "77.21"),
        ("venevuokraus", "guides_activities", "77.21"),
    ],
    "en": [
        ("cabin rental", "accommodation", "55.30"),
        ("cabin hire", "accommodation", "55.30"),
        ("cottage rental", "accommodation", "55.30"),
        ("room rental", "accommodation", None),
        ("ski rental", "guides_activities", "77.21"),
        ("boat rental", "guides_activities", "77.21"),
    ],
}


def _cases(table):
    return [(lang, *row) for lang, rows in table.items() for row in rows]


@pytest.mark.parametrize(("lang", "word", "group", "code"), _cases(RENTALS))
def test_a_rental_is_a_business_of_what_it_lets(lang, word, group, code):
    match = taxonomy.sector_group_for(word)

    assert (match.recognised, match.group, match.nace_code) == (True, group, code), lang


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("hyttudlejning", "accommodation"),
        ("hyttutleie", "accommodation"),
        ("stuguthyrare", "accommodation"),
        ("huvilavuokraus", "accommodation"),
        ("romutleige", "accommodation"),
        ("lejlighedsudlejning", "accommodation"),
        ("lokaleutleie", "venue"),
        ("lokaluthyrning", "venue"),
        ("kajakudlejning", "equipment_rental"),
        ("sykkelutleie", "equipment_rental"),
        ("bådudlejning", "equipment_rental"),
        ("suksivuokraus", "equipment_rental"),
    ],
)
def test_an_offered_rental_is_read_as_what_it_lets(text, tag):
    assert taxonomy.map_words(text).tags == (tag,)


def test_a_misspelt_cabin_rental_is_imported_shown_and_reported_as_accommodation():
    reading = registry.read_profile("hyttudlejning", "", "")

    assert reading.sector_group == "accommodation"
    assert [p for p in reading.problems if p[0] == "sector"] == []
    assert "accommodation" in reading.offers
    assert "equipment_rental" not in reading.needs
    assert report_group(reading.sector) == "accommodation"


# Tourism as a whole: a tourist information and guiding business (class 79.90)
TOURISM = {
    "nb": [
        "turisme",
        "reiseliv",
        "reiselivet",
        "reiselivsbedrift",
        "besøksnæring",
        "turistbedrift",
    ],
    "nn": ["reiselivsverksemd", "turistnæring"],
    "sv": ["turism", "turismen", "besöksnäring", "besöksnäringen", "turistbyrå", "turistföretag"],
    "da": ["turisme", "turismen", "turistvirksomhed", "besøgserhverv", "turistbureau"],
    "fi": ["matkailu", "matkailua", "matkailuala", "matkailualan", "matkailuyritys"],
    "en": ["tourism", "tourism business", "visitor economy", "tourist office"],
}


@pytest.mark.parametrize(
    ("lang", "word"), [(lang, w) for lang, words in TOURISM.items() for w in words]
)
def test_tourism_is_a_sector_word_in_every_language(lang, word):
    match = taxonomy.sector_group_for(word)

    assert (match.recognised, match.group, match.nace_code) == (
        True,
        "guides_activities",
        "79.90",
    ), lang


def test_a_tourism_business_with_many_offers_is_read_without_a_warning():
    reading = registry.read_profile("Turism", "stugor, guidade turer, kanotuthyrning", "")

    assert reading.sector_group == "guides_activities"
    assert [p for p in reading.problems if p[0] == "sector"] == []
    assert {"accommodation", "guided_tour", "equipment_rental"} <= set(reading.offers)
    assert report_group(reading.sector) == "guides_activities"


# Halls let for weddings and parties (class 68.20) are events businesses
VENUES = {
    "nb": ["selskapslokale", "festlokale", "bryllupslokale", "grendehus"],
    "nn": ["bryllaupslokale", "festlokalet"],
    "sv": ["bröllopslokal", "festlokal", "festvåning", "bygdegård"],
    "da": ["selskabslokale", "festlokale", "forsamlingshus"],
    "fi": ["juhlatila", "hääpaikka", "juhlapaikka", "seurantalo"],
    "en": ["event venue", "wedding venue", "party venue", "village hall"],
}


@pytest.mark.parametrize(
    ("lang", "word"), [(lang, w) for lang, words in VENUES.items() for w in words]
)
def test_a_party_venue_is_read_reported_and_paired_in_one_group(lang, word):
    reading = registry.read_profile(word, "", "")

    assert reading.sector_group == "performing_arts_events", lang
    assert report_group(reading.sector) == reading.sector_group
    assert "venue" in reading.offers
    assert [p for p in reading.problems if p[0] == "sector"] == []


def test_a_venue_and_a_photographer_keep_their_joint_product():
    weight, product = taxonomy.affinity("performing_arts_events", "visual_arts_media")

    assert (weight, product) == (0.5, "events_on_camera")
    assert taxonomy.product_label(product, "nb") == "foto og film fra arrangementer"


# Everyday rural sector words: (word as written, group)
EVERYDAY = {
    "nb": [
        ("gårdsbutikk", "local_food"),
        ("gårdsturisme", "accommodation"),
        ("gjestegård", "accommodation"),
        ("hyttefelt", "accommodation"),
        ("bnb", "accommodation"),
        ("rom med frokost", "accommodation"),
        ("matbil", "food_service"),
        ("eventselskap", "performing_arts_events"),
        ("brenneri", "local_food"),
        ("siderprodusent", "local_food"),
        ("jaktturisme", "guides_activities"),
        ("fiskecamp", "guides_activities"),
    ],
    "nn": [
        ("gardsturisme", "accommodation"),
        ("hundekøyring", "guides_activities"),
        ("fiskeleir", "guides_activities"),
    ],
    "sv": [
        ("gästgård", "accommodation"),
        ("landsbygdsturism", "accommodation"),
        ("campingplats", "accommodation"),
        ("slädhundsturer", "guides_activities"),
        ("fiskeläger", "guides_activities"),
        ("cateringföretag", "food_service"),
        ("eventföretag", "performing_arts_events"),
        ("bränneri", "local_food"),
    ],
    "da": [
        ("gæstegård", "accommodation"),
        ("landboferie", "accommodation"),
        ("campingplads", "accommodation"),
        ("fiskelejr", "guides_activities"),
        ("cateringfirma", "food_service"),
        ("bryghus", "local_food"),
        ("jagtturisme", "guides_activities"),
    ],
    "fi": [
        ("maaseutumatkailu", "accommodation"),
        ("kalastusleiri", "guides_activities"),
        ("erämaaopas", "guides_activities"),
        ("retkiopas", "guides_activities"),
        ("metsästysmatkailu", "guides_activities"),
        ("ruoka-auto", "food_service"),
        ("tapahtumayritys", "performing_arts_events"),
    ],
    "en": [
        ("guest farm", "accommodation"),
        ("caravan park", "accommodation"),
        ("holiday park", "accommodation"),
        ("bed & breakfast", "accommodation"),
        ("fishing camp", "guides_activities"),
        ("event company", "performing_arts_events"),
        ("catering company", "food_service"),
        ("distillery", "local_food"),
        ("craft distillery", "local_food"),
        ("artisan", "crafts"),
        ("craftsperson", "crafts"),
    ],
}


@pytest.mark.parametrize(("lang", "word", "group"), _cases(EVERYDAY))
def test_an_everyday_rural_sector_word_names_its_group(lang, word, group):
    match = taxonomy.sector_group_for(word)

    assert (match.recognised, match.group) == (True, group), lang


# The same words in an offers field: (text, tag)
OFFERED = {
    "nb": [("brenneri", "local_drinks"), ("siderprodusent", "local_drinks")],
    "sv": [
        ("bränneri", "local_drinks"),
        ("cateringföretag", "catering"),
        ("sångare", "live_performance"),
    ],
    "da": [("bryghus", "local_drinks"), ("sangerinde", "live_performance")],
    "fi": [("laulaja", "live_performance")],
    "en": [("singer", "live_performance"), ("brewhouse", "local_drinks")],
}


@pytest.mark.parametrize(("lang", "text", "tag"), _cases(OFFERED))
def test_an_everyday_offer_word_gives_its_tag(lang, text, tag):
    assert taxonomy.map_words(text).tags == (tag,), lang


@pytest.mark.parametrize(
    "text", ["stora salen tar 120 sittande gäster", "plass til 80 sittende gjester"]
)
def test_seats_for_guests_are_a_capacity_not_visitors(text):
    assert "visitors" not in taxonomy.map_words(text).tags


@pytest.mark.parametrize("text", ["trenger 100 nye gjester", "we want 100 more visitors"])
def test_more_guests_wanted_are_still_visitors(text):
    assert "visitors" in taxonomy.map_words(text).tags
