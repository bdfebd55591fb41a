"""The business registry: profiles read from words, forms, unmapped words, a phone's own profile."""

import pytest

from app.db import utcnow
from workshops.businesses import registry as businesses
from workshops.businesses.models import Business, TagMapping
from workshops.live import clock as live
from workshops.live.models import Participant
from workshops.programme import builder as programme_builder
from workshops.programme.models import Step

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("slusedal", leaders=[leader], name="Slusedal", language="en")


@pytest.mark.parametrize(
    ("sector", "offers", "needs", "expected"),
    [
        ("55.10", "rom for overnatting, frokost", "guida turar", ({"accommodation", "meals"}, {"guided_tour"})),
        ("stuga", "stugor, bastu", "kanotuthyrning", ({"accommodation", "wellness"}, {"equipment_rental"})),
        ("5610", "lounas, kokoustila", "lähiruokaa", ({"meals", "venue"}, {"local_food"})),
        ("kro", "overnatningsværelser, aftensmad", "guidede ture", ({"accommodation", "meals"}, {"guided_tour"})),
        ("", "canoe rental, guided tours", "rooms for our guests", ({"equipment_rental", "guided_tour"}, {"accommodation"})),
    ],
)  # fmt: skip
def test_profiles_are_read_from_words_in_five_languages(sector, offers, needs, expected):
    reading = businesses.read_profile(sector, offers, needs)

    assert (set(reading.offers), set(reading.needs)) == expected
    assert reading.assumed is False


def test_a_sector_alone_gives_its_class_defaults_marked_assumed():
    reading = businesses.read_profile("55.30", "", "")

    assert reading.assumed is True
    assert (reading.sector, reading.sector_group) == ("55.30", "accommodation")
    assert reading.offers == ("accommodation", "outdoor_site", "equipment_rental")


def test_leader_adds_a_business_with_tags_and_own_words(db, leader_client, project):
    response = leader_client.post(
        "/projects/slusedal/businesses/new",
        data={
            "name": "Slusedal Buss og Taxi",
            "sector": "49.39",
            "offer_tags": ["passenger_transport"],
            "offers": "zorblat",
            "needs": "grupper",
        },
    )

    bus = businesses.find_by_name(project, "Slusedal Buss og Taxi")
    assert response.status_code == 302
    assert (bus.offers, bus.offers_free, bus.needs) == (
        ["passenger_transport"],
        ["zorblat"],
        ["group_customers"],
    )
    assert (bus.sector, bus.sector_group) == ("49.39", "transport")


def test_the_same_name_twice_is_refused_by_the_form(db, leader_client, project):
    businesses.save(project, businesses.BusinessData(name="Ullstua"))
    db.session.commit()

    response = leader_client.post("/projects/slusedal/businesses/new", data={"name": " ullstua "})

    assert response.status_code == 400
    assert db.session.query(Business).count() == 1


def test_leader_edits_a_business_and_the_form_shows_its_words(db, leader_client, project):
    smithy = businesses.save(
        project, businesses.BusinessData(name="Smia", sector="25.50", offers="smijern, qwzx")
    )
    db.session.commit()

    page = leader_client.get(f"/projects/slusedal/businesses/{smithy.id}").get_data(as_text=True)
    response = leader_client.post(
        f"/projects/slusedal/businesses/{smithy.id}",
        data={"name": "Smia på Haugen", "sector": "25.50", "offer_tags": ["handmade_products"]},
    )

    assert 'value="qwzx"' in page
    assert response.status_code == 302
    db.session.expire_all()
    assert (smithy.name, smithy.offers, smithy.offers_free) == (
        "Smia på Haugen",
        ["handmade_products"],
        [],
    )


def test_a_mapped_word_is_remembered_and_read_again_everywhere(db, leader_client, project):
    a = businesses.save(project, businesses.BusinessData(name="Buss", offers="zorblat henger"))
    b = businesses.save(project, businesses.BusinessData(name="Lag", needs="Zorblat henger"))
    db.session.commit()
    page = leader_client.get("/projects/slusedal/businesses/words").get_data(as_text=True)

    leader_client.post(
        "/projects/slusedal/businesses/words",
        data={"w0-word": "zorblat henger", "w0-tag": "stage_tech"},
    )
    businesses.save(project, businesses.BusinessData(name="Ny", offers="Zorblat hengeren"))
    db.session.commit()
    assert "zorblat henger" in page and "Buss" in page
    assert (a.offers, a.offers_free, b.needs, b.needs_free) == (
        ["stage_tech"],
        [],
        ["stage_tech"],
        [],
    )
    assert businesses.find_by_name(project, "Ny").offers == ["stage_tech"]
    assert db.session.query(TagMapping).one().word == "zorblat henger"
    assert businesses.unmapped_words(project) == []


@pytest.fixture
def live_workshop(db, project):
    workshop = programme_builder.add_workshop(project, "W1", template="W1")
    db.session.commit()
    live.start(workshop, utcnow())
    step = db.session.get(Step, workshop.current_step_id)
    step.collects = ["profiles"]
    db.session.commit()
    return workshop


def test_a_participant_fills_in_their_profile_from_the_phone(db, client, project, live_workshop):
    code = live_workshop.join_code
    phone_page = client.get(f"/j/{code}").get_data(as_text=True)

    response = client.post(
        f"/j/{code}/profile",
        data={"name": "Kvitlia Geitgård", "sector": "10.51", "offers": "geitost, gårdsbesøk",
              "needs": "utsalgssted, flere besøkende"},
    )  # fmt: skip
    again = client.post(
        f"/j/{code}/profile",
        data={"name": "Kvitlia Geitgård", "offers": "geitost", "needs": "utsalgssted"},
    )

    farm = businesses.find_by_name(project, "Kvitlia Geitgård")
    assert f"/j/{code}/profile" in phone_page
    assert (response.status_code, again.status_code) == (302, 302)
    assert (farm.offers, farm.needs) == (["local_food"], ["sales_outlet"])
    assert db.session.query(Participant).one().business_name == "Kvitlia Geitgård"


def test_a_phone_cannot_overwrite_a_registered_business(db, client, project, live_workshop):
    businesses.save(project, businesses.BusinessData(name="Slusedal Padling", offers="kano"))
    db.session.commit()

    response = client.post(
        f"/j/{live_workshop.join_code}/profile", data={"name": "slusedal padling", "offers": "x"}
    )

    assert response.status_code == 409
    assert businesses.find_by_name(project, "Slusedal Padling").offers == ["outdoor_activity"]


def test_profiles_are_refused_outside_a_step_that_collects_them(db, client, live_workshop):
    step = db.session.get(Step, live_workshop.current_step_id)
    step.collects = ["ideas"]
    db.session.commit()

    response = client.post(f"/j/{live_workshop.join_code}/profile", data={"name": "Kafé"})

    assert response.status_code == 409
    assert db.session.query(Business).count() == 0
