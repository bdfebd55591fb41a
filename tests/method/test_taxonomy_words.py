"""Words owners write, per language: families the taxonomy used to miss or misread."""

import pytest

from method import taxonomy
from tests.method.words import tags_of

# (text as written, tags it must give, tags it must not give)
OFFERS = {
    "nb": [
        ("utleie av rom", {"accommodation"}, {"equipment_rental"}),
        ("utleige av hytter", {"accommodation"}, {"equipment_rental"}),
        ("hytteutleige", {"accommodation"}, {"equipment_rental"}),
        ("gårdsferie for familier", {"accommodation", "farm_visit"}, set()),
        ("lokalprodusert mat", {"local_food"}, {"meals"}),
        ("vi selger egne produkter", {"sales_outlet"}, {"handmade_products"}),
        ("opplevelser", {"outdoor_activity", "guided_tour"}, set()),
        ("snøscootersafari", {"outdoor_activity"}, set()),
        ("hundesledeturer", {"outdoor_activity"}, set()),
        ("bryllup og konfirmasjon", {"event_program"}, set()),
        ("røkt laks", {"local_food"}, set()),
        ("loppemarked", {"sales_outlet", "event_program"}, set()),
        ("trubadur", {"live_performance"}, set()),
        ("bryllupslokale", {"venue"}, set()),
        ("bærplukking for familier", {"farm_visit"}, {"outdoor_activity"}),
    ],
    "sv": [
        ("uthyrning av stugor", {"accommodation"}, {"equipment_rental"}),
        ("stuguthyrning", {"accommodation"}, {"equipment_rental"}),
        ("bröllop", {"event_program"}, set()),
        ("festlokal för bröllop", {"venue"}, {"event_program"}),
        ("tårtor till bröllop och fester", {"local_food"}, {"event_program"}),
        ("skotersafari", {"outdoor_activity"}, set()),
        ("kallrökt lax", {"local_food"}, set()),
        ("gårdscafé", {"meals"}, set()),
        ("vi säljer egna produkter", {"sales_outlet"}, {"handmade_products"}),
        ("loppis", {"sales_outlet"}, set()),
        ("bastukvällar för grupper", {"wellness"}, {"group_customers"}),
        ("förskola för barn 1–5 år", {"group_customers"}, {"tech_vr"}),
        ("upplevelser", {"outdoor_activity", "guided_tour"}, set()),
    ],
    "da": [
        ("udlejning af sommerhus", {"accommodation"}, {"equipment_rental"}),
        ("sommerhusudlejning", {"accommodation"}, {"equipment_rental"}),
        ("værelsesudlejning", {"accommodation"}, {"equipment_rental"}),
        ("bryllup", {"event_program"}, set()),
        ("røget fisk", {"local_food"}, set()),
        ("hundeslæde", {"outdoor_activity"}, set()),
        ("snescooterture", {"outdoor_activity"}, set()),
        ("loppemarked", {"sales_outlet"}, set()),
        ("selskabslokaler", {"venue"}, set()),
        ("børnehave", {"group_customers"}, set()),
        ("plads til 16 personer", set(), {"visitors"}),
        ("oplevelser", {"outdoor_activity", "guided_tour"}, set()),
    ],
    "fi": [
        ("mökkivuokraus", {"accommodation"}, {"equipment_rental"}),
        ("huoneiden vuokraus", {"accommodation"}, {"equipment_rental"}),
        ("maatilaloma", {"accommodation", "farm_visit"}, set()),
        ("hääpaikka", {"venue"}, set()),
        ("häät", {"event_program"}, set()),
        ("moottorikelkkasafarit", {"outdoor_activity"}, set()),
        ("huskysafarit", {"outdoor_activity"}, set()),
        ("kalastusmatkat", {"outdoor_activity"}, set()),
        ("kirpputori", {"sales_outlet"}, set()),
        ("savukala", {"local_food"}, set()),
        ("elämyspalvelut", {"outdoor_activity", "guided_tour"}, set()),
        ("ohjelmapalvelut", {"outdoor_activity", "guided_tour"}, set()),
        ("ruokapalvelut", {"meals", "catering"}, set()),
        ("päiväkoti", {"group_customers"}, set()),
        ("trubaduuri", {"live_performance"}, set()),
        ("soutuvene asiakkaiden käyttöön", set(), {"visitors"}),
    ],
    "en": [
        ("cabin rental", {"accommodation"}, {"equipment_rental"}),
        ("farm stay", {"accommodation", "farm_visit"}, set()),
        ("weddings", {"event_program"}, set()),
        ("wedding venue", {"venue"}, set()),
        ("snowmobile safaris", {"outdoor_activity"}, set()),
        ("smoked salmon", {"local_food"}, set()),
        ("flea market", {"sales_outlet"}, set()),
        ("kindergarten", {"group_customers"}, set()),
    ],
}


