"""This package's part of the demo: answered evaluations for Slusedal's five workshops.

Form A after W1-W4 with 14, 12, 11 and 4 responses (W4 shows the under-5 rule), Form B at the end
(W5) with 10. Answers are drawn from fixed weights with a fixed seed, so every load is the same.
W5's own Form A stays a draft: the method runs Form B there.
"""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.extensions import db
from evaluations import builder, responses
from evaluations.models import EvaluationForm
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project

RESPONSES = {"W1": 14, "W2": 12, "W3": 11, "W4": 4}
FORM_B_RESPONSES = 10

# Weights per option key, in option order where the key is a scale point.
SCALE_WEIGHTS = {
    "W1": {"useful": [0, 1, 3, 6, 4], "room": [0, 1, 4, 5, 4], "follow_up": [1, 2, 3, 5, 3]},
    "W2": {"useful": [0, 0, 2, 5, 5], "room": [0, 0, 1, 4, 7], "follow_up": [0, 1, 3, 4, 4]},
    "W3": {"useful": [0, 1, 2, 4, 4], "room": [0, 1, 3, 4, 3], "follow_up": [0, 0, 2, 4, 5]},
    "W4": {"useful": [0, 0, 1, 2, 1], "room": [0, 1, 1, 1, 1], "follow_up": [0, 0, 1, 1, 2]},
}
PRACTICAL = [0, 1, 2, 6, 4]
SINGLE_WEIGHTS = {
    "org_type": {
        "accommodation": 2,
        "food": 3,
        "guides": 2,
        "culture": 2,
        "crafts": 2,
        "transport": 2,
        "other": 0,
        "public": 1,
        "idea": 1,
    },
    "met": {"yes_new": 5, "yes_known": 3, "unsure": 2, "no": 1},
    "contacts": None,  # its option keys are not stable words: drawn from the position weights
    "pace": {"slow": 1, "right": 8, "fast": 3},
    "next": {"yes": 9, "no": 1, "unsure": 2},
    "cooperation": {"sold": 2, "developing": 3, "agreed": 2, "contacts": 2, "no": 1},
    "product": {"launched": 2, "developing": 4, "no": 3, "n_a": 1},
    "turnover": {"lower": 0, "same": 4, "up_5": 3, "up_5_20": 1, "up_20": 0, "unknown": 2},
    "jobs": {"fewer": 0, "same": 6, "more_hours": 2, "new_job": 1, "unknown": 1},
    "barriers": {"clearly": 4, "somewhat": 4, "no": 1, "none": 1},
    "recommend": {"yes": 8, "maybe": 2, "no": 0},
}
CONTACTS = [1, 5, 4, 1]
B_SCALES = {"overall": [0, 0, 1, 5, 4], "network": [0, 1, 2, 4, 3], "open": [0, 0, 1, 3, 6]}
TEXTS = {
    "takeaway": [
        "Tre nye kontakter og en avtale om kaffe med padlerne",
        "At vi faktisk kan selge noe sammen",
        "Lyst til å teste en kanalhelg før sommeren",
        "Oversikt over hvem som gjør hva i bygda",
        "Smeden og museet har mye å snakke om!",
        "Ideen om felles hylle på kafeen",
        "Mer mot til å spørre andre om hjelp",
    ],
    "improve": [
        "Mer tid i gruppene, mindre i plenum",
        "Start 08.30, det er travelt i fjøset om morgenen",
        "Bedre lyd i lokalet",
        "Kortere presentasjonsrunde",
        "Flere fra kommunen bør komme",
        "Send ut deltakerlisten på forhånd",
    ],
    "result": [
        "Samarbeidet med kanalbåten om helgepakker",
        "Puben har fått faste konsertkvelder",
        "Jeg kjenner nå nesten alle bedriftene i Slusedal",
        "En ny suvenir vi lager sammen med Ullstua",
        "Frokostmøtene som fortsetter",
    ],
    "improve_b": [
        "Oppfølging mellom samlingene",
        "Hjelp med prising og avtaler tidligere",
        "Mer om digital booking",
        "Færre samlinger, men lengre",
    ],
}


