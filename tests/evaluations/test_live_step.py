"""The evaluation step: the workshop's own form on the phones and the wall, never made twice."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from evaluations import live as evaluation_step
from evaluations.models import EvaluationForm
from workshops.live import clock as live
from workshops.live import state
from workshops.live import steps as collects
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

T0 = datetime(2027, 2, 3, 8, 0)


@pytest.fixture
def project(db, leader, make_project):
    return make_project("kanalbyen", leaders=[leader], name="Kanalbyen")


@pytest.fixture
def request_context(app):
    with app.test_request_context("/"):
        yield


def _forms(db, workshop):
    return list(
        db.session.scalars(select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id))
    )


def _to_evaluation(workshop):
    live.start(workshop, T0)
    index = next(n for n, s in enumerate(workshop.steps) if "evaluation" in collects.kinds_of(s))
    while live.step_index(workshop) < index:
        live.advance(workshop, workshop.current_step_id, T0)
    return workshop.steps[index]


@pytest.mark.parametrize(("template", "kind"), [("W2", "A"), ("W5", "B")])
def test_a_new_workshop_gets_its_own_form_named_after_it(db, project, template, kind):
    workshop = programme_builder.add_workshop(project, template=template, starts_at=T0)
    db.session.commit()

    forms = _forms(db, workshop)

    assert [(f.kind, f.status) for f in forms] == [(kind, "draft")]
    assert all(workshop.title in title for title in forms[0].title.values())


def test_the_step_opens_the_form_on_the_phones_and_the_wall(db, project, request_context):
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=T0)
    db.session.commit()
    made = _forms(db, workshop)[0]

    step = _to_evaluation(workshop)
    db.session.commit()

    assert made.status == "open"
    phone = state.snapshot(workshop, T0)["step"]["collect"]["evaluation"]
    assert phone["url"] == f"/e/{made.token}"
    assert collects.wall(workshop, step)["evaluation"]["answers"] == 0
    assert collects.counts(workshop)["answers"] == 0


def test_ending_the_step_takes_it_off_the_phones_and_leaves_the_form_open(
    db, project, request_context
):
    workshop = programme_builder.add_workshop(project, template="W3", starts_at=T0)
    db.session.commit()
    _to_evaluation(workshop)
    live.advance(workshop, workshop.current_step_id, T0 + timedelta(minutes=5), offset=-1)
    db.session.commit()

    assert "evaluation" not in state.snapshot(workshop, T0)["step"]["collect"]
    assert [f.status for f in _forms(db, workshop)] == ["open"]


def test_a_missing_form_is_made_once_and_never_again(db, project, request_context):
    workshop = programme_builder.add_workshop(project, template="W5", starts_at=T0)
    db.session.commit()
    for form in _forms(db, workshop):
        db.session.delete(form)
    db.session.commit()

    _to_evaluation(workshop)
    first = [(f.id, f.token, f.kind) for f in _forms(db, workshop)]
    live.close(workshop, T0 + timedelta(minutes=1))
    live.reopen(workshop, T0 + timedelta(minutes=2))
    db.session.commit()

    assert len(first) == 1 and first[0][2] == "B"
    assert [(f.id, f.token, f.kind) for f in _forms(db, workshop)] == first
    assert evaluation_step.for_workshop(workshop).status == "open"
