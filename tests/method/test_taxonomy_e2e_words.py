"""Owners' words from small end-to-end CSV runs that were read as the wrong tag."""

import pytest

from method.taxonomy import map_words


@pytest.mark.parametrize(
    "text",
    [
        "Flere hytteeiere som kunder",
        "Flere kunder, hytteeiere",
        "Fleire hytteeigarar",
        "Fler stugägare som kunder",
        "Lisää mökinomistajia",
    ],
)
def test_cabin_owners_are_customers_not_beds(text):
    tags = map_words(text).tags
    assert "accommodation" not in tags
    assert "visitors" in tags


@pytest.mark.parametrize("text", ["Varer laget lokalt", "Øl brygget lokalt, omvisning"])
def test_made_locally_is_no_venue(text):
    assert "venue" not in map_words(text).tags


def test_premises_and_local_drinks_still_read():
    assert "venue" in map_words("lokale å øve i").tags
    assert "local_drinks" in map_words("lokalt øl").tags


@pytest.mark.parametrize(
    "text", ["Sykkelverksted", "bilverksted", "Cykelverkstad", "cykelværksted"]
)
def test_a_repair_garage_gives_no_course(text):
    assert "course_workshop" not in map_words(text).tags


def test_a_repair_garage_is_no_arts_school():
    from method.taxonomy import sector_group_for

    assert sector_group_for("Sykkelverksted").group != "education_courses"


def test_workshops_that_are_courses_still_read():
    assert "course_workshop" in map_words("verksted").tags
    assert "handmade_products" in map_words("keramikkverksted").tags


@pytest.mark.parametrize(
    "text",
    [
        "Vi kører folk",
        "Vi kører gæster til færgen",
        "Vi kör folk ut till öarna",
        "Vi kör till och från färjan",
        "Vi køyrer folk til og frå toget",
        "vi kjører folk",
    ],
)
def test_we_drive_people_is_passenger_transport(text):
    tags = map_words(text).tags
    assert "passenger_transport" in tags
    assert "live_performance" not in tags
    assert "visitors" not in tags


def test_choirs_and_a_taxis_wish_for_more_rides_still_read():
    assert "live_performance" in map_words("körer").tags
    assert "passenger_transport" not in map_words("Fler körningar").tags
