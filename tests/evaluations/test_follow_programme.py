"""A draft Form A follows its workshop: the steps as "which parts", the workshop's name."""

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from evaluations import builder
from evaluations.models import EvaluationForm
from workshops.programme.models import Step

pytestmark = pytest.mark.db


def _form(workshop) -> EvaluationForm:
    return _db.session.scalar(
        select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
    )


def _best(form):
    return next(q for q in _form_of(form).questions if q.key == "best")


def _parts(form) -> list[str]:
    _db.session.expire_all()
    return [builder.text_in(o.text, "nb") for o in _best(form).options]


def _form_of(form) -> EvaluationForm:
    return _db.session.get(EvaluationForm, form.id)


def _change_programme(workshop) -> None:
    """As in the walk: rename a step, remove one, add one."""
    steps = {s.key: s for s in workshop.steps}
    steps["W1.2"].title = "Møt noen nye – «hurtigdating»"
    workshop.steps.remove(steps["W1.1"])
    workshop.steps.append(Step(position=9, key=None, title="Lunsj med lokale råvarer"))
    _db.session.commit()


def test_the_builder_shows_a_draft_with_the_steps_as_they_are_now(leader_client, workshop):
    form = _form(workshop)
    _change_programme(workshop)

    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}").get_data(as_text=True)

    assert _parts(form) == [
        "Møt noen nye – «hurtigdating»",
        "Tilbud og behov",
        "Lunsj med lokale råvarer",
        "Ingen",
    ]
    assert "Lunsj med lokale råvarer" in page and "Velkommen" not in page
    assert _best(form).options[-1].exclusive  # "Ingen" stays last and alone


def test_opening_a_draft_takes_the_steps_as_they_are_now(db, workshop):
    form = _form(workshop)
    _change_programme(workshop)

    builder.set_status(form, "open")
    db.session.commit()

    assert _parts(form)[0] == "Møt noen nye – «hurtigdating»"
    assert "Velkommen" not in _parts(form)


def test_an_open_form_keeps_its_steps(leader_client, workshop):
    form = _form(workshop)
    builder.set_status(form, "open")
    _db.session.commit()
    _change_programme(workshop)

    leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}")
    builder.set_status(_form_of(form), "close")
    builder.set_status(_form_of(form), "open")  # reopening is not opening a draft

    assert _parts(form) == ["Velkommen", "Møt noen nye", "Tilbud og behov", "Ingen"]


def test_the_title_follows_a_renamed_workshop_until_the_leader_names_the_form(
    leader_client, workshop
):
    form = _form(workshop)
    workshop.title = "Hvem er vi, runde 2"
    _db.session.commit()

    leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}")
    followed = dict(_form_of(form).title)
    builder.set_title(_form_of(form), "Vår egen evaluering")
    workshop.title = "Runde 3"
    _db.session.commit()
    leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}")

    assert followed["nb"] == "Evaluering etter workshop · Hvem er vi, runde 2"
    assert followed["en"] == "Evaluation after the workshop · Hvem er vi, runde 2"
    assert _form_of(form).title == {"nb": "Vår egen evaluering"}


def test_options_the_leader_changed_by_hand_are_not_undone(leader_client, workshop):
    form = _form(workshop)
    question = next(q for q in form.questions if q.key == "best")
    builder.remove_option(question.options[0])  # "Velkommen" is not a part, says the leader
    _db.session.commit()
    _change_programme(workshop)

    leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}")

    assert _parts(form) == ["Møt noen nye", "Tilbud og behov", "Ingen"]


def test_viewing_an_unchanged_draft_changes_nothing(leader_client, workshop):
    form = _form(workshop)
    before = (dict(form.title), _parts(form), [o.id for o in _best(form).options])

    leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}")

    after = (dict(_form_of(form).title), _parts(form))
    assert after == before[:2]
    assert [o.id for o in _best(form).options] == before[2]
    assert builder.follow_programme(_form_of(form)) is False
