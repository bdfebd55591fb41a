"""A second pass over owners' words in five languages (nb/nn, sv, da, fi, en), per sector group:
what owners call their offers and needs, how a phrase turns to "for whom" or "of what", and
sector words that name a NACE class."""

import pytest

from method import taxonomy
from tests.method.words import tags_of

# (text as written, tags it must give, tags it must not give), per language
WORDS = {
    "nb": [
        ("utleie av leiligheter", {"accommodation"}, {"equipment_rental"}),
        ("hytter til leie", {"accommodation"}, set()),
        ("fjellstue", {"accommodation"}, set()),
        ("gardsturisme", {"accommodation"}, set()),
        ("bakeri og kafé", {"local_food", "meals"}, set()),
        ("kaffe og hjemmebakst, vafler, suppe og lunsj", {"meals"}, {"equipment_rental"}),
        ("restaurant og bar", {"meals"}, {"local_food"}),
        ("kvitost, brunost og rømme", {"local_food"}, set()),
        ("ølbryggeri", {"local_drinks"}, set()),
        ("toppturer og havpadling", {"outdoor_activity"}, set()),
        ("brevandring", {"guided_tour"}, set()),
        ("rib-tur", {"water_transport"}, set()),
        ("produktfoto og dronefoto", {"content_media"}, {"handmade_products"}),
        ("logodesign og merkevarebygging", {"design_branding"}, set()),
        ("hjelp til nettbutikk", {"digital_skills"}, {"sales_outlet"}),
        ("bestillinger til selskap", {"catering"}, {"booking_channel"}),
        ("ekstra folk i høysesongen", {"staff_capacity"}, {"visitors"}),
        ("matboder på festivalplassen", {"meals"}, set()),
        ("sykkel til utleie", {"equipment_rental"}, {"accommodation"}),
        ("matbutikk", set(), {"meals"}),
    ],
    "nn": [
        ("utleige av hytter", {"accommodation"}, {"equipment_rental"}),
        ("leilegheiter", {"accommodation"}, set()),
        ("sal av turane til utanlandske fiskarar", {"booking_channel"}, {"venue"}),
        ("sal frå gardsbua", {"sales_outlet"}, {"venue"}),
        ("nokon som kan køyre gjester frå ferja", {"passenger_transport"}, {"water_transport"}),
        ("nokon som kan selje turane våre til grupper", {"booking_channel"}, set()),
    ],
    "sv": [
        ("matstånd under marknaden", {"meals"}, set()),
        ("ost o yoghurt från egna kor", {"local_food"}, {"live_performance"}),
        ("40 gästplatser för båtar, dusch o bastu", {"accommodation", "wellness"}, set()),
        ("nån som kan ta gästerna på guidade turer", {"guided_tour"}, {"visitors"}),
        ("någon som gör en ny hemsida åt oss", {"digital_skills"}, set()),
        ("någon som säljer och bokar turerna", {"booking_channel"}, set()),
        ("förskola för barn 1–5 år", {"group_customers"}, {"family_activities"}),
        ("bruksföremål i stengods", {"handmade_products"}, set()),
        ("bo på lantgård", {"accommodation"}, set()),
        ("kaffestuga", {"meals"}, {"accommodation"}),
        ("resebyrå", {"packaging"}, set()),
        ("matpaket att ha med ombord", {"meals"}, {"packaging"}),
        ("ställe där gästerna kan äta efter turen", {"meals"}, set()),
    ],
    "da": [
        ("madboder til festivalen", {"meals"}, set()),
        ("sommerhusudlejning", {"accommodation"}, {"equipment_rental"}),
        ("cykler og elcykler til leje", {"equipment_rental"}, set()),
        ("øl brygget på øen, cider af lokale æbler", {"local_drinks"}, {"venue", "outdoor_site"}),
        ("æbler fra lokale haver", {"local_food"}, {"venue", "outdoor_site"}),
        ("håndvævede tæpper", {"handmade_products"}, set()),
        ("en der kan tage ordentlige billeder af produkterne", {"content_media"}, set()),
        (
            "flere kunstnere og håndværkere der vil udstille",
            {"artworks", "handmade_products"},
            set(),
        ),
        ("a la carte om aftenen, vinbar", {"meals"}, set()),
        ("rejsebureau", {"packaging"}, set()),
        ("vi spiller til fester", {"live_performance"}, {"tech_vr", "event_program"}),
        ("musik søndag eftermiddag", {"live_performance"}, {"meals"}),
    ],
    "fi": [
        ("ruokakojuja kylätapahtumaan", {"meals"}, set()),
        ("kyläkävelyt", {"guided_tour"}, set()),
        ("mökkivuokraus", {"accommodation"}, {"equipment_rental"}),
        ("matkailupalvelut", {"accommodation"}, set()),
        ("ruokapalvelut", {"meals"}, set()),
        ("ohjelmapalvelut", {"outdoor_activity", "guided_tour"}, set()),
        ("elämyspalvelut", {"outdoor_activity", "guided_tour"}, set()),
        ("leipomo", {"local_food"}, set()),
        ("kahvia, pullaa ja keittolounasta", {"meals"}, {"local_food"}),
        ("poroajelut ja lumikenkäkävely", {"outdoor_activity"}, set()),
        ("museolle kävijöitä", {"visitors"}, {"exhibition"}),
        ("käsityöläisiä museon myyntinurkkaukseen", {"handmade_products"}, {"exhibition"}),
        ("lähiruokaa ravintolaan", {"local_food"}, {"meals"}),
        ("iltaohjelmaa", {"live_performance"}, {"outdoor_activity"}),
        ("nettisivut uusiksi", {"digital_skills"}, set()),
        ("vierailuja maatilalle, lapset haluis nähdä eläimiä", {"farm_visit"}, set()),
        ("yhteistyötä matkanjärjestäjien kanssa", {"packaging"}, set()),
    ],
    "en": [
        ("food stalls for the fair", {"meals"}, set()),
        ("cabin rental", {"accommodation"}, {"equipment_rental"}),
        ("someone who sells our tours to groups abroad", {"booking_channel"}, set()),
        ("reindeer rides", {"outdoor_activity"}, {"passenger_transport"}),
        ("bakery", {"local_food"}, set()),
    ],
}


