"""The wall's layout and spotlight, and an interest's business, without a request."""

import pytest

from app.db import utcnow
from workshops.businesses import registry as businesses
from workshops.ideas import capture, votes, wall
from workshops.ideas.models import Idea
from workshops.live import clock as live
from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("kanalbyen", leaders=[leader], name="Kanalbyen")


def running(db, project, title: str) -> Workshop:
    workshop = programme_builder.add_workshop(project, title, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def idea_in(db, workshop: Workshop, text: str) -> Idea:
    stored = capture.submit(workshop.join_code, text, device=None)
    return db.session.get(Idea, stored.id)


def versions(db, workshop: Workshop) -> int:
    db.session.expire(workshop)
    return workshop.ideas_version


def test_the_spotlight_goes_on_and_off_and_the_wall_hears_of_it(db, project):
    workshop = running(db, project, "W2")
    idea = idea_in(db, workshop, "Sauna boat")
    before = versions(db, workshop)

    lit = wall.toggle_spotlight(workshop, idea)
    db.session.commit()
    after_on = versions(db, workshop)
    dark = wall.toggle_spotlight(workshop, idea)
    db.session.commit()

    assert (lit, dark, workshop.spotlight_idea_id) == (idea.id, None, None)
    assert versions(db, workshop) == after_on + 1 == before + 2


def test_an_idea_of_another_workshop_cannot_be_spotlit(db, project):
    here, there = running(db, project, "Here"), running(db, project, "There")
    elsewhere = idea_in(db, there, "Moose safari")

    with pytest.raises(wall.WallError) as refused:
        wall.toggle_spotlight(here, elsewhere)

    assert (refused.value.code, here.spotlight_idea_id) == ("other_workshop", None)


def test_the_wall_layout_changes_only_to_a_known_one(db, project):
    workshop = running(db, project, "W2")
    before = versions(db, workshop)

    wall.set_layout(workshop, "theme")
    db.session.commit()
    with pytest.raises(wall.WallError):
        wall.set_layout(workshop, "spiral")

    assert (workshop.wall_layout, versions(db, workshop)) == ("theme", before + 1)


def test_an_interest_names_the_registered_business_whatever_the_case(db, project):
    workshop = running(db, project, "W2")
    kafe = businesses.save(project, businesses.BusinessData(name="Kafé Sluse"))
    db.session.commit()
    idea = idea_in(db, workshop, "Guided canal walk")

    known = votes.mark_interest(workshop, idea.id, "kafé SLUSE", "device-key", utcnow())
    unknown = votes.mark_interest(workshop, idea.id, "Nobody AS", "other-key", utcnow())

    assert votes.registered_business(project.id, "KAFÉ SLUSE") == kafe.id
    assert (known.business_id, unknown.business_id) == (kafe.id, None)