def load(project: Project) -> None:
    """Add Form A to W1-W5 and Form B to W5, answered and closed (W5's Form A a draft).

    Only the workshops already held: the practice workshop and the follow-up are still to come.
    """
    zone = ZoneInfo(project.timezone)
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.project_id == project.id).order_by(Workshop.position)
        )
    )
    for number, workshop in enumerate(workshops):
        if workshop.status != "closed":
            continue  # the workshops still to come have no answers yet
        key = workshop.template_key or f"W{number + 1}"
        form = _form_for(project, workshop, "A")
        day = _day(workshop, zone)
        if key in RESPONSES:
            _answer(form, workshop, RESPONSES[key], key, day, seed=number)
            form.status = "closed"
            form.opened_at = form.closed_at = workshop.starts_at
        if key == "W5":
            form_b = _form_for(project, workshop, "B")
            _answer(form_b, workshop, FORM_B_RESPONSES, "B", day, seed=99)
            form_b.status = "closed"
            form_b.opened_at = form_b.closed_at = workshop.starts_at
    db.session.flush()


def _form_for(project: Project, workshop: Workshop, kind: str) -> EvaluationForm:
    """The workshop's form of this kind (the new-workshop hook may have made it), or a new one."""
    form = db.session.scalar(
        select(EvaluationForm).where(
            EvaluationForm.workshop_id == workshop.id, EvaluationForm.kind == kind
        )
    )
    return form or builder.from_template(project, kind, workshop=workshop)


def _day(workshop: Workshop, zone: ZoneInfo):
    if workshop.starts_at is None:
        return datetime.now(zone).date()
    return workshop.starts_at.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).date()


def _answer(form: EvaluationForm, workshop: Workshop, count: int, profile: str, day, seed: int):
    rng = random.Random(f"slusedal-{seed}")  # noqa: S311 - repeatable demo data, no secret
    devices = list(
        db.session.scalars(
            select(Participant.device)
            .where(Participant.workshop_id == workshop.id)
            .order_by(Participant.id)
        )
    )
    devices += [f"demo-extra-{seed}-{n}" for n in range(max(0, count - len(devices)))]
    for device in rng.sample(devices, count):
        answers = {
            str(q.id): v for q in form.questions if (v := _draw(q, profile, rng)) is not None
        }
        checked, problems = responses.check(form, answers)
        if problems:  # the weights above only name real options
            raise ValueError(f"demo answers do not fit the form: {problems}")
        responses.submit(form, checked, device, day)


def _draw(question, profile: str, rng: random.Random):
    options = list(question.options)
    if question.type == "text":
        key = "improve_b" if profile == "B" and question.key == "improve" else question.key
        texts = TEXTS.get(key, [])
        return rng.choice(texts) if texts and rng.random() < 0.45 else None
    if question.type == "scale":
        weights = SCALE_WEIGHTS.get(profile, {}).get(question.key) or B_SCALES.get(
            question.key, PRACTICAL
        )
        if not question.required and rng.random() < 0.1:
            return None
        return rng.choices([1, 2, 3, 4, 5], weights)[0]
    if question.type == "multiple":
        plain = [o for o in options if not o.exclusive]
        if not plain or rng.random() < 0.08:
            exclusive = [o for o in options if o.exclusive]
            return [str(exclusive[0].id)] if exclusive else None
        limit = min(question.max_choices or 3, len(plain))
        return [str(o.id) for o in rng.sample(plain, rng.randint(1, limit))]
    if question.key == "contacts":
        weights = CONTACTS[: len(options)] + [1] * max(0, len(options) - len(CONTACTS))
    else:
        table = SINGLE_WEIGHTS.get(question.key) or {}
        weights = [table.get(o.key, 1) for o in options]
    if not question.required and rng.random() < 0.15:
        return None
    return str(rng.choices(options, weights)[0].id)
