"""Answering a form: check the answers, store them anonymously, one response per device.

The same rules serve the HTML page and the JSON API: both turn their input into a dict
{question id: value} and call check(); submit() stores a Receipt and the Response in one
transaction, so the Receipt's primary key (form, hashed device) decides between racing requests.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from evaluations.builder import text_in
from evaluations.models import Answer, EvaluationForm, Option, Question, Receipt, Response

MAX_ANSWER_TEXT = 2000
SCALE_POINTS = ("1", "2", "3", "4", "5")
TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")  # what new tokens are made of (URL-safe base64)


class AlreadyAnswered(Exception):
    """This device has answered this form already."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with the answer to one question (or with the whole body)."""

    question_id: int | None
    code: str


@dataclass(frozen=True)
class Checked:
    """One question's valid answer: chosen options, or a text."""

    question: Question
    options: tuple[Option, ...] = ()
    text: str | None = None


def form_by_token(token: str) -> EvaluationForm | None:
    """The form with this token, unless it is unknown or still a draft."""
    if not token or len(token) > 64 or not TOKEN.match(token):
        return None
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.token == token))
    if form is None or form.status == "draft":
        return None
    return form


def receipt_key(form: EvaluationForm, device: str) -> str:
    """The device's keyed hash for this form alone, so receipts of two forms cannot be joined."""
    from workshops.devices import hashed

    return hashed(device, f"evaluation:{form.id}")


def has_answered(form: EvaluationForm, device: str | None) -> bool:
    """Tell whether this device has answered the form."""
    if not device:
        return False
    return db.session.get(Receipt, (form.id, receipt_key(form, device))) is not None


def from_post(form: EvaluationForm, data: Mapping) -> dict[str, object]:
    """Turn an HTML form's fields (q<ID>, lists for multiple choice) into the API's answers."""
    answers: dict[str, object] = {}
    for question in form.questions:
        name = f"q{question.id}"
        if question.type == "multiple":
            values = [v for v in data.getlist(name) if v] if hasattr(data, "getlist") else []
            if values:
                answers[str(question.id)] = values
        else:
            value = data.get(name)
            if value is not None and (question.type != "text" or value.strip()):
                answers[str(question.id)] = value
    return answers


def check(form: EvaluationForm, answers: object) -> tuple[list[Checked], list[Problem]]:
    """Check answers {question id: value} against the form; return the valid ones and problems."""
    if not isinstance(answers, Mapping):
        return [], [Problem(None, "not_an_object")]
    by_id = {str(q.id): q for q in form.questions}
    problems = [Problem(None, "unknown_question") for key in answers if str(key) not in by_id]
    checked: list[Checked] = []
    for question in form.questions:
        value = answers.get(str(question.id))
        result = _check_one(question, value)
        if isinstance(result, Problem):
            problems.append(result)
        elif result is not None:
            checked.append(result)
        elif question.required:
            problems.append(Problem(question.id, "required"))
    return checked, problems


def _check_one(question: Question, value: object) -> Checked | Problem | None:
    """None when unanswered."""
    if value is None:
        return None
    options = {str(option.id): option for option in question.options}
    if question.type == "text":
        if not isinstance(value, str):
            return Problem(question.id, "not_text")
        text = value.strip()
        if len(text) > MAX_ANSWER_TEXT:
            return Problem(question.id, "text_too_long")
        return Checked(question, text=text) if text else None
    if question.type == "multiple":
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            return Problem(question.id, "not_a_list")
        if not value:
            return None
        chosen: list[Option] = []
        for item in value:
            option = options.get(str(item)) if isinstance(item, (str, int)) else None
            if option is None or isinstance(item, bool):
                return Problem(question.id, "unknown_option")
            if option not in chosen:
                chosen.append(option)
        if question.max_choices and len(chosen) > question.max_choices:
            return Problem(question.id, "too_many")
        if len(chosen) > 1 and any(option.exclusive for option in chosen):
            return Problem(question.id, "exclusive")
        chosen.sort(key=lambda option: option.position)
        return Checked(question, options=tuple(chosen))
    if question.type == "scale":
        return _check_scale(question, value)
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return Problem(question.id, "unknown_option")
    option = options.get(str(value))
    if option is None:
        return Problem(question.id, "unknown_option")
    return Checked(question, options=(option,))


def _check_scale(question: Question, value: object) -> Checked | Problem:
    """A point 1-5, as an integer or as the option id the API lists for it ("1".."5")."""
    by_key = {option.key: option for option in question.options}
    point = None
    if isinstance(value, int) and not isinstance(value, bool):
        point = str(value)
    elif isinstance(value, str):
        point = value.strip()
    option = by_key.get(point) if point in SCALE_POINTS else None
    if option is None:
        return Problem(question.id, "scale_range")
    return Checked(question, options=(option,))


def local_today(timezone: str, now: datetime | None = None) -> date:
    """Today's date where the project is (the only time a response keeps)."""
    zone = ZoneInfo(timezone or "Europe/Oslo")
    return (now.astimezone(zone) if now else datetime.now(zone)).date()


def submit(form: EvaluationForm, checked: list[Checked], device: str, today: date) -> Response:
    """Store the receipt and the response in the session; the caller commits.

    Raises AlreadyAnswered when this device's receipt exists, also when a parallel request
    inserted it first (the receipt's primary key refuses the second).
    """
    receipt = Receipt(form_id=form.id, device_hash=receipt_key(form, device))
    db.session.add(receipt)
    try:
        db.session.flush()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAnswered from error
    response = Response(id=secrets.token_hex(16), form_id=form.id, submitted_on=today)
    for answer in checked:
        if answer.text is not None:
            response.answers.append(Answer(question_id=answer.question.id, text=answer.text))
        for item, option in enumerate(answer.options):
            response.answers.append(
                Answer(question_id=answer.question.id, item=item, option_id=option.id)
            )
    db.session.add(response)
    return response


def commit_response() -> None:
    """Commit the stored response; a receipt that lost a race becomes AlreadyAnswered."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAnswered from error


def problem_message(
    problem: Problem, form: EvaluationForm, lang: str, *, named: bool = True
) -> str:
    """The problem in the respondent's language, naming the question unless `named` is false."""
    from flask_babel import gettext as _

    messages = {
        "not_an_object": _("The answers must be an object of question ids and values."),
        "unknown_question": _("An answer is for a question this form does not have."),
        "required": _("Please answer this question."),
        "unknown_option": _("Choose one of the options given."),
        "not_a_list": _("Send a list of options."),
        "too_many": _("Choose at most %(n)s options."),
        "exclusive": _("This option cannot be chosen together with others."),
        "scale_range": _("Choose a value from 1 to 5."),
        "not_text": _("Send the answer as text."),
        "text_too_long": _("The answer is too long (at most %(n)s characters)."),
    }
    message = messages.get(problem.code, problem.code)
    question = next((q for q in form.questions if q.id == problem.question_id), None)
    if problem.code == "too_many" and question is not None:
        message = message % {"n": question.max_choices}
    elif problem.code == "text_too_long":
        message = message % {"n": MAX_ANSWER_TEXT}
    if question is None or not named:
        return message
    return f"«{text_in(question.text, lang, form.language)}»: {message}"
