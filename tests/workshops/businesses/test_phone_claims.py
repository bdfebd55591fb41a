"""A phone claims a business the leader registered before the workshop: it is shown the profile,
saves its own words once, and from then on no other phone may change it."""

import pytest

from app.db import utcnow
from workshops.businesses import profiles
from workshops.businesses import registry as businesses
from workshops.businesses.models import Business
from workshops.live import clock as live
from workshops.live import participants
from workshops.privacy import service as privacy
from workshops.programme import builder as programme_builder
from workshops.programme.models import Step

pytestmark = pytest.mark.db

ONE, TWO = "phone-one-token-0001", "phone-two-token-0002"


@pytest.fixture
def project(db, leader, make_project):
    return make_project("tornedalen", leaders=[leader], name="Tornedalen", language="en")


@pytest.fixture
def workshop(db, project):
    workshop = programme_builder.add_workshop(project, "W1", template="W1")
    db.session.commit()
    live.start(workshop, utcnow())
    db.session.get(Step, workshop.current_step_id).collects = ["profiles"]
    db.session.commit()
    return workshop


@pytest.fixture
def cabins(db, project):
    """A business as the leader imports it, with what only the leader edits."""
    business = businesses.save(
        project,
        businesses.BusinessData(
            name="Nordisk Hytteudlejning",
            sector="55.20",
            offers="hytter, zorblat",
            needs="guidede ture",
            municipality="Övertorneå",
            description="Leader's note",
            email="post@hytter.example",
            website="https://hytter.example",
            contact_consent=True,
            report_consent=True,
            size_band="2-4",
            stage="established",
        ),
    )
    db.session.commit()
    return business


def phone(workshop, token: str, business_name: str = ""):
    """A device that joined the workshop (with the business name it gave), and its key."""
    participant = participants.ensure(workshop, token)
    participant.business_name = business_name
    return participant, participants.device_key(token)


def leader_fields(business: Business) -> tuple:
    return (
        business.name,
        business.description,
        business.email,
        business.website,
        business.contact_consent,
        business.report_consent,
        business.size_band,
        business.stage,
    )


MINE = profiles.PhoneProfile(
    "nordisk hytteudlejning",
    sector="55.20",
    offers="hytter, morgenmad, kanoudlejning",
    needs="guidede ture, lokal mad",
    municipality="Pello",
)


# --- the rules ----------------------------------------------------------------------------


def test_a_phone_claims_the_leaders_business_and_changes_only_its_words(db, workshop, cabins):
    participant, key = phone(workshop, ONE)
    before = leader_fields(cabins)
    check = profiles.check_name(workshop.project, key, "NORDISK HYTTEUDLEJNING ")

    saved = profiles.save_own(workshop, participant, key, MINE, claim=cabins.id)
    db.session.commit()

    assert (check.business, check.claims, check.refused) == (cabins, True, "")
    assert saved.id == cabins.id
    assert db.session.query(Business).count() == 1
    assert (saved.device, profiles.own_business(workshop.project, key)) == (key, saved)
    assert leader_fields(saved) == before
    assert (set(saved.offers), set(saved.needs), saved.municipality) == (
        {"accommodation", "meals", "equipment_rental"},
        {"guided_tour", "local_food"},
        "Pello",
    )
    assert participant.business_name == "Nordisk Hytteudlejning"


def test_the_phone_is_shown_the_leaders_profile_in_its_words(db, workshop, cabins):
    assert profiles.shown(cabins, "en") == profiles.PhoneProfile(
        "Nordisk Hytteudlejning",
        sector="55.20",
        offers="Accommodation, zorblat",
        needs="Guided tours",
        municipality="Övertorneå",
    )


def test_a_save_the_phone_was_not_shown_claims_nothing(db, workshop, cabins):
    participant, key = phone(workshop, ONE)

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, participant, key, MINE)

    assert refused.value.code == "name_taken"
    assert (cabins.device, cabins.offers_free) == (None, ["zorblat"])


def test_a_second_device_is_refused_once_a_phone_has_claimed(db, workshop, cabins):
    first, key_one = phone(workshop, ONE)
    profiles.save_own(workshop, first, key_one, MINE, claim=cabins.id)
    db.session.commit()
    second, key_two = phone(workshop, TWO)
    words = (list(cabins.offers), list(cabins.needs), cabins.municipality)

    check = profiles.check_name(workshop.project, key_two, "Nordisk Hytteudlejning")
    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(
            workshop, second, key_two, profiles.PhoneProfile(cabins.name), claim=cabins.id
        )

    assert (check.business, check.refused) == (None, "other_device")
    assert refused.value.code == "other_device"
    assert (cabins.device, (cabins.offers, cabins.needs, cabins.municipality)) == (key_one, words)
    assert profiles.own_business(workshop.project, key_two) is None


