"""An idea queued on a phone arrives late: it keeps the step it was written in, and a checkout
still waiting when the leader closes the workshop is taken a little while after the close."""

from datetime import timedelta

import pytest

from app.db import utcnow
from workshops.ideas import capture
from workshops.ideas.models import Idea
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def post(client, code, text, step=None, key="late-0000001"):
    body = {"text": text} | ({"step": step} if step is not None else {})
    return client.post(
        f"/api/v1/workshops/{code}/ideas", json=body, headers={"Idempotency-Key": key}
    )


def _moved_on(db, workshop, steps=2):
    for _ in range(steps):
        live.advance(workshop, workshop.current_step_id, utcnow())
    db.session.commit()


def test_an_idea_written_in_an_earlier_step_stays_in_it(db, client, w2):
    first = w2.steps[0]
    _moved_on(db, w2)

    response = post(client, w2.join_code, "Written in the first step", step=first.id)

    assert response.status_code == 201
    assert db.session.get(Idea, response.json["id"]).step_id == first.id


@pytest.mark.parametrize("which", ["not started", "other workshop"])
def test_a_step_not_started_or_not_of_this_workshop_gives_the_current_step(
    db, client, w2, make_project, leader, which
):
    if which == "not started":
        step = w2.steps[-1]
    else:
        other = programme_builder.add_workshop(
            make_project("annen", leaders=[leader]), template="W1"
        )
        live.start(other, utcnow())
        db.session.commit()
        step = other.steps[0]

    response = post(client, w2.join_code, "Somewhere else", step=step.id)

    assert response.status_code == 201
    assert db.session.get(Idea, response.json["id"]).step_id == w2.current_step_id


def test_a_checkout_queued_before_the_close_is_taken_soon_after_it(db, client, w2):
    last_started = w2.steps[0]
    live.close(w2, utcnow())
    db.session.commit()

    late = post(client, w2.join_code, "Takk for i dag", step=last_started.id)
    without_step = post(client, w2.join_code, "No step said", key="late-0000002")

    assert late.status_code == 201
    assert db.session.get(Idea, late.json["id"]).step_id == last_started.id
    assert without_step.status_code == 409


def test_long_after_the_close_nothing_more_is_taken(db, client, w2):
    live.close(w2, utcnow() - capture.LATE_AFTER_CLOSE - timedelta(minutes=1))
    db.session.commit()

    response = post(client, w2.join_code, "Far too late", step=w2.steps[0].id)

    assert response.status_code == 409
    assert response.json["error"] == "workshop_closed"


@pytest.mark.parametrize("step", ["3", 1.5, True, -1, 2**40])
def test_a_step_that_is_no_id_is_refused(client, w2, step):
    response = post(client, w2.join_code, "Hei", step=step)

    assert response.status_code == 422
    assert response.json["error"] == "invalid_step"


def test_late_ideas_past_the_rate_limit_are_asked_to_wait_not_refused(db, client, w2):
    live.close(w2, utcnow())
    db.session.commit()

    answers = [
        post(client, w2.join_code, f"Sjekk ut {n}", step=w2.steps[0].id, key=f"late-{n:08d}")
        for n in range(capture.RATE_COUNT + 1)
    ]

    assert [a.status_code for a in answers[-2:]] == [201, 429]
    assert answers[-1].json["error"] == "rate_limited"
