"""Visits a school class makes, drives and paperwork asked for in English: read as what they are."""

import pytest

from tests.method.words import tags_of


@pytest.mark.parametrize(
    "text",
    [
        "skolebesøk og barnehagebesøk etter avtale",
        "klassebesøk på gården",
        "skulebesøk",
        "skolbesök och förskolebesök",
        "skolebesøg og børnehavebesøg",
        "kouluvierailut ja päiväkotivierailut",
        "school visits",
    ],
)
def test_a_school_visit_offered_is_an_activity_for_children_not_a_customer_flow(text):
    tags = tags_of(text)

    assert "family_activities" in tags
    assert not tags & {"visitors", "group_customers"}


@pytest.mark.parametrize(
    "text",
    [
        "someone to drive guests from the train station",
        "somebody to drive our guests",
        "someone who can drive our guests",
        "pick up guests at the airport",
        "we drive our guests to the glacier",
    ],
)
def test_a_drive_asked_for_in_english_is_transport(text):
    assert tags_of(text) == {"passenger_transport"}


@pytest.mark.parametrize(
    "text", ["a drive through the valley", "drive-in cinema", "the station is close"]
)
def test_a_drive_or_a_station_alone_is_no_transport(text):
    assert "passenger_transport" not in tags_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "help with Norwegian paperwork and VAT",
        "an accountant",
        "hjelp med mva og regnskap",
        "someone to do our bookkeeping",
    ],
)
def test_paperwork_vat_and_accounts_are_business_advice(text):
    assert tags_of(text) == {"business_advice"}


@pytest.mark.parametrize(
    "text",
    [
        "renhold mellom gjester",
        "städning av stugor och fritidshus vid gästbyten",
        "städhjälp vid byten lördagar",
        "rengøring mellem lejere",
        "siivous vaihtopäivinä",
        "cleaning between guests",
    ],
)
def test_cleaning_is_help_at_changeovers_not_beds(text):
    tags = tags_of(text)

    assert "staff_capacity" in tags
    assert "accommodation" not in tags


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("någon som säljer våra ägg", "sales_outlet"),
        ("noen som kan selge ostene våre", "sales_outlet"),
        ("someone to sell our jams", "sales_outlet"),
        ("jonkun joka myy hillojamme", "sales_outlet"),
        ("someone who can sell our tours", "booking_channel"),
        ("joku joka myy retkiämme", "booking_channel"),
        ("någon som kan skjutsa gästerna från tåget", "passenger_transport"),
        ("joku joka markkinois meitä Tanskaan", "marketing_reach"),
        ("joku joka tekis meille nettisivut", "marketing_reach"),
    ],
)
def test_what_someone_should_do_is_what_is_needed(text, tag):
    assert tags_of(text) == {tag}


def test_local_suppliers_are_local_and_a_room_is_still_a_room():
    assert "venue" not in tags_of("lokale leverandører af fisk og vildt")
    assert "local_food" in tags_of("lokale leverandører af fisk og vildt")
    assert tags_of("lokale til selskap") == {"venue"}


@pytest.mark.parametrize(
    "text", ["viltkjøtt", "lammkött", "vildt", "paikallista riistaa", "venison", "ägg", "æg"]
)
def test_game_lamb_and_eggs_are_local_food(text):
    assert tags_of(text) == {"local_food"}


@pytest.mark.parametrize("text", ["matförsäljare", "matbod", "ruokakojuja", "food stalls"])
def test_food_vendors_at_an_event_are_catering(text):
    assert "catering" in tags_of(text)


def test_finnish_road_signs_are_no_guide():
    assert "guided_tour" not in tags_of("opasteet tienvarteen")


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("kvitost og brunost, sel til butikkar, hotell og restaurantar", {"local_food"}),
        ("leverer til hotell og kafeer i dalen, catering til møter", {"catering"}),
        ("levererar till hotell, restauranger och butiker, fisketurer", {"outdoor_activity"}),
        ("we sell to hotels, and guided tours", {"guided_tour"}),
    ],
)
def test_whom_a_business_sells_to_are_buyers_not_offers(text, read):
    assert tags_of(text) == read


def test_running_the_cafe_is_the_cafe_driving_guests_is_transport():
    assert tags_of("nokon som kan drive kafeen om sommaren") == {"meals"}
    assert tags_of("noen som kan kjøre gjestene") == {"passenger_transport"}


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("firmakunder", "group_customers"),
        ("flere företagskunder", "group_customers"),
        ("plass å bu for gjestan", "accommodation"),
        ("more people on the courses in summer", "visitors"),
        ("vaskehjelp på byttedager", "staff_capacity"),
        ("digitalisere gamle bilder", "digital_skills"),
    ],
)
def test_everyday_words_of_the_new_regions(text, tag):
    assert tag in tags_of(text)


def test_linen_that_can_be_ordered_is_no_booking_channel():
    assert "booking_channel" not in tags_of("sengetøy og vask kan bestilles")