@pytest.mark.parametrize(
    ("lang", "text", "wanted", "unwanted"),
    [(lang, *row) for lang, rows in OFFERS.items() for row in rows],
)
def test_words_people_write_give_the_right_tags(lang, text, wanted, unwanted):
    found = tags_of(text)

    assert wanted <= found, (lang, text, found)
    assert not (unwanted & found), (lang, text, found)


SECTORS = [
    ("sommerhusudlejning", "accommodation"),
    ("bed and breakfast", "accommodation"),
    ("mökkivuokraus", "accommodation"),
    ("stuguthyrning", "accommodation"),
    ("maatilamatkailu", "accommodation"),
    ("gårdsferie", "accommodation"),
    ("gårdscafé", "food_service"),
    ("ruokapalvelut", "food_service"),
    ("rökeri", "local_food"),
    ("savustamo", "local_food"),
    ("meijeri", "local_food"),
    ("bageri", "local_food"),
    ("leipomo", "local_food"),
    ("skoteruthyrning", "guides_activities"),
    ("koiravaljakkoajelut", "guides_activities"),
    ("kalastusmatkat", "guides_activities"),
    ("ohjelmapalvelut", "guides_activities"),
    ("elämyspalvelut", "guides_activities"),
    ("matkailupalvelut", "guides_activities"),
    ("trubadur", "performing_arts_events"),
    ("tanssiorkesteri", "performing_arts_events"),
    ("loppis", "retail"),
    ("kirpputori", "retail"),
    ("loppemarked", "retail"),
    ("digitoimisto", "enablers"),
    ("käsityöliike", "crafts"),
    ("semesterby", "accommodation"),
    ("madvogn", "food_service"),
    ("pizzeria", "food_service"),
    ("bigård", "local_food"),
    ("forsränning", "guides_activities"),
    ("hiihtokoulu", "guides_activities"),
    ("soittokunta", "performing_arts_events"),
    ("fästning", "heritage_museums"),
    ("majakka", "heritage_museums"),
    ("lautta", "transport"),
    ("færge", "transport"),
    ("tilitoimisto", "enablers"),
    ("grendelag", "community"),
]


@pytest.mark.parametrize(("word", "group"), SECTORS)
def test_sector_words_in_every_language_find_their_group(word, group):
    match = taxonomy.sector_group_for(word)

    assert match.recognised
    assert match.group == group


def test_digitoimisto_is_read_as_the_web_and_it_class():
    assert taxonomy.sector_group_for("digitoimisto").nace_code == "62.01"


def test_an_unknown_sector_word_falls_back_to_the_tags_its_words_map_to():
    party_food = taxonomy.sector_group_for("koldtbord og festmat")
    gallery_words = taxonomy.sector_group_for("malerier og utstillinger")

    assert not party_food.recognised
    assert party_food.tags == ("catering",)
    assert party_food.group == "food_service"  # the one group whose offers hold the tag
    assert not gallery_words.recognised
    assert set(gallery_words.tags) == {"artworks", "exhibition"}


def test_venues_and_kindergartens_are_read_as_their_class():
    festlokal = taxonomy.sector_group_for("Selskabslokaler og bryllupper")
    kindergarten = taxonomy.sector_group_for("päiväkoti")

    # A hall let for parties is an events business (class 68.20 names its group).
    assert (festlokal.recognised, festlokal.nace_code, festlokal.group) == (
        True,
        "68.20",
        "performing_arts_events",
    )
    assert (kindergarten.recognised, kindergarten.nace_code) == (True, "85.10")
    assert taxonomy.default_profile("", "85.10")[0] == ("group_customers",)


def test_a_sector_word_of_nothing_known_gives_no_tags_and_no_group():
    match = taxonomy.sector_group_for("xyzzy quux")

    assert (match.group, match.recognised, match.tags) == (None, False, ())


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("hillot", "local_food"),
        ("käsitöitä myynnissä", "handmade_products"),
        ("utflykter i naturen", "outdoor_activity"),
        ("turistbyrån", "visitor_facilities"),
        ("hembygdsgård med gamla hus", "heritage_stories"),
        ("midsommarfirande", "event_program"),
    ],
)
def test_inflected_and_compound_words_find_their_tag(text, tag):
    assert tag in tags_of(text)


def test_an_unknown_sector_word_with_one_telling_tag_finds_that_tags_group():
    climbing = taxonomy.sector_group_for("fjellklatring")
    massage = taxonomy.sector_group_for("yoga og massasje")

    assert (climbing.recognised, climbing.group, climbing.tags) == (
        False,
        "guides_activities",
        ("outdoor_activity",),
    )
    assert massage.group is None  # wellness is in no group's defaults: no group is guessed
