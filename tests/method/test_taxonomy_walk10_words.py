"""Words a browser walk (walk10c) found misread, per language (nb, nn, sv, da, fi, en): a word
for customers in the offers is never lost, a web page is no cider, a flea market and a digital
agency are sectors, a wedding party hall is a venue, rowing boats are let, cinnamon buns are
baked, a farm café serves the farm's food, and "Nordlys Hytter" lets cabins."""

import pytest

from method import taxonomy
from tests.method.words import tags_of

# --- a word for customers in the offers is never lost --------------------------------------

CUSTOMER_FLOW = {"visitors", "group_customers"}
KINDERGARTEN = {
    "nb": "Barnehage",
    "nn": "Barnehage",
    "sv": "Förskola",
    "da": "Børnehave",
    "fi": "Päiväkoti",
    "en": "Kindergarten",
}


@pytest.mark.parametrize(("lang", "word"), sorted(KINDERGARTEN.items()))
def test_a_phrase_that_gave_only_left_out_tags_is_kept_as_written(lang, word):
    reading = taxonomy.map_words(f"{word}, guided tours").without(CUSTOMER_FLOW)

    assert reading.tags == ("guided_tour",), lang
    assert reading.free == (word,), lang


@pytest.mark.parametrize(
    "text", ["julebord", "teambuilding for firma", "skuleklassar", "Turister", "kickoff"]
)
def test_no_customer_word_in_the_offers_vanishes(text):
    reading = taxonomy.map_words(f"rom, {text}, xyzzy").without(CUSTOMER_FLOW)

    assert reading.tags == ("accommodation",)
    assert reading.free == (text, "xyzzy")  # in the field's order


def test_leaving_nothing_out_changes_nothing():
    reading = taxonomy.map_words("Barnehage, hytter")

    assert reading.without(()) == reading
    assert reading.without(()).free == ()


def test_each_phrase_is_kept_with_what_it_gave():
    reading = taxonomy.map_words("hytter, xyzzy og Barnehage")

    assert reading.read == (
        ("hytter", ("accommodation",)),
        ("xyzzy", ()),
        ("Barnehage", ("group_customers",)),
    )


def test_a_phrase_that_also_gave_an_offer_is_no_free_word():
    reading = taxonomy.map_words("turer for skoleklasser").without(CUSTOMER_FLOW)

    assert reading.free == ()
    assert reading.tags


# --- word lists, per language ---------------------------------------------------------------

# (text as written, tags it must give, tags it must not give)
WORDS = {
    "nb": [
        ("Digitalt byrå som lager nettsider og sosiale medier", {"digital_skills"}, set()),
        ("Vi lager nettsider", {"digital_skills"}, {"local_drinks", "local_food"}),
        ("websider og forsider", set(), {"local_drinks"}),
        ("eplesider og pæresider", {"local_drinks"}, set()),
        ("Båtutleie og leie av robåt", {"equipment_rental"}, set()),
        ("leie av kajakk", {"equipment_rental"}, set()),
        ("kjøkken kan leies", set(), {"equipment_rental"}),
        ("Bakeri med brød og kanelboller", {"local_food"}, set()),
        ("Gårdskafé med hjemmebakst", {"meals", "local_food", "farm_visit"}, set()),
        ("Loppemarked hver lørdag", {"sales_outlet", "event_program"}, set()),
    ],
    "nn": [
        ("Digitalt byrå som lagar nettsider", {"digital_skills"}, {"local_drinks"}),
        ("Loppemarknad kvar laurdag", {"sales_outlet", "event_program"}, set()),
        ("Båtutleige og leige av robåt", {"equipment_rental"}, set()),
        ("Bakeri med brød og kanelbollar", {"local_food"}, set()),
        ("Gardskafé med heimebakst", {"meals", "local_food", "farm_visit"}, set()),
    ],
    "sv": [
        ("Digital byrå som gör webbsidor och sociala medier", {"digital_skills"}, set()),
        ("Båtuthyrning, hyr en roddbåt", {"equipment_rental"}, set()),
        ("Bageri med bröd och kanelbullar", {"local_food"}, set()),
        ("Gårdscafé med hembakat", {"meals", "local_food", "farm_visit"}, set()),
        ("gårdscafe", {"meals", "local_food", "farm_visit"}, set()),
    ],
    "da": [
        ("Digitalt bureau der laver hjemmesider", {"digital_skills"}, {"local_drinks"}),
        ("Vi laver hjemmesider", {"digital_skills"}, {"local_drinks", "local_food"}),
        ("Bådudlejning, lej en robåd", {"equipment_rental"}, set()),
        ("Bageri med brød og kanelsnegle", {"local_food"}, set()),
        ("Gårdcafé med hjemmebag", {"meals", "local_food", "farm_visit"}, set()),
        ("bondegårdscafé", {"meals", "local_food", "farm_visit"}, set()),
    ],
    "fi": [
        ("Hääjuhlatila vanhassa navetassa", {"venue"}, set()),
        ("Maatilakahvila ja kotileivonnaiset", {"meals", "local_food", "farm_visit"}, set()),
        ("Veneenvuokraus ja soutuveneet", {"equipment_rental"}, set()),
    ],
    "en": [
        ("Farm café with home baking", {"meals", "local_food", "farm_visit"}, set()),
        ("Boat rental, rowing boats for hire", {"equipment_rental"}, set()),
        ("Digital agency making websites", {"digital_skills"}, {"local_drinks"}),
    ],
}
CASES = [(lang, *case) for lang, cases in WORDS.items() for case in cases]


