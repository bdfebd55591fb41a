"""A row without a sector the method knows is read by what it offers, then by its name; a file
of names only is read by the names; an offer word that names customers is never lost silently."""

import pytest
from flask_babel import force_locale

from workshops.businesses import registry as businesses

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("fjorden", leaders=[leader], name="Fjorden", language="nb")


@pytest.mark.parametrize(
    ("offers", "group"),
    [
        ("Hytteutleie, frokost", "accommodation"),
        ("Stugor och frukost", "accommodation"),
        ("kaffe og vafler", "food_service"),
        ("guidede turer på fjellet", "guides_activities"),
    ],
)
def test_offers_without_a_sector_give_the_group_and_keep_their_own_tags(offers, group):
    reading = businesses.read_profile("", offers, "", name="Bedrift X")

    assert reading.sector_group == group
    assert reading.sector == ""  # what the owner wrote stays: nothing
    assert reading.offers and reading.assumed is False  # its own words, not a group's defaults
    # Nothing to correct: the tags are the owner's own; the group only adds the sector's ties.
    assert [code for _column, code, _detail in reading.problems] == []


@pytest.mark.parametrize(
    "word", ["Barnehage", "Förskola", "Børnehave", "Päiväkoti", "Kindergarten"]
)
def test_a_kindergarten_in_the_offers_is_read_as_one_never_dropped(word):
    reading = businesses.read_profile("", word, "", name="Solstua")

    assert reading.offers == ("group_customers",)  # its children, a group for a farm or museum
    assert "farm_visit" in reading.needs
    assert reading.problems == (("offers", "sector_from_offers", "85.10"),)


def test_a_known_sector_is_not_read_again_from_the_offers():
    reading = businesses.read_profile("hotell", "kaffe og vafler", "", name="Fjordhotellet")

    assert reading.sector_group == "accommodation"
    assert [code for _column, code, _detail in reading.problems] == []


def test_a_file_of_names_only_is_read_by_the_names_like_an_empty_sector_column(db, project):
    only = businesses.import_file(project, b"Name\nHansens Bakeri\n")
    empty = businesses.import_file(project, b"Name;Sector\nFjellbakeriet;\n")
    db.session.commit()

    for name, plan in (("Hansens Bakeri", only), ("Fjellbakeriet", empty)):
        bakery = businesses.find_by_name(project, name)
        assert (bakery.sector_group, bakery.assumed) == ("local_food", True)
        assert [w.code for w in plan.warnings] == ["sector_from_name"]


def test_a_control_character_in_a_cell_is_an_error_and_nothing_is_imported(db, project):
    # The web form and an uploaded CSV refuse such text: a business imported with it from the
    # command line or an XLSX file could not be saved in its form again.
    plan = businesses.import_file(project, "Name;Offers\nFjordkafé;kaffe\x07 og vafler\n".encode())

    assert [(p.row, p.column, p.code, p.detail) for p in plan.errors] == [
        (2, "offers", "control_character", "0007")
    ]
    assert businesses.find_by_name(project, "Fjordkafé") is None
    with force_locale("en"):
        assert "U+0007" in plan.errors[0].line()


@pytest.mark.parametrize(
    ("sector", "offers"),
    [
        ("reisebyrå", "turister, grupper, pakketurer"),
        ("festival", "Konserter og festival for publikum, turister"),
    ],
)
def test_customers_a_sector_brings_are_kept_whether_the_sector_is_typed_or_read_from_offers(
    sector, offers
):
    typed = businesses.read_profile(sector, offers, "", name="X")
    read = businesses.read_profile("", offers, "", name="X")

    assert (read.sector_group, read.offers, read.offers_free) == (
        typed.sector_group,
        typed.offers,
        typed.offers_free,
    )
    assert "visitors" in read.offers
    assert [code for _column, code, _detail in read.problems] == []
