"""Readings that an over-broad rule got wrong: a Finnish owner's "X:llä on Y", a Norwegian
definite feminine on -a, "someone who can" after words that do not ask, applying for
something other than money, the verb "kör", English "it" (issue 17); and trades owners name."""

import pytest

from method import taxonomy
from tests.method.words import tags_of


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # "X:llä on Y": only the owner and "on" are left out, not what comes before them.
        ("Majoitusta mökeissä joiden pihalla on palju", "accommodation"),
        ("Pizza with mozzarella on top", "meals"),
        ("Meillä on mökkejä ja sauna", "accommodation"),
        # A Norwegian feminine noun written definite is still read.
        ("Vi leier ut hytta vår", "accommodation"),
        ("utleiehytta ved sjøen", "accommodation"),
        # Words that ask before "someone who can".
        ("We are looking for someone who can design labels", "design_branding"),
        ("Vi leter etter noen som kan lage etiketter", "design_branding"),
        ("Trenger noen som kan kjøre buss", "passenger_transport"),
        # Applying for money is funding.
        ("Hjelp til å søke om tilskudd", "funding_advice"),
        ("ansöka om bidrag", "funding_advice"),
        ("apply for funding", "funding_advice"),
        # A choir and singing are still a performance.
        ("Kören sjunger på bröllop", "live_performance"),
        ("manskör", "live_performance"),
        ("Jeg synger i bryllup", "live_performance"),
        ("Laulan häissä", "live_performance"),
        ("Vi er et kor fra Odense", "live_performance"),
        ("Vi er eit kor som syng i bryllaup", "live_performance"),
        ("Vi är en kör från Åbo", "live_performance"),
        # "IT" in capitals is information technology.
        ("Vi trenger IT", "digital_skills"),
        ("We need IT support", "digital_skills"),
    ],
)
def test_what_the_owner_wrote_is_still_read(text, kept):
    assert kept in tags_of(text)


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        # Swedish and Finnish words on -a are not Norwegian definite forms.
        ("Vi vill bilda ett nätverk", "content_media"),  # bilda: to form, not "bilde"
        ("Emme taida ehtiä", "artworks"),
        # A preposition or "we are" before "people who" does not ask for them.
        ("For people who drive electric cars we have chargers", "passenger_transport"),
        ("Vi er folk som selger ved", "booking_channel"),
        # Applying for a permit or a partner is not funding.
        ("søke om byggetillatelse", "funding_advice"),
        ("ansöka om bygglov", "funding_advice"),
        ("apply for a liquor licence", "funding_advice"),
        ("Vi søker om samarbeid med hoteller", "funding_advice"),
        # Swedish "kör" is mostly "we drive", Nynorsk "kor" is "how" (Danish "kor", a choir,
        # folds to both).
        ("Vi kör båttaxi och sjötransporter", "live_performance"),
        ("Kor mange gjester kan de ta imot", "live_performance"),
        # English "it" is a pronoun.
        ("We offer it to guests", "digital_skills"),
        ("Sell it online", "digital_skills"),
    ],
)
def test_ordinary_words_are_not_misread(text, wrong):
    assert wrong not in tags_of(text)


@pytest.mark.parametrize(
    ("sector", "group"),
    [
        ("IT", "enablers"),
        ("IT-firma", "enablers"),
        ("Kino", "performing_arts_events"),
        ("Biograf", "performing_arts_events"),
        ("Uteliv", "food_service"),
        ("Nattklubb", "food_service"),
        ("Yökerho", "food_service"),
    ],
)
def test_trades_owners_name_are_recognised(sector, group):
    assert taxonomy.sector_group_for(sector).group == group


@pytest.mark.parametrize("sector", ["Kör", "kor", "Kuoro", "choir"])
def test_a_choir_named_as_the_sector_is_still_performing_arts(sector):
    assert taxonomy.sector_group_for(sector).group == "performing_arts_events"
