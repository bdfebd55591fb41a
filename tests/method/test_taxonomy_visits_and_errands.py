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