def test_a_device_with_a_business_of_its_own_claims_no_other(db, workshop, cabins):
    participant, key = phone(workshop, ONE)
    profiles.save_own(workshop, participant, key, profiles.PhoneProfile("Pellon Mökkivuokraus"))

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, participant, key, MINE, claim=cabins.id)

    assert refused.value.code == "name_taken"
    assert cabins.device is None


def test_a_business_of_another_project_is_never_claimed(db, leader, make_project, workshop):
    other = make_project("elsewhere", leaders=[leader], name="Elsewhere", language="en")
    theirs = businesses.save(other, businesses.BusinessData(name=MINE.name, offers="hytter"))
    db.session.commit()
    participant, key = phone(workshop, ONE)

    saved = profiles.save_own(workshop, participant, key, MINE, claim=theirs.id)
    db.session.commit()

    assert (saved.project_id, saved.id != theirs.id) == (workshop.project_id, True)
    assert (theirs.device, theirs.offers) == (None, ["accommodation"])


def test_a_claim_outside_the_step_that_collects_profiles_is_refused(db, workshop, cabins):
    db.session.get(Step, workshop.current_step_id).collects = ["ideas"]
    participant, key = phone(workshop, ONE)

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, participant, key, MINE, claim=cabins.id)

    assert refused.value.code == "not_collecting"
    assert cabins.device is None


def test_a_claim_needs_a_device_that_joined_this_workshop(db, project, workshop, cabins):
    elsewhere = programme_builder.add_workshop(project, "W2", template="W2")
    db.session.commit()
    stranger, key = phone(elsewhere, ONE)

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, stranger, key, MINE, claim=cabins.id)

    assert refused.value.code == "not_joined"
    assert cabins.device is None


def test_an_erased_business_is_never_claimed(db, workshop, cabins):
    privacy.erase_business(cabins, entirely=True)
    db.session.commit()
    participant, key = phone(workshop, ONE)

    check = profiles.check_name(workshop.project, key, cabins.name)
    with pytest.raises(profiles.ProfileError):
        profiles.save_own(
            workshop, participant, key, profiles.PhoneProfile(cabins.name), claim=cabins.id
        )

    assert (check.refused, cabins.device) == ("name_taken", None)


def test_a_phone_save_keeps_what_the_leader_set_on_a_phone_business(db, workshop):
    participant, key = phone(workshop, ONE)
    business = profiles.save_own(workshop, participant, key, profiles.PhoneProfile("Geitgård"))
    business.report_consent, business.size_band, business.stage = True, "1", "new"
    db.session.commit()

    profiles.save_own(workshop, participant, key, profiles.PhoneProfile("Geitgård", offers="ost"))

    assert (business.report_consent, business.size_band, business.stage) == (True, "1", "new")


def test_a_sector_sent_back_as_shown_keeps_the_leaders_reading(db, project, workshop):
    agency = businesses.save(
        project, businesses.BusinessData(name="Nærings-Rådet", sector="enablers")
    )
    db.session.commit()
    participant, key = phone(workshop, ONE)
    as_shown = profiles.shown(agency, "da")

    profiles.save_own(workshop, participant, key, as_shown, claim=agency.id)

    assert (agency.sector_group, agency.device) == ("enablers", key)


def test_typed_words_are_kept_with_the_stored_ones_added(db, cabins):
    typed = profiles.PhoneProfile(
        "nordisk hytteudlejning", offers="Hytter; morgenmad", municipality="Pello"
    )

    assert profiles.with_stored(typed, cabins, "en") == profiles.PhoneProfile(
        "Nordisk Hytteudlejning",
        sector="55.20",
        offers="Accommodation, zorblat, Hytter, morgenmad",
        needs="Guided tours",
        municipality="Pello",
    )


# --- the phone's page ---------------------------------------------------------------------


def url(workshop) -> str:
    return f"/j/{workshop.join_code}/profile"


def page(response) -> str:
    return response.get_data(as_text=True)


def test_the_phone_shows_the_leaders_profile_before_the_person_types(db, client, workshop, cabins):
    phone(workshop, ONE, business_name="Nordisk Hytteudlejning")
    db.session.commit()

    shown = page(client.get(url(workshop), headers={"X-Device": ONE}))

    assert "The process leader has registered Nordisk Hytteudlejning." in shown
    assert f'name="claim" value="{cabins.id}"' in shown
    assert "Accommodation, zorblat" in shown and "Övertorneå" in shown
    assert "post@hytter.example" not in shown and "Leader&#39;s note" not in shown


def test_the_phone_saves_the_claimed_profile(db, client, workshop, cabins):
    data = {"name": cabins.name, "sector": "55.20", "offers": "hytter, kanoudlejning",
            "needs": "guidede ture", "municipality": "Pello", "claim": str(cabins.id)}  # fmt: skip

    response = client.post(url(workshop), data=data, headers={"X-Device": ONE})

    assert response.status_code == 302
    assert (cabins.device, cabins.email, cabins.municipality) == (
        participants.device_key(ONE),
        "post@hytter.example",
        "Pello",
    )
    assert set(cabins.offers) == {"accommodation", "equipment_rental"}


