"""Fixtures for evaluations: a project with a workshop and its steps, forms, phones."""

from __future__ import annotations

import pytest
from flask import g

from app.extensions import db as _db
from evaluations import builder
from workshops.events import workshop_created
from workshops.live.models import Participant
from workshops.programme.models import Step, Workshop

STEPS = [
    ("W1.1", "Velkommen", [], []),
    ("W1.2", "Møt noen nye", [], ["profiles"]),
    ("W1.3", "Pause", ["break"], []),
    ("W1.4", "Tilbud og behov", [], ["ideas"]),
    ("W1.9", "Evaluering", ["evaluation_form"], ["evaluation"]),
]


@pytest.fixture
def project(make_project, leader):
    return make_project("kanalbyen", leaders=[leader], name="Kanalbyen")


@pytest.fixture
def make_workshop(project):
    def make(title="Hvem er vi", *, steps=STEPS, code="ABC234", participants=0, template="W1"):
        workshop = Workshop(
            project=project, title=title, join_code=code, template_key=template, position=0
        )
        for position, (key, step_title, techniques, collects) in enumerate(steps):
            workshop.steps.append(
                Step(
                    position=position,
                    key=key,
                    title=step_title,
                    techniques=techniques,
                    collects=collects,
                )
            )
        _db.session.add(workshop)
        _db.session.flush()
        for n in range(participants):
            _db.session.add(Participant(workshop_id=workshop.id, device=f"device-{code}-{n:02d}"))
        workshop_created(workshop)  # as the workshop service does: Form A comes with it
        _db.session.commit()
        return workshop

    return make


@pytest.fixture
def workshop(make_workshop):
    return make_workshop(participants=20)


@pytest.fixture
def form_a(workshop):
    """The workshop's Form A (made by the hook), opened."""
    from evaluations.models import EvaluationForm

    form = _db.session.scalar(
        _db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
    )
    builder.set_status(form, "open")
    _db.session.commit()
    return form


@pytest.fixture
def custom_form(project):
    """An open form with one question of each type, all required but the text."""
    form = builder.empty(project, "Kort evaluering", language="en")
    builder.add_question(form, "single", "Which track?", required=True)
    single = form.questions[0]
    for text in ("Food", "Culture", "Nature"):
        builder.add_option(single, text)
    builder.add_question(form, "yesno", "Did you enjoy it?", required=True)
    builder.add_question(form, "scale", "How useful?", required=True, scale_set="useful")
    builder.add_question(form, "multiple", "What helped?", required=True, max_choices=2)
    multiple = form.questions[3]
    for text in ("Talks", "Coffee", "Maps"):
        builder.add_option(multiple, text)
    builder.add_question(form, "text", "Anything else?")
    builder.set_status(form, "open")
    _db.session.commit()
    return form


class Phone:
    """A respondent's device: its own device header, JSON to the API."""

    def __init__(self, client, device: str) -> None:
        self.client = client
        self.headers = {"X-Device": device}

    @staticmethod
    def _fresh() -> None:
        # The test app context outlives a request (it does not in production): forget the
        # device the previous request remembered.
        for name in ("device", "device_is_new"):
            g.pop(name, None)

    def get(self, token: str, **headers):
        self._fresh()
        return self.client.get(f"/api/v1/evaluations/{token}", headers=self.headers | headers)

    def answer(self, token: str, answers: dict, **headers):
        self._fresh()
        return self.client.post(
            f"/api/v1/evaluations/{token}",
            json={"answers": answers},
            headers=self.headers | headers,
        )


@pytest.fixture
def make_phone(app):
    def make(device: str = "phone-0000000000000001") -> Phone:
        return Phone(app.test_client(), device)

    return make


def option_id(form, question_index: int, option_index: int) -> str:
    """The API id of an option (by positions)."""
    question = form.questions[question_index]
    option = question.options[option_index]
    return option.key if question.type == "scale" else str(option.id)


def qid(form, index: int) -> str:
    return str(form.questions[index].id)