@pytest.mark.parametrize(
    ("lang", "text", "wanted", "unwanted"),
    [(lang, *row) for lang, rows in WORDS.items() for row in rows],
)
def test_owners_words_give_the_right_tags(lang, text, wanted, unwanted):
    found = tags_of(text)

    assert wanted <= found, (lang, text, found)
    assert not unwanted & found, (lang, text, found)


# Sector words: (word, group, NACE class it names or None)
SECTORS = [
    ("bakeri", "local_food", "10.71"),
    ("leipomo", "local_food", "10.71"),
    ("ysteri", "local_food", "10.51"),
    ("mejeri", "local_food", "10.51"),
    ("røgeri", "local_food", "10.20"),
    ("savustamo", "local_food", "10.20"),
    ("bryghus", "local_food", "11.05"),
    ("savusauna", "guides_activities", "96.04"),
    ("badstue", "guides_activities", "96.04"),
    ("hääpalvelut", "performing_arts_events", "82.30"),
    ("bryllupsplanlegger", "performing_arts_events", "82.30"),
    ("festlokal", "performing_arts_events", "68.20"),
    ("juhlapaikka", "performing_arts_events", "68.20"),
    ("barnehage", None, "85.10"),
    ("förskola", None, "85.10"),
    ("design", "visual_arts_media", None),
    ("filmproduksjon", "visual_arts_media", None),
    ("glasblåser", "crafts", None),
]


@pytest.mark.parametrize(("word", "group", "code"), SECTORS)
def test_sector_words_name_their_group_and_class(word, group, code):
    match = taxonomy.sector_group_for(word)

    assert match.recognised
    assert (match.group, match.nace_code) == (group, code)


def test_a_bakery_known_only_by_its_sector_sells_bread_not_drinks():
    offers, needs = taxonomy.default_profile("local_food", "10.71")

    assert offers == ("local_food",)
    assert {"meals", "sales_outlet"} <= set(needs)


def test_a_museum_known_only_by_its_code_wants_crafts_for_its_shop():
    assert "handmade_products" in taxonomy.default_profile("heritage_museums", "91.02")[1]


def test_every_group_names_the_offers_that_make_its_businesses_substitutes():
    for group in taxonomy.groups():
        assert group.core, group.key
        assert all(taxonomy.is_tag(t) for t in group.core), group.key
