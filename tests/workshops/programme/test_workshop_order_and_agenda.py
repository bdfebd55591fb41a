"""Workshops move, go when nothing was collected, and find their place by date; the printed
agenda shows the plan; a step's form refuses what cannot be."""

from datetime import datetime

import pytest

from evaluations.models import EvaluationForm
from tests.conftest import login
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme import builder as programme_builder
from workshops.programme.models import Step, Workshop
from workshops.registrations.models import Registration

pytestmark = pytest.mark.db


def _oslo(text: str) -> datetime:
    return programme_builder.local_to_utc(datetime.fromisoformat(text), "Europe/Oslo")


@pytest.fixture
def project(db, leader, make_project):
    """Kanalbyen with W1-W3, a month apart."""
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    for key, day in (("W1", "2027-02-03"), ("W2", "2027-03-03"), ("W3", "2027-04-07")):
        programme_builder.add_workshop(project, template=key, starts_at=_oslo(f"{day}T09:00"))
    db.session.commit()
    return project


def _programme(db) -> list[str]:
    db.session.expire_all()
    return [w.template_key or w.title for w in db.session.query(Workshop).order_by("position")]


def test_leader_moves_a_workshop_down_and_up(db, leader_client, project):
    w1 = project.workshops[0]

    leader_client.post(f"/projects/kanalbyen/workshops/{w1.id}/down")
    after_down = _programme(db)
    leader_client.post(f"/projects/kanalbyen/workshops/{w1.id}/up")

    assert after_down == ["W2", "W1", "W3"]
    assert _programme(db) == ["W1", "W2", "W3"]


def test_programme_page_offers_move_buttons_to_leaders(db, leader_client, project):
    page = leader_client.get("/projects/kanalbyen/workshops?lang=en").get_data(as_text=True)
    w1, w3 = project.workshops[0], project.workshops[2]

    assert f"/projects/kanalbyen/workshops/{w1.id}/down" in page
    assert f"/projects/kanalbyen/workshops/{w1.id}/up" not in page  # first already
    assert f"/projects/kanalbyen/workshops/{w3.id}/down" not in page  # last already


def test_leader_removes_a_workshop_where_nothing_was_collected(db, leader_client, project):
    w2 = project.workshops[1]
    form_id = db.session.query(EvaluationForm.id).filter_by(workshop_id=w2.id).scalar()
    page = leader_client.get(f"/projects/kanalbyen/workshops/{w2.id}").get_data(as_text=True)

    response = leader_client.post(
        f"/projects/kanalbyen/workshops/{w2.id}/remove?lang=en", follow_redirects=True
    )

    assert _programme(db) == ["W1", "W3"]
    assert [w.position for w in db.session.query(Workshop).order_by("position")] == [0, 1]
    assert db.session.query(Step).filter_by(workshop_id=w2.id).count() == 0
    # Its draft evaluation form stays, no longer tied to a workshop.
    assert db.session.get(EvaluationForm, form_id).workshop_id is None
    assert f"/projects/kanalbyen/workshops/{w2.id}/remove" in page
    assert "is removed" in response.get_data(as_text=True)


def _idea(workshop):
    return Idea(workshop_id=workshop.id, text="Sauna boat")


def _participant(workshop):
    return Participant(workshop_id=workshop.id, device="device-0001")


def _registration(workshop):
    return Registration(workshop_id=workshop.id, token="t" * 40, email_key="a@example.org")


def _opened_form(workshop):
    from app.extensions import db

    form = db.session.query(EvaluationForm).filter_by(workshop_id=workshop.id).one()
    form.status = "open"
    return form


def _run(workshop):
    workshop.status = "closed"
    return workshop


@pytest.mark.parametrize(
    ("collect", "named"),
    [
        (_idea, "ideas"),
        (_participant, "participants"),
        (_registration, "registrations"),
        (_opened_form, "an opened evaluation form"),
        (_run, "a live run"),
    ],
)
def test_workshop_where_something_was_collected_is_not_removed(
    db, leader_client, project, collect, named
):
    w2 = project.workshops[1]
    db.session.add(collect(w2))
    db.session.commit()

    page = leader_client.get(f"/projects/kanalbyen/workshops/{w2.id}?lang=en")
    response = leader_client.post(
        f"/projects/kanalbyen/workshops/{w2.id}/remove?lang=en", follow_redirects=True
    )

    expected = f"This workshop cannot be removed, as it already has: {named}."
    assert expected in page.get_data(as_text=True)
    assert f"/workshops/{w2.id}/remove" not in page.get_data(as_text=True)
    assert expected in response.get_data(as_text=True)
    assert _programme(db) == ["W1", "W2", "W3"]


def test_viewer_can_neither_move_nor_remove_a_workshop(db, client, make_user, project):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    db.session.commit()
    login(client, viewer.email)
    w1 = project.workshops[0]

    moved = client.post(f"/projects/kanalbyen/workshops/{w1.id}/down")
    removed = client.post(f"/projects/kanalbyen/workshops/{w1.id}/remove")

    assert (moved.status_code, removed.status_code) == (403, 403)
    assert _programme(db) == ["W1", "W2", "W3"]


def test_removing_needs_a_post(db, leader_client, project):
    w1 = project.workshops[0]

    assert leader_client.get(f"/projects/kanalbyen/workshops/{w1.id}/remove").status_code == 405
    assert _programme(db) == ["W1", "W2", "W3"]


