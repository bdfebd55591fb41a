"""Erasing personal data cannot be undone: it asks for a ticked confirmation, and says afterwards
which business was erased."""

import html
import json
import logging

import pytest

from tests.conftest import csrf_token
from workshops.businesses.models import Business
from workshops.privacy import service as privacy
from workshops.programme import builder as programme_builder
from workshops.registrations import service as registrations
from workshops.registrations.models import Registration
from workshops.registrations.service import Applicant

pytestmark = pytest.mark.db

NAME = "Ersfjord Kajakk & Villmark AS"


@pytest.fixture
def project(db, leader, make_project):
    return make_project("ersfjord", leaders=[leader], name="Ersfjord", language="en")


@pytest.fixture
def kayak(db, project):
    business = Business(project=project, name=NAME, email="post@kajakk.example", website="k.ex")
    db.session.add(business)
    db.session.commit()
    return business


def page_of(business) -> str:
    return f"/projects/ersfjord/businesses/{business.id}/privacy"


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_page_asks_for_a_ticked_box_that_works_without_javascript(leader_client, kayak):
    page = text(leader_client.get(page_of(kayak) + "?lang=en"))

    form = page.split('<form method="post" novalidate>')[1].split("</form>")[0]
    assert 'type="checkbox"' in form and 'name="confirm"' in form and "required" in form
    assert "I understand that this cannot be undone" in form
    assert "<script" not in form


@pytest.mark.parametrize("data", [{}, {"entirely": "y"}, {"entirely": "y", "confirm": ""}])
def test_erasing_without_the_ticked_box_is_refused_and_changes_nothing(
    app, db, leader_client, kayak, data
):
    app.config["WTF_CSRF_ENABLED"] = True
    page = page_of(kayak) + "?lang=en"
    data = data | {"csrf_token": csrf_token(leader_client, page)}

    answer = leader_client.post(page, data=data)

    assert answer.status_code == 400
    assert "Nothing was erased: tick the box to confirm first." in text(answer)
    assert "Tick this box to erase." in text(answer)
    db.session.expire_all()
    business = db.session.get(Business, kayak.id)
    assert (business.name, business.email, business.website) == (
        NAME,
        "post@kajakk.example",
        "k.ex",
    )


def test_a_confirmed_erase_names_the_business_the_leader_chose(db, leader_client, kayak):
    answer = leader_client.post(page_of(kayak) + "?lang=en", data={"confirm": "y"})

    listing = text(leader_client.get(answer.headers["Location"]))
    assert answer.status_code == 303
    assert f"The personal data of {NAME} is erased." in listing
    db.session.expire_all()
    assert db.session.get(Business, kayak.id).email == ""


def test_an_entire_erase_names_the_old_name_once_and_keeps_it_nowhere(
    db, leader_client, kayak, caplog
):
    caplog.set_level(logging.DEBUG)

    answer = leader_client.post(page_of(kayak) + "?lang=en", data={"confirm": "y", "entirely": "y"})
    listing = text(leader_client.get(answer.headers["Location"]))
    again = text(leader_client.get(answer.headers["Location"]))

    db.session.expire_all()
    business = db.session.get(Business, kayak.id)
    label = privacy.erased_label(business)
    assert business.name == label
    assert (
        f"The personal data of {NAME} is erased, and its name too: the business is now listed "
        f"as '{label}'."
    ) in listing
    assert NAME not in again  # shown once, on the leader's own screen
    with leader_client.session_transaction() as session:
        assert NAME not in json.dumps(dict(session), ensure_ascii=False, default=str)
    assert NAME not in caplog.text
    assert NAME not in json.dumps(privacy.export_business(business), ensure_ascii=False)


def test_a_person_is_erased_only_with_the_ticked_box(db, leader_client, project):
    workshop = programme_builder.add_workshop(project, "Idéverksted", template="W2")
    workshop.is_public = True  # open for registration
    ola = registrations.register(workshop, Applicant("Ola Nordmann", "ola@example.org"))
    db.session.commit()
    page = f"/projects/ersfjord/registrations/{ola.id}/privacy?lang=en"

    refused = leader_client.post(page, data={})
    db.session.expire_all()
    kept = db.session.get(Registration, ola.id).email
    erased = leader_client.post(page, data={"confirm": "y"})

    assert (refused.status_code, kept) == (400, "ola@example.org")
    assert "Nothing was erased: tick the box to confirm first." in text(refused)
    assert erased.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, ola.id).email == ""