def test_a_name_typed_on_the_phone_shows_the_profile_and_keeps_the_words(
    db, client, workshop, cabins
):
    data = {"name": "nordisk hytteudlejning", "offers": "morgenmad", "needs": ""}

    response = client.post(url(workshop), data=data, headers={"X-Device": ONE})

    shown = page(response)
    assert response.status_code == 409
    assert cabins.device is None and cabins.offers_free == ["zorblat"]
    assert "Accommodation, zorblat, morgenmad" in shown
    assert f'name="claim" value="{cabins.id}"' in shown


def test_a_second_phone_is_told_before_it_types(db, client, workshop, cabins):
    cabins.device = participants.device_key(ONE)
    phone(workshop, TWO, business_name="Nordisk Hytteudlejning")
    db.session.commit()

    shown = page(client.get(url(workshop), headers={"X-Device": TWO}))

    assert "Another phone has already saved the profile of this business" in shown
    assert 'name="claim"' not in shown and "Övertorneå" not in shown


def test_a_second_phone_that_saves_anyway_keeps_what_it_typed(db, client, workshop, cabins):
    cabins.device = participants.device_key(ONE)
    db.session.commit()
    data = {"name": cabins.name, "offers": "kanoer til leje", "claim": str(cabins.id)}

    response = client.post(url(workshop), data=data, headers={"X-Device": TWO})

    assert response.status_code == 409
    assert "kanoer til leje" in page(response)
    assert cabins.device == participants.device_key(ONE)
    assert cabins.offers_free == ["zorblat"]


def test_the_phone_asks_for_the_name_first(db, client, workshop, cabins):
    first = page(client.get(url(workshop), headers={"X-Device": ONE}))
    then = page(
        client.get(url(workshop), query_string={"name": cabins.name}, headers={"X-Device": ONE})
    )

    assert '<form method="get"' in first and 'name="offers"' not in first
    assert 'name="offers"' in then and f'name="claim" value="{cabins.id}"' in then


def test_the_page_claims_nothing_when_the_step_does_not_collect_profiles(
    db, client, workshop, cabins
):
    db.session.get(Step, workshop.current_step_id).collects = ["ideas"]
    db.session.commit()
    data = {"name": cabins.name, "offers": "hytter", "claim": str(cabins.id)}

    response = client.post(url(workshop), data=data, headers={"X-Device": ONE})

    assert response.status_code == 409
    assert cabins.device is None


def test_the_notice_shows_a_name_with_markup_as_text(db, client, project, workshop):
    businesses.save(project, businesses.BusinessData(name="<b>Hytter</b>"))
    phone(workshop, ONE, business_name="<b>Hytter</b>")
    db.session.commit()

    shown = page(client.get(url(workshop), headers={"X-Device": ONE}))

    assert "registered &lt;b&gt;Hytter&lt;/b&gt;." in shown and "<b>Hytter" not in shown


def test_the_leader_lets_another_phone_take_a_claimed_business(db, leader_client, workshop, cabins):
    first, key_one = phone(workshop, ONE)
    profiles.save_own(workshop, first, key_one, MINE, claim=cabins.id)
    db.session.commit()
    form_page = leader_client.get(f"/projects/tornedalen/businesses/{cabins.id}?lang=en")
    assert "Let another phone fill in this profile" in form_page.get_data(as_text=True)

    saved = leader_client.post(
        f"/projects/tornedalen/businesses/{cabins.id}",
        data={"name": cabins.name, "sector": "55.20", "release_phone": "y"},
    )

    assert saved.status_code == 302
    db.session.expire_all()
    assert db.session.get(Business, cabins.id).device is None
    second, key_two = phone(workshop, TWO)
    check = profiles.check_name(workshop.project, key_two, "Nordisk Hytteudlejning")
    assert check.claims and check.business.id == cabins.id


def test_fetching_the_profile_link_without_a_cookie_counts_no_one(app, db, workshop):
    from workshops.live.models import Participant

    for _ in range(3):
        page = app.test_client().get(f"/j/{workshop.join_code}/profile")
        assert page.status_code == 200

    assert db.session.query(Participant).count() == 0


def test_a_refused_name_is_asked_again_alone_before_anything_is_typed(db, client, workshop, cabins):
    first, key_one = phone(workshop, ONE)
    profiles.save_own(workshop, first, key_one, MINE, claim=cabins.id)
    phone(workshop, TWO, business_name="Nordisk Hytteudlejning")
    db.session.commit()

    shown = page(client.get(url(workshop), headers={"X-Device": TWO}))

    assert "Another phone has already saved the profile of this business" in shown
    assert 'method="get"' in shown and 'name="offers"' not in shown
