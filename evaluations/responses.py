"""Answering a form: check the answers, store them anonymously, one response per device.

The same rules serve the HTML page and the JSON API: both turn their input into a dict
{question id: value} and call check(); submit() adds the device's hash to the form's receipt set
and the response to the form's response set (evaluations/store.py) in one transaction. The
receipt set's row is locked first (on SQLite an UPDATE of the set, made only if it is still as
read before, takes the write lock, and when it is not the set is read again under the lock; on
PostgreSQL one statement updates the receipt set only if it lacks the hash, then the response
set), so of two racing requests from one device the second sees the first's hash and is refused,
and answers to one form are stored one after another. Checking, building the stored item and
the other queries all come before the lock; between the lock and the commit run only those
statements (and, on SQLite when the set changed, its reading and sorting again).

Nothing stored may say in which order responses came (models.py): an answer rewrites the same two
rows of its form, the receipt set (sorted) and the response set (in a uniformly random order).
"""

from __future__ import annotations

import bisect
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import IntegrityError

from app.db import forget_old_versions_soon
from app.extensions import db
from evaluations import store
from evaluations.builder import text_in
from evaluations.models import EvaluationForm, Option, Question, ReceiptSet
from workshops.devices import hashed
from workshops.projects.models import Project

MAX_ANSWER_TEXT = 2000
SCALE_POINTS = ("1", "2", "3", "4", "5")
TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")  # what new tokens are made of (URL-safe base64)
RECEIPT_CHARS = 20  # hex digits of a device's receipt hash


class AlreadyAnswered(Exception):
    """This device has answered this form already."""


class FormClosed(Exception):
    """The form was closed (or deleted) before the answer could be stored."""


@dataclass(frozen=True)
class Problem:
    """Something wrong with the answer to one question (or with the whole body)."""

    question_id: int | None
    code: str


@dataclass(frozen=True)
class AskedOption:
    """What checking needs of an option (a copy that outlives the database session)."""

    id: int
    key: str
    position: int
    exclusive: bool


@dataclass(frozen=True)
class Asked:
    """What checking needs of a question, with its options."""

    id: int
    type: str
    required: bool
    max_choices: int | None
    options: tuple[AskedOption, ...]


@dataclass(frozen=True)
class Checked:
    """One question's valid answer: chosen options, or a text."""

    question: Asked
    options: tuple[AskedOption, ...] = ()
    text: str | None = None


# The questions of forms that are no longer drafts, by (form id, token), per process: such a
# form's questions never change again (builder.check_editable), so answers are checked without
# loading them from the database each time.
_ASKED: OrderedDict[tuple[int, str], tuple[Asked, ...]] = OrderedDict()
_ASKED_LOCK = threading.Lock()
_ASKED_MAX = 256


# One query with Core for a form's questions and their options, in order (asked()).
_QUESTIONS = (
    select(
        Question.id,
        Question.type,
        Question.required,
        Question.max_choices,
        Option.id.label("option_id"),
        Option.key,
        Option.position,
        Option.exclusive,
    )
    .outerjoin(Option, Option.question_id == Question.id)
    .where(Question.form_id == bindparam("form_id"))
    .order_by(Question.position, Question.id, Option.position, Option.id)
)


def asked(form: EvaluationForm | Answering) -> tuple[Asked, ...]:
    """The form's questions and options as checking needs them (one query, unless kept)."""
    key = (form.id, form.token)
    if form.status != "draft":
        with _ASKED_LOCK:
            found = _ASKED.get(key)
            if found is not None:
                _ASKED.move_to_end(key)
                return found
    rows = db.session.execute(_QUESTIONS, {"form_id": form.id}).all()
    options: dict[int, list[AskedOption]] = {}
    for row in rows:
        found = options.setdefault(row.id, [])
        if row.option_id is not None:
            found.append(AskedOption(row.option_id, row.key, row.position, row.exclusive))
    seen: dict[int, Asked] = {}
    for row in rows:
        if row.id not in seen:
            seen[row.id] = Asked(
                row.id, row.type, row.required, row.max_choices, tuple(options[row.id])
            )
    questions = tuple(seen.values())
    if form.status != "draft":
        with _ASKED_LOCK:
            _ASKED[key] = questions
            while len(_ASKED) > _ASKED_MAX:
                _ASKED.popitem(last=False)
    return questions


def form_by_token(token: str, *, drafts: bool = False) -> EvaluationForm | None:
    """The form with this token, unless it is unknown or (without `drafts`) still a draft."""
    if not token or len(token) > 64 or not TOKEN.match(token):
        return None
    form = db.session.scalar(select(EvaluationForm).where(EvaluationForm.token == token))
    if form is None or (form.status == "draft" and not drafts):
        return None
    return form


