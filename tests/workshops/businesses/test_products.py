"""Product sheets in the live room: one phone per group writes, the others see and may take over."""

from datetime import datetime

import pytest

from workshops.businesses import products
from workshops.businesses.models import Business, Ecosystem
from workshops.live import clock as live
from workshops.live import steps as collects
from workshops.live.models import Participant
from workshops.live.steps import StepError
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

T0 = datetime(2027, 4, 7, 8, 0)
SHEET = {"what": "Canal weekend", "for_whom": "Families", "price": "1200 kr"}


@pytest.fixture
def w4(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W4", starts_at=T0)
    smia = Business(project_id=project.id, name="Smia")
    kaia = Business(project_id=project.id, name="Kaia")
    alone = Business(project_id=project.id, name="Ullbua")
    db.session.add_all([smia, kaia, alone])
    db.session.add(Ecosystem(project_id=project.id, name="Kanalhelg", members=[smia, kaia]))
    for device, name in (("phone-1", "Smia"), ("phone-2", "Kaia"), ("phone-3", "Ullbua")):
        db.session.add(Participant(workshop_id=workshop.id, device=device, business_name=name))
    db.session.commit()
    return workshop


def _to_products(workshop):
    live.start(workshop, T0)
    index = next(n for n, s in enumerate(workshop.steps) if "products" in collects.kinds_of(s))
    while live.step_index(workshop) < index:
        live.advance(workshop, workshop.current_step_id, T0)


def test_one_phone_of_the_group_writes_and_the_group_sees_it(db, w4):
    _to_products(w4)

    products.save(w4, "phone-1", SHEET, take=False, now=T0)
    db.session.commit()

    mine, partner, other = (products.view(w4, d) for d in ("phone-1", "phone-2", "phone-3"))
    assert (mine["group"], mine["writer"], mine["fields"]["what"]) == (
        "Kanalhelg",
        "me",
        SHEET["what"],
    )
    assert (partner["group"], partner["writer"], partner["fields"]["price"]) == (
        "Kanalhelg",
        "other",
        "1200 kr",
    )
    assert (other["group"], other["fields"]) == ("Ullbua", {})


def test_a_second_phone_takes_the_pen_only_when_it_asks(db, w4):
    _to_products(w4)
    products.save(w4, "phone-1", SHEET, take=False, now=T0)

    with pytest.raises(StepError) as refused:
        products.save(w4, "phone-2", {"what": "Other"}, take=False, now=T0)
    products.save(w4, "phone-2", {"what": "Canal weekend, two nights"}, take=True, now=T0)

    assert refused.value.code == "other_phone"
    assert products.view(w4, "phone-1")["writer"] == "other"
    assert [s.fields["what"] for s in products.sheets(w4)] == ["Canal weekend, two nights"]


def test_sheets_are_taken_only_in_a_step_that_collects_them(db, w4):
    live.start(w4, T0)
    with pytest.raises(StepError) as early:
        products.save(w4, "phone-1", SHEET, take=False, now=T0)
    assert early.value.code == "not_now"


def test_the_phone_api_saves_the_sheet(db, client, w4):
    _to_products(w4)
    db.session.commit()
    url = f"/api/v1/workshops/{w4.join_code}/product"

    response = client.post(url, json={"fields": SHEET}, headers={"X-Device": "phone-unknown-01"})

    assert response.status_code == 409
    assert response.json["error"] == "no_group"
