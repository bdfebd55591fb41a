"""Reading a profile: a row that says nothing is read by its name, and customers an offer is for
are not customers brought to others."""

import pytest
from flask_babel import force_locale

from workshops.businesses import registry
from workshops.businesses.models import Business

# Names as owners give them, in five languages, with what they say the business is.
NAMED = [
    ("Hansens Bakeri", "local_food"),
    ("Brattö Bageri", "local_food"),
    ("Leipomo Ruislyhde", "local_food"),
    ("Bageriet i Nørreby", "local_food"),
    ("Hill Farm Bakery", "local_food"),
    ("Paja Kuutamo", "crafts"),
    ("Café Strandbodan", "food_service"),
    ("Villa Solbacka B&B", "accommodation"),
    ("Fotograf Mette Lund", "visual_arts_media"),
    ("Trubadur Tore", "performing_arts_events"),
]


@pytest.mark.parametrize(("name", "group"), NAMED)
def test_a_row_with_only_a_name_is_read_by_its_name_as_assumed(name, group):
    reading = registry.read_profile("", "", "", name=name)

    assert reading.sector_group == group
    assert reading.offers  # the group's defaults
    assert reading.assumed is True
    assert reading.sector == ""  # what the owner wrote stays: nothing
    assert ("name", "sector_from_name", f"group:{group}") in reading.problems


def test_a_kindergarten_by_its_name_gets_its_class_defaults():
    reading = registry.read_profile("", "", "", name="Päiväkoti Tähti")

    assert reading.sector_group is None
    assert reading.offers == ("group_customers",)
    assert "farm_visit" in reading.needs
    assert reading.problems == (("name", "sector_from_name", "85.10"),)


def test_an_unknown_sector_word_or_a_code_without_group_lets_the_name_speak():
    unknown = registry.read_profile("qwzx", "", "", name="Hansens Bakeri")
    electric = registry.read_profile("43.21", "", "", name="Fjellbakeriet")

    assert unknown.sector_group == electric.sector_group == "local_food"
    assert unknown.sector == "qwzx"
    assert [code for _column, code, _detail in unknown.problems] == [
        "unknown_sector",
        "sector_from_name",
    ]
    assert electric.nace_code == "43.21"


def test_a_known_sector_or_written_words_win_over_the_name():
    by_sector = registry.read_profile("55.10", "", "", name="Kafé Måken")
    by_words = registry.read_profile("", "guidede turer", "", name="Hansens Bakeri")

    assert by_sector.sector_group == "accommodation"
    assert by_words.offers == ("guided_tour",)
    assert not [p for p in by_sector.problems + by_words.problems if p[0] == "name"]


@pytest.mark.parametrize("name", ["Duo Fjellklang", "Studio 54", "Holmøy 1912", "Sjøbuene"])
def test_a_name_that_says_nothing_reads_nothing_and_no_number_is_a_code(name):
    reading = registry.read_profile("", "", "", name=name)

    assert (reading.sector_group, reading.nace_code, reading.offers, reading.needs) == (
        None,
        None,
        (),
        (),
    )
    assert reading.problems == ()


def test_the_warning_names_what_was_assumed_in_the_users_language(app):
    problem = registry.Problem(3, "name", "sector_from_name", "group:local_food")
    tag = registry.Problem(4, "name", "sector_from_name", "tag:venue")

    with app.test_request_context(), force_locale("nb"):
        assert problem.line() == (
            "row 3, column name: Ingen bransje metoden kjenner: «Lokalmat og drikke» er antatt "
            "ut fra navnet; rett det hvis det er feil."
        )
    with app.test_request_context(), force_locale("en"):
        assert "'Venue, meeting room' is assumed from the name" in tag.line()


@pytest.mark.db
def test_import_reads_a_name_only_row_by_its_name_and_says_so(runner, db, make_project, tmp_path):
    make_project("fjellgrenda", name="Fjellgrenda", language="en")
    path = tmp_path / "businesses.csv"
    path.write_bytes(
        "\ufeffname;sector;offers;needs\n"
        "Høgset Hyttegrend;hytteutleie;6 hytter;flere gjester\n"
        "Storvoll Bakeri;;;\n".encode()
    )

    result = runner.invoke(args=["import-businesses", str(path), "--project", "fjellgrenda"])

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "row 3, column name: No sector the method knows: 'Local food and drink' is assumed "
        "from the name; correct it if that is wrong."
    ]
    bakery = db.session.scalars(db.select(Business).filter_by(name="Storvoll Bakeri")).one()
    assert (bakery.sector, bakery.sector_group, bakery.assumed) == ("", "local_food", True)


# --- customers an offer is for ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sector", "offers"),
    [
        ("55.10", "rom, julebord og selskaper"),
        ("rafting", "rafting, teambuilding for firma"),
        ("selskapslokale", "firmafester, julebord"),
        ("festlokal", "stora salen tar 120 sittande gäster"),
        ("poronhoito", "poroajelut 10-40 hengen ryhmille"),
    ],
)
def test_customers_an_offer_is_for_are_not_customers_brought_to_others(sector, offers):
    reading = registry.read_profile(sector, offers, "")

    assert not set(reading.offers) & {"visitors", "group_customers"}
    assert reading.offers  # what the business does is still read


@pytest.mark.parametrize(
    ("sector", "offers", "brought"),
    [
        ("79.12", "ryhmämatkoja Suomesta", "group_customers"),
        ("festival", "3 scener, et stort publikum", "visitors"),
        ("barnehage", "skuleklassar og barnehagegrupper", "group_customers"),
    ],
)
def test_a_trip_seller_an_event_or_a_school_offers_the_people_it_brings(sector, offers, brought):
    assert brought in registry.read_profile(sector, offers, "").offers


def test_a_customer_tag_chosen_from_the_list_is_kept():
    reading = registry.read_profile("55.10", "julebord", "", offer_tags=["group_customers"])

    assert "group_customers" in reading.offers


def test_a_performer_plays_at_parties_it_does_not_bring_them():
    reading = registry.read_profile("musikk", "trubadur, spelar på julebord, stort publikum", "")

    assert "group_customers" not in reading.offers
    assert "visitors" in reading.offers  # an audience is what an event brings


def test_a_sector_word_read_through_its_words_says_as_what_it_is_read(app):
    from flask_babel import force_locale

    reading = registry.read_profile("tekstil", "", "", name="Vevstua")
    problem = registry.Problem(2, *reading.problems[0])

    assert reading.sector_group == "crafts"
    assert [code for _column, code, _detail in reading.problems] == ["sector_from_words"]
    with app.test_request_context(), force_locale("en"):
        message = problem.message()
    assert "'tekstil' is no sector the method knows" in message
    assert "Unknown sector" not in message