def form_and_timezone(token: str) -> tuple[EvaluationForm, str] | None:
    """As form_by_token, with the time zone of the form's project, in one query (answering)."""
    if not token or len(token) > 64 or not TOKEN.match(token):
        return None
    found = db.session.execute(
        select(EvaluationForm, Project.timezone)
        .join(Project, Project.id == EvaluationForm.project_id)
        .where(EvaluationForm.token == token)
    ).first()
    if found is None or found[0].status == "draft":
        return None
    return found[0], found[1]


@dataclass(frozen=True)
class Answering:
    """What storing an answer needs of a form, read with Core in one query (no ORM object)."""

    id: int
    token: str
    status: str
    language: str
    timezone: str


# Built once: making the statement costs more Python time than running it (the answering path).
_ANSWERING = (
    select(
        EvaluationForm.id,
        EvaluationForm.token,
        EvaluationForm.status,
        EvaluationForm.language,
        Project.timezone,
    )
    .join(Project, Project.id == EvaluationForm.project_id)
    .where(EvaluationForm.token == bindparam("token"))
)
_RECEIPTS = select(ReceiptSet.hashes).where(ReceiptSet.form_id == bindparam("form_id"))


# PostgreSQL: the forms last read as open, by token, per process, each for at most _OPEN_SECONDS.
# A form's id, token and language never change and it never goes back to draft, so answering()
# takes them from here without a query; whether the form is still open is checked by the statement
# that writes the answer (store.add_with_receipt). The project's time zone (the day an answer is
# stored on) is as read at most _OPEN_SECONDS ago.
_OPEN: OrderedDict[str, tuple[float, Answering]] = OrderedDict()
_OPEN_LOCK = threading.Lock()
_OPEN_MAX = 256
_OPEN_SECONDS = 60.0


def answering(token: str) -> Answering | None:
    """As form_and_timezone, as plain values: the answering views' hot path (checking takes the
    questions from asked()'s per-process copy; only a refused answer loads the form itself).

    On PostgreSQL a form read as open is kept per process for a minute and given again without a
    query, as "open": submit(open_only=True) then stores the answer only if it still is (else
    FormClosed).
    """
    if not token or len(token) > 64 or not TOKEN.match(token):
        return None
    postgres = db.engine.dialect.name == "postgresql"
    if postgres:
        with _OPEN_LOCK:
            kept = _OPEN.get(token)
            if kept is not None and time.monotonic() - kept[0] < _OPEN_SECONDS:
                _OPEN.move_to_end(token)
                return kept[1]
    row = db.session.connection().execute(_ANSWERING, {"token": token}).first()
    if row is None or row.status == "draft":
        return None
    found = Answering(*row)
    if postgres and found.status == "open":
        with _OPEN_LOCK:
            _OPEN[token] = (time.monotonic(), found)
            _OPEN.move_to_end(token)
            while len(_OPEN) > _OPEN_MAX:
                _OPEN.popitem(last=False)
    return found


def forget(token: str) -> None:
    """Drop the per-process copy of a form that answering() gave as open (it is no longer)."""
    with _OPEN_LOCK:
        _OPEN.pop(token, None)


def receipt_key(form: EvaluationForm | Answering, device: str) -> str:
    """The device's keyed hash for this form alone, so receipts of two forms cannot be joined.

    Its first RECEIPT_CHARS hex digits (80 bits: two of a form's devices share one with a chance
    below 1 in 10^17 for 2,000 devices), as the receipt set is written out with each answer.
    Receipts stored before shorter ones were kept have all 40 digits; _contains() matches a
    stored hash by its beginning, so they still count.
    """
    return hashed(device, f"evaluation:{form.id}")[:RECEIPT_CHARS]


def has_answered(form: EvaluationForm | Answering, device: str | None) -> bool:
    """Tell whether this device has answered the form."""
    if not device:
        return False
    hashes = db.session.scalar(_RECEIPTS, {"form_id": form.id})
    return bool(hashes) and _contains(hashes.split(), receipt_key(form, device))


def receipt_count(form: EvaluationForm) -> int:
    """How many devices have answered the form."""
    hashes = db.session.scalar(_RECEIPTS, {"form_id": form.id})
    return len(hashes.split()) if hashes else 0


def _contains(members: list[str], key: str) -> bool:
    """Whether a sorted hash begins with `key` (so that a 40-digit receipt stored before
    receipts were cut to RECEIPT_CHARS still counts); such a hash is the first not below it."""
    at = bisect.bisect_left(members, key)
    return at < len(members) and members[at].startswith(key)


