"""Extending a step by a number out of range says which numbers work, and changes nothing."""

import pytest

from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db


@pytest.mark.parametrize("minutes", ["0", "-100", "100000", "abc", ""])
def test_extend_out_of_range_names_the_range(db, leader, leader_client, make_project, minutes):
    project = make_project("lengre", leaders=[leader], name="Lengre")
    workshop = programme_builder.add_workshop(project, template="W1")
    db.session.commit()
    base = f"/projects/lengre/workshops/{workshop.id}/live"
    leader_client.post(f"{base}/start")

    page = leader_client.post(
        f"{base}/extend?lang=en",
        data={"leaving": workshop.steps[0].id, "minutes": minutes},
        follow_redirects=True,
    ).get_data(as_text=True)

    db.session.expire_all()
    assert "Give the step 1 to 60 more minutes." in page
    assert db.session.get(Workshop, workshop.id).step_extra_minutes == 0