def test_a_dated_copy_takes_its_place_by_date(db, leader_client, project):
    w1, w2, w3 = (w.title for w in project.workshops)
    leader_client.post(f"/projects/kanalbyen/workshops/{project.workshops[1].id}/duplicate")
    copy = db.session.query(Workshop).order_by(Workshop.id.desc()).first()

    response = leader_client.post(
        f"/projects/kanalbyen/workshops/{copy.id}?lang=en",
        data={
            "title": "Round two",
            "starts_at": "2027-03-17T09:00",
            "visibility": "stepwise",
            "is_public": "y",
        },
        follow_redirects=True,
    )

    db.session.expire_all()
    order = [w.title for w in db.session.query(Workshop).order_by(Workshop.position)]
    assert order == [w1, w2, "Round two", w3]
    assert "moved to its place in the programme by date" in response.get_data(as_text=True)


def test_a_workshop_added_with_a_date_takes_its_place(db, project):
    programme_builder.add_workshop(project, "Extra", starts_at=_oslo("2027-02-17T09:00"))
    db.session.commit()

    assert _programme(db) == ["W1", "Extra", "W2", "W3"]


def test_an_order_the_leader_chose_stays_when_the_date_does_not_change(db, leader_client, project):
    w1 = project.workshops[0]
    leader_client.post(f"/projects/kanalbyen/workshops/{w1.id}/down")

    leader_client.post(
        f"/projects/kanalbyen/workshops/{w1.id}",
        data={"title": "Renamed", "starts_at": "2027-02-03T09:00", "visibility": "stepwise"},
    )

    assert _programme(db) == ["W2", "W1", "W3"]


def test_printed_agenda_shows_the_planned_steps_of_a_step_by_step_workshop(
    db, leader_client, project
):
    w1 = project.workshops[0]
    assert w1.visibility == "stepwise"  # the default
    base = f"/projects/kanalbyen/workshops/{w1.id}/agenda?lang=en"

    agenda = leader_client.get(base).get_data(as_text=True)
    pdf = leader_client.get(f"{base}&format=pdf")

    assert all(step.title in agenda for step in w1.steps)
    assert pdf.data.startswith(b"%PDF")


def test_printed_agenda_of_a_hidden_workshop_says_why_it_lists_no_steps(db, leader_client, project):
    w1 = project.workshops[0]
    w1.visibility = "hidden"
    db.session.commit()

    agenda = leader_client.get(f"/projects/kanalbyen/workshops/{w1.id}/agenda?lang=en")
    text = agenda.get_data(as_text=True)

    assert w1.steps[1].title not in text
    assert "Participants see only the current step during the workshop" in text
    assert "Change the agenda for participants" in text


def test_phones_still_follow_the_step_by_step_setting(db, client, project):
    w1 = project.workshops[0]

    state = client.get(
        f"/api/v1/workshops/{w1.join_code}", headers={"X-Device": "device-0001"}
    ).get_json()

    assert state["agenda"] == []


def _step_url(project) -> tuple[str, Step]:
    workshop = project.workshops[0]
    step = workshop.steps[1]
    return f"/projects/kanalbyen/workshops/{workshop.id}/steps/{step.id}?lang=en", step


def test_step_collecting_nothing_and_ideas_is_refused(db, leader_client, project):
    url, step = _step_url(project)
    before = list(step.collects)

    response = leader_client.post(
        url, data={"title": step.title, "minutes": "10", "collects": ["nothing", "ideas"]}
    )

    assert response.status_code == 400
    assert "Untick “Nothing” to collect something, or untick the others." in (
        response.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(Step, step.id).collects == before


def test_step_of_zero_minutes_gets_the_range_message(db, leader_client, project):
    url, step = _step_url(project)

    response = leader_client.post(
        url, data={"title": step.title, "minutes": "0", "collects": ["nothing"]}
    )

    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Number must be between 1 and 240." in body
    assert "This field is required." not in body


def _public_titles(app) -> str:
    """The public calendar as an anonymous visitor sees it."""
    return app.test_client().get("/calendar?lang=en").get_data(as_text=True)


def test_a_new_programme_is_not_public_until_the_leader_says_so(app, db, leader_client, project):
    client = app.test_client()
    w1, w2, _w3 = project.workshops
    page = leader_client.get("/projects/kanalbyen/workshops?lang=en").get_data(as_text=True)
    assert page.count("Not public") == 3
    assert w1.title not in _public_titles(app)
    assert client.get(f"/workshops/{w1.id}/register").status_code == 404

    shown = leader_client.post(
        f"/projects/kanalbyen/workshops/{w1.id}/public?lang=en", follow_redirects=True
    )

    assert "is in the public calendar" in shown.get_data(as_text=True)
    assert db.session.get(Workshop, w1.id).is_public
    assert not db.session.get(Workshop, w2.id).is_public
    assert w1.title in _public_titles(app)
    assert client.get(f"/workshops/{w1.id}/register").status_code == 200

    leader_client.post(f"/projects/kanalbyen/workshops/{w1.id}/private")

    assert not db.session.get(Workshop, w1.id).is_public
    assert w1.title not in _public_titles(app)


def test_viewer_cannot_publish_a_workshop(db, client, make_user, project):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    db.session.commit()
    login(client, viewer.email)
    w1 = project.workshops[0]

    assert client.post(f"/projects/kanalbyen/workshops/{w1.id}/public").status_code == 403
    assert not db.session.get(Workshop, w1.id).is_public
