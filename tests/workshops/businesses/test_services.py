"""The businesses room's rules without a request: a phone's own profile, staged uploads and who
meets in a speed-meeting round."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from workshops.businesses import pairing_service, profiles, uploads
from workshops.businesses import registry as businesses
from workshops.businesses.models import Business, StagedUpload
from workshops.live import clock as live
from workshops.live import participants
from workshops.programme import builder as programme_builder
from workshops.programme.models import Step

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("slusedal", leaders=[leader], name="Slusedal", language="en")


@pytest.fixture
def workshop(db, project):
    workshop = programme_builder.add_workshop(project, "W1", template="W1")
    db.session.commit()
    live.start(workshop, utcnow())
    db.session.get(Step, workshop.current_step_id).collects = ["profiles"]
    db.session.commit()
    return workshop


def phone(workshop, token: str):
    """A participant's row and the key stored for its device."""
    return participants.ensure(workshop, token), participants.device_key(token)


def test_a_phone_profile_creates_a_business_bound_to_the_device(db, project, workshop):
    participant, key = phone(workshop, "phone-one-token")

    business = profiles.save_own(
        workshop, participant, key, profiles.PhoneProfile("Kvitlia Geitgård", offers="geitost")
    )
    db.session.commit()

    assert profiles.own_business(project, key) == business
    assert (business.device, business.offers) == (key, ["local_food"])
    assert participant.business_name == "Kvitlia Geitgård"


def test_the_same_device_changes_its_own_business_and_keeps_what_the_leader_set(
    db, project, workshop
):
    participant, key = phone(workshop, "phone-one-token")
    first = profiles.save_own(workshop, participant, key, profiles.PhoneProfile("Geitgård"))
    first.email = "post@geitgard.example"
    db.session.commit()

    again = profiles.save_own(
        workshop, participant, key, profiles.PhoneProfile("Kvitlia Geitgård", needs="utsalgssted")
    )
    db.session.commit()

    assert again.id == first.id
    assert (again.name, again.email, again.needs) == (
        "Kvitlia Geitgård",
        "post@geitgard.example",
        ["sales_outlet"],
    )
    assert db.session.query(Business).count() == 1


def test_a_phone_cannot_take_a_name_another_business_has(db, project, workshop):
    registered = businesses.save(project, businesses.BusinessData(name="Slusedal Padling"))
    registered.email = "leder@padling.example"
    db.session.commit()
    participant, key = phone(workshop, "phone-two-token")

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, participant, key, profiles.PhoneProfile("slusedal padling"))

    assert refused.value.code == "name_taken"
    assert registered.device is None
    assert profiles.own_business(project, key) is None


def test_profiles_are_taken_only_in_a_step_that_collects_them(db, workshop):
    db.session.get(Step, workshop.current_step_id).collects = ["ideas"]
    participant, key = phone(workshop, "phone-one-token")

    with pytest.raises(profiles.ProfileError) as refused:
        profiles.save_own(workshop, participant, key, profiles.PhoneProfile("Kafé"))

    assert refused.value.code == "not_collecting"
    assert profiles.collects_profiles(workshop) is False
    assert db.session.query(Business).count() == 0


def test_editable_words_give_tags_in_the_readers_language_then_own_words(db, project):
    business = businesses.save(
        project, businesses.BusinessData(name="Buss", offers="overnatting, zorblat")
    )

    assert profiles.editable_words(business, "offers", "en") == "Accommodation, zorblat"
    assert profiles.editable_words(None, "offers", "en") == ""


def test_a_staged_upload_is_found_by_its_token_and_discarded_after_import(db, project):
    now = datetime(2026, 3, 4, 9, 0)
    token = uploads.stage(project.id, b"name\nKafe\n", "bedrifter.csv", now)

    found = uploads.staged(project.id, token, now)
    uploads.discard(project.id, token)

    assert found == uploads.Staged(b"name\nKafe\n", "bedrifter.csv")
    assert uploads.staged(project.id, token, now) is None


def test_a_staged_upload_belongs_to_its_project_and_a_bad_token_reads_nothing(db, project):
    now = datetime(2026, 3, 4, 9, 0)
    token = uploads.stage(project.id, b"x", "a.csv", now)

    assert uploads.staged(project.id + 1, token, now) is None
    assert uploads.staged(project.id, "../7/" + token, now) is None
    assert uploads.staged(project.id, "short", now) is None
    assert uploads.staged(project.id, token, now) == uploads.Staged(b"x", "a.csv")


def test_staging_a_new_upload_forgets_those_older_than_a_day(db, project):
    then = datetime(2026, 3, 4, 9, 0)
    old = uploads.stage(project.id, b"old", "old.csv", then)
    later = then + uploads.MAX_AGE + timedelta(seconds=1)

    expired = uploads.staged(project.id, old, later)
    new = uploads.stage(project.id, b"new", "new.csv", later)

    assert expired is None
    assert db.session.scalar(select(StagedUpload).where(StagedUpload.token == old)) is None
    assert uploads.staged(project.id, new, later) == uploads.Staged(b"new", "new.csv")


@pytest.fixture
def three_businesses(db, project):
    made = [
        businesses.save(project, businesses.BusinessData(name=name, offers=offers, needs=needs))
        for name, offers, needs in (
            ("Fjellstua", "overnatting", "guida turer"),
            ("Elveguiden", "guida turer", "overnatting"),
            ("Bakeriet", "lokal mat", "flere besøkende"),
        )
    ]
    db.session.commit()
    return made


def test_a_speed_round_pairs_the_businesses_whose_people_are_present(
    db, project, workshop, three_businesses
):
    stua, guide, _bakery = three_businesses
    for token, name in (("phone-a-token", " fjellstua "), ("phone-b-token", "ELVEGUIDEN")):
        participant, _key = phone(workshop, token)
        participant.business_name = name
    db.session.commit()

    meeting = pairing_service.speed_round(project, workshop)

    assert meeting.present == meeting.chosen == [guide, stua]  # by name, as the project lists them
    assert [sorted(b.name for b in group) for group in meeting.groups] == [
        ["Elveguiden", "Fjellstua"]
    ]


def test_a_speed_round_takes_the_leaders_choice_else_everyone_when_nobody_is_known(
    db, project, workshop, three_businesses
):
    stua, _guide, bakery = three_businesses

    everyone = pairing_service.speed_round(project, workshop)
    chosen = pairing_service.speed_round(project, workshop, [str(bakery.id), str(stua.id), "999"])
    alone = pairing_service.speed_round(project, workshop, [str(bakery.id)])

    assert (everyone.present, len(everyone.chosen)) == ([], 3)
    assert sorted(b.name for group in everyone.groups for b in group) == sorted(
        b.name for b in three_businesses
    )
    assert chosen.chosen == [bakery, stua]
    assert (alone.chosen, alone.groups) == ([bakery], [])