def new_response_id() -> str:
    """A random response id (tests may replace it to make the order reproducible)."""
    return store.new_id()


def from_post(form: EvaluationForm | Answering, data: Mapping) -> dict[str, object]:
    """Turn an HTML form's fields (q<ID>, lists for multiple choice) into the API's answers."""
    answers: dict[str, object] = {}
    for question in asked(form):
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


def check(form: EvaluationForm | Answering, answers: object) -> tuple[list[Checked], list[Problem]]:
    """Check answers {question id: value} against the form; return the valid ones and problems."""
    if not isinstance(answers, Mapping):
        return [], [Problem(None, "not_an_object")]
    questions = asked(form)
    by_id = {str(q.id): q for q in questions}
    problems = [Problem(None, "unknown_question") for key in answers if str(key) not in by_id]
    checked: list[Checked] = []
    for question in questions:
        value = answers.get(str(question.id))
        result = _check_one(question, value)
        if isinstance(result, Problem):
            problems.append(result)
        elif result is not None:
            checked.append(result)
        elif question.required:
            problems.append(Problem(question.id, "required"))
    return checked, problems


def _check_one(question: Asked, value: object) -> Checked | Problem | None:
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
        chosen: list[AskedOption] = []
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


def _check_scale(question: Asked, value: object) -> Checked | Problem:
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


def submit(
    form: EvaluationForm | Answering,
    checked: list[Checked],
    device: str,
    today: date | None = None,
    *,
    open_only: bool = False,
) -> store.StoredResponse:
    """Add the device to the receipt set and the response to the response set; the caller commits.

    The response keeps `today`, or when it is None today where the form's project is.
    Raises AlreadyAnswered when the set holds this device, also when a parallel request added it
    first (the set's row is locked until that request commits). With `open_only` (the answering
    views), raises FormClosed when the form is not open: on PostgreSQL the statement that writes
    checks it (answering() may have given the form from its copy); on SQLite the caller read the
    form in this request (answering()), so nothing more is checked.
    """
    key = receipt_key(form, device)
    if today is None:
        timezone = form.timezone if isinstance(form, Answering) else None
        today = local_today(timezone or db.session.get(Project, form.project_id).timezone)
    response = store.StoredResponse(new_response_id(), today, _stored_answers(checked))
    if db.engine.dialect.name == "postgresql":
        try:
            written = store.add_with_receipt(form.id, key, response, open_only=open_only)
        except store.NotOpen:
            db.session.rollback()
            forget(form.token)
            raise FormClosed from None
        if not written:
            db.session.rollback()
            raise AlreadyAnswered
        return response
    # SQLite: the new receipt set is built from the set as read before the write lock; the first
    # write (an UPDATE only if the set is still what was read) takes the lock, so nothing but that
    # UPDATE and the response's UPDATE runs between the lock and the commit. When another answer
    # changed the set in between (or there is none yet), it is read again under the lock.
    item = store.item_of(response)
    seen = db.session.scalar(_RECEIPTS, {"form_id": form.id})
    if seen is not None:
        members = seen.split()
        if _contains(members, key):
            db.session.rollback()
            raise AlreadyAnswered
        bisect.insort(members, key)
        swapped = db.session.execute(
            update(ReceiptSet)
            .where(ReceiptSet.form_id == form.id, ReceiptSet.hashes == seen)
            .values(hashes=ReceiptSet.joined(members))
            .execution_options(synchronize_session=False)
        )
        if swapped.rowcount == 1:
            store.add_items(form.id, [item])
            return response
    receipts = _locked_receipts(form)
    members = receipts.members()
    if _contains(members, key):
        db.session.rollback()
        raise AlreadyAnswered
    bisect.insort(members, key)
    receipts.hashes = ReceiptSet.joined(members)
    store.add_items(form.id, [item])
    return response


def _stored_answers(checked: list[Checked]) -> tuple[store.StoredAnswer, ...]:
    answers = []
    for answer in checked:
        if answer.text is not None:
            answers.append(store.StoredAnswer(answer.question.id, text=answer.text))
        answers.extend(store.StoredAnswer(answer.question.id, o.id) for o in answer.options)
    return tuple(answers)


def _locked_receipts(form: EvaluationForm | Answering) -> ReceiptSet:
    """The form's receipt set, created if missing, locked for this transaction."""
    # The engine's own dialect only: a process on SQLite never loads PostgreSQL's.
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
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


def commit_response() -> None:
    """Commit the stored response; a lost race becomes AlreadyAnswered. Soon after, the database
    keeps no earlier state of the form's responses beside the last (app.db.forget_old_versions)."""
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise AlreadyAnswered from error
    forget_old_versions_soon(db.engine)


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