@pytest.mark.parametrize(("lang", "text", "must", "must_not"), CASES)
def test_walk10_words_read_as_owners_mean_them(lang, text, must, must_not):
    found = tags_of(text)

    assert must <= found, f"{lang}: {text!r} gave {sorted(found)}"
    assert not (must_not & found), f"{lang}: {text!r} gave {sorted(found)}"


@pytest.mark.parametrize(
    "text", ["leie av robåt", "leige av robåt", "lej en robåd", "kanelbollar", "kanelsnegle"]
)
def test_walk10_words_are_no_longer_kept_unmapped(text):
    assert taxonomy.map_words(text).free == ()


# --- sectors --------------------------------------------------------------------------------

# (sector as written, group it must be read as)
SECTORS = {
    "nb": [
        ("Digitalt byrå som lager nettsider og sosiale medier", "enablers"),
        ("Digitalt byrå", "enablers"),
        ("Loppemarked hver lørdag", "retail"),
        ("eplesider", "local_food"),
    ],
    "nn": [
        ("Digitalt byrå som lagar nettsider", "enablers"),
        ("Loppemarknad kvar laurdag", "retail"),
    ],
    "sv": [("Digital byrå som gör webbsidor och sociala medier", "enablers")],
    "da": [
        ("Digitalt bureau der laver hjemmesider og sociale medier", "enablers"),
        ("Loppemarked hver lørdag", "retail"),
    ],
    "fi": [("Digitoimisto, verkkosivut ja some", "enablers"), ("Kirpputori", "retail")],
    "en": [("Digital agency making websites", "enablers"), ("Flea market", "retail")],
}
SECTOR_CASES = [(lang, *case) for lang, cases in SECTORS.items() for case in cases]


@pytest.mark.parametrize(("lang", "sector", "group"), SECTOR_CASES)
def test_walk10_sectors_read_as_their_group(lang, sector, group):
    assert taxonomy.sector_group_for(sector).group == group, lang


@pytest.mark.parametrize(
    "sector", ["Vi lager nettsider", "Vi laver hjemmesider", "nettsider", "hjemmesiderne"]
)
def test_making_web_pages_is_no_food_and_drink(sector):
    assert taxonomy.sector_group_for(sector).group != "local_food"


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("Nordlys Hytter", "accommodation"),  # the cabins say what it is, the aurora its name
        ("Kafé Nordlys", "food_service"),
        ("Hansens Bakeri", "local_food"),
        ("Villmarkseventyr Camping", "accommodation"),
    ],
)
def test_in_a_name_the_most_specific_sector_word_wins(name, group):
    assert taxonomy.sector_group_for(name, codes=False).group == group


def test_in_a_list_of_phrases_the_first_thing_listed_still_says_the_sector():
    # a knitting studio with a knitting café is no café: the first phrase decides, as before
    found = taxonomy.sector_group_for("strikkekurs og strikkekafé", codes=False)

    assert found.group != "food_service"
