"""Answering a form: check the answers, store them anonymously, one response per device.

The same rules serve the HTML page and the JSON API: both turn their input into a dict
{question id: value} and call check(); submit() adds the device's hash to the form's receipt set
and stores the Response in one transaction. The set's row is locked first (its insert takes the
write lock on SQLite; SELECT ... FOR UPDATE on PostgreSQL), so of two racing requests from one
device the second sees the first's hash and is refused.

Nothing stored may say in which order responses came (models.py). On PostgreSQL, where new rows go
to the end of the table and carry their transaction's id, submit() rewrites all responses and
answers of the form (up to REWRITE_LIMIT of them) in a random order in the same transaction.
"""

from __future__ import annotations

import bisect
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from evaluations.builder import text_in
from evaluations.models import Answer, EvaluationForm, Option, Question, ReceiptSet, Response
from workshops.devices import hashed

MAX_ANSWER_TEXT = 2000
SCALE_POINTS = ("1", "2", "3", "4", "5")
TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")  # what new tokens are made of (URL-safe base64)
RANDOM = secrets.SystemRandom()  # the order of the rewrite on PostgreSQL (tests may seed another)


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
    return hashed(device, f"evaluation:{form.id}")


def has_answered(form: EvaluationForm, device: str | None) -> bool:
    """Tell whether this device has answered the form."""
    if not device:
        return False
    hashes = db.session.scalar(select(ReceiptSet.hashes).where(ReceiptSet.form_id == form.id))
    return bool(hashes) and _contains(hashes.split(), receipt_key(form, device))


def receipt_count(form: EvaluationForm) -> int:
    """How many devices have answered the form."""
    hashes = db.session.scalar(select(ReceiptSet.hashes).where(ReceiptSet.form_id == form.id))
    return len(hashes.split()) if hashes else 0


def _contains(members: list[str], key: str) -> bool:
    at = bisect.bisect_left(members, key)
    return at < len(members) and members[at] == key


def new_response_id() -> str:
    """A random response id (tests may replace it to make the order reproducible)."""
    return secrets.token_hex(16)


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
    """Add the device to the receipt set and store the response in the session; the caller commits.

    Raises AlreadyAnswered when the set holds this device, also when a parallel request added it
    first (the set's row is locked until that request commits).
    """
    key = receipt_key(form, device)
    receipts = _locked_receipts(form)
    members = receipts.members()
    if _contains(members, key):
        db.session.rollback()
        raise AlreadyAnswered
    bisect.insort(members, key)
    receipts.hashes = " ".join(members)
    response = Response(id=new_response_id(), form_id=form.id, submitted_on=today)
    for answer in checked:
        if answer.text is not None:
            response.answers.append(Answer(question_id=answer.question.id, text=answer.text))
        for item, option in enumerate(answer.options):
            response.answers.append(
                Answer(question_id=answer.question.id, item=item, option_id=option.id)
            )
    db.session.add(response)
    db.session.flush()
    if db.engine.dialect.name == "postgresql":
        _rewrite_in_random_order(form, response.id)
    return response


def _locked_receipts(form: EvaluationForm) -> ReceiptSet:
    """The form's receipt set, created if missing, locked for this transaction."""
    insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
    # An insert first: on SQLite it takes the write lock before the set is read.
    db.session.execute(
        insert(ReceiptSet).values(form_id=form.id, hashes="").on_conflict_do_nothing()
    )
    return db.session.scalars(
        select(ReceiptSet)
        .where(ReceiptSet.form_id == form.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


# Each response of the form, and then its answers, updated one by one in the order given: the new
# row versions take new places in the table (ctid) and this transaction's id (xmin).
_REWRITE = text(
    """
DO $$
DECLARE rid text;
BEGIN
  FOREACH rid IN ARRAY string_to_array(current_setting('kraftverk.rewrite_order'), ',') LOOP
    UPDATE evaluation_response SET submitted_on = submitted_on WHERE id = rid;
    UPDATE evaluation_answer SET item = item WHERE response_id = rid;
  END LOOP;
END $$
"""
)


# A form's answer rewrites at most this many earlier responses besides the new one, so the cost of
# an answer stays bounded on a very large form (docs/privacy.md says what that leaves).
REWRITE_LIMIT = 120


def _rewrite_in_random_order(form: EvaluationForm, new_id: str) -> None:
    """PostgreSQL: give the form's responses and answers new places, in a random order.

    Up to REWRITE_LIMIT earlier responses (all of a workshop-sized form) are rewritten with the
    new one; on a larger form the new one goes among a random sample of that many.
    """
    ids = [
        rid
        for rid in db.session.scalars(select(Response.id).where(Response.form_id == form.id))
        if rid != new_id
    ]
    if len(ids) > REWRITE_LIMIT:
        ids = RANDOM.sample(ids, REWRITE_LIMIT)
    ids.append(new_id)
    RANDOM.shuffle(ids)
    if not all(TOKEN.match(rid) for rid in ids):  # ids are hex; never anything else in the list
        raise ValueError("unexpected response id")
    db.session.execute(select(func.set_config("kraftverk.rewrite_order", ",".join(ids), True)))
    db.session.execute(_REWRITE)


def commit_response() -> None:
    """Commit the stored response; a lost race becomes AlreadyAnswered."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAnswered from error


def problem_message(
    problem: Problem, form: EvaluationForm, lang: str, *, named: bool = True
) -> str:
    """The problem in the respondent's language, naming the question unless `named` is false."""
    messages = {
        "not_an_object": _("The answers must be an object of question ids and values."),
        "unknown_question": _("An answer is for a question this form does not have."),
        "required": _("Please answer this question."),
        "unknown_option": _("Choose one of the options given."),
        "not_a_list": _("Send a list of options."),
        "too_many": _("Choose fewer options."),
        "exclusive": _("This option cannot be chosen together with others."),
        "scale_range": _("Choose a value from 1 to 5."),
        "not_text": _("Send the answer as text."),
        "text_too_long": _("The answer is too long (at most %(n)s characters)."),
    }
    message = messages.get(problem.code, problem.code)
    question = next((q for q in form.questions if q.id == problem.question_id), None)
    if problem.code == "too_many" and question is not None and question.max_choices:
        message = ngettext(
            "Choose at most %(num)s option.",
            "Choose at most %(num)s options.",
            question.max_choices,
        )
    elif problem.code == "text_too_long":
        message = message % {"n": MAX_ANSWER_TEXT}
    if question is None or not named:
        return message
    return f"«{text_in(question.text, lang, form.language)}»: {message}"
