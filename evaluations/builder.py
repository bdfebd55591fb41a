"""Building forms: from the method's templates, empty, or copied; questions, options, status.

Plain functions over the models; the caller commits. Texts are stored per language
({"nb": ..., "en": ...}); a template form carries all five, a leader's edit replaces the text in
the form's language and drops the others, which would no longer say the same.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from app.db import utcnow
from app.extensions import db
from evaluations import store
from evaluations.models import QUESTION_TYPES, EvaluationForm, Option, Question
from method.evaluation_templates import LANGUAGES, build_form, templates

SCALE_SETS = ("amount", "useful", "satisfied", "likely")
MAX_TEXT = 500
MAX_OPTIONS = 20
MAX_QUESTIONS = 40
# Steps that are not "parts" a participant would pick as what gave most.
_NOT_A_PART = {"break", "evaluation_form"}


class BuildError(ValueError):
    """A change the form does not allow; `code` names it for problem_message()."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def new_token() -> str:
    """An unguessable token for the /e/TOKEN link (about 128 random bits)."""
    return secrets.token_urlsafe(16)


def text_in(texts: Mapping[str, str] | None, lang: str, fallback: str = "nb") -> str:
    """The text in `lang`, else in the form's language, else nb or en, else any."""
    texts = texts or {}
    for candidate in (lang, fallback, "nb", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next((value for value in texts.values() if value), "")


def step_options(workshop) -> list[tuple[str, str]]:
    """The (key, title) of the workshop's steps a participant may pick in "which parts"."""
    options, seen = [], set()
    for step in sorted(workshop.steps, key=lambda s: s.position):
        if set(step.techniques or ()) & _NOT_A_PART:
            continue
        if any(str(c).split(":")[0] == "evaluation" for c in step.collects or ()):
            continue
        if not (step.title or "").strip():
            continue
        key = step.key if step.key and step.key not in seen else f"step{step.position}"
        while key in seen or key == "none":
            key += "x"
        seen.add(key)
        options.append((key, step.title.strip()[:200]))
    return options


def from_template(
    project,
    template_key: str,
    *,
    workshop=None,
    language: str | None = None,
) -> EvaluationForm:
    """A draft form A or B in every language; A's "which parts" lists the workshop's steps."""
    language = language or project.language
    steps = step_options(workshop) if workshop is not None else []
    final = workshop is not None and (workshop.template_key or "") == "W5"
    built = {
        lang: build_form(template_key, lang, steps, final_workshop=final) for lang in LANGUAGES
    }
    first = built[language]
    form = EvaluationForm(
        project_id=project.id,
        workshop_id=workshop.id if workshop is not None else None,
        kind=template_key,
        status="draft",
        token=new_token(),
        language=language,
        title={lang: built[lang].title[lang] for lang in LANGUAGES},
        intro={lang: built[lang].intro[lang] for lang in LANGUAGES},
    )
    for position, question in enumerate(first.questions):
        per_lang = {lang: built[lang].questions[position] for lang in LANGUAGES}
        row = Question(
            position=position,
            key=question.key,
            type=question.type,
            text={lang: q.text[lang] for lang, q in per_lang.items()},
            required=question.required,
            max_choices=question.max_choices,
        )
        for index, option in enumerate(question.options):
            row.options.append(
                Option(
                    position=index,
                    key=option.key,
                    text={lang: q.options[index].text[lang] for lang, q in per_lang.items()},
                    exclusive=option.exclusive,
                )
            )
        form.questions.append(row)
    db.session.add(form)
    db.session.flush()
    return form


def empty(project, title: str, *, workshop=None, language: str | None = None) -> EvaluationForm:
    """A draft custom form with no questions yet."""
    language = language or project.language
    form = EvaluationForm(
        project_id=project.id,
        workshop_id=workshop.id if workshop is not None else None,
        kind="custom",
        status="draft",
        token=new_token(),
        language=language,
        title={language: _clean(title)},
        intro={},
    )
    db.session.add(form)
    db.session.flush()
    return form


def copy(source: EvaluationForm, project, *, workshop=None) -> EvaluationForm:
    """A draft copy of `source` (questions and options, never answers) in `project`."""
    form = EvaluationForm(
        project_id=project.id,
        workshop_id=workshop.id if workshop is not None else None,
        kind=source.kind,
        status="draft",
        token=new_token(),
        language=source.language,
        title=dict(source.title),
        intro=dict(source.intro or {}),
    )
    for question in source.questions:
        row = Question(
            position=question.position,
            key=question.key,
            type=question.type,
            text=dict(question.text),
            required=question.required,
            max_choices=question.max_choices,
        )
        for option in question.options:
            row.options.append(
                Option(
                    position=option.position,
                    key=option.key,
                    text=dict(option.text),
                    exclusive=option.exclusive,
                )
            )
        form.questions.append(row)
    db.session.add(form)
    db.session.flush()
    return form


def response_count(form: EvaluationForm) -> int:
    """How many responses the form has."""
    return store.count(form.id)


def check_editable(form: EvaluationForm) -> None:
    """Refuse changes to questions once the form is open or has answers."""
    if form.status != "draft" or response_count(form):
        raise BuildError("not_draft")


def set_title(form: EvaluationForm, title: str) -> None:
    """Rename the form (in its own language)."""
    form.title = {form.language: _clean(title)}


def add_question(
    form: EvaluationForm,
    qtype: str,
    text: str,
    *,
    required: bool = False,
    max_choices: int | None = None,
    scale_set: str = "amount",
) -> Question:
    """Append a question; yes/no and scale questions get their options at once."""
    check_editable(form)
    if qtype not in QUESTION_TYPES:
        raise BuildError("type_unknown")
    if len(form.questions) >= MAX_QUESTIONS:
        raise BuildError("too_many_questions")
    question = Question(
        position=_next_position(form.questions),
        type=qtype,
        text={form.language: _clean(text)},
        required=required,
        max_choices=max_choices if qtype == "multiple" and max_choices else None,
    )
    if qtype == "yesno":
        for index, option in enumerate(templates().yesno):
            question.options.append(Option(position=index, key=option.key, text=dict(option.text)))
    elif qtype == "scale":
        labels = templates().scales[scale_set if scale_set in SCALE_SETS else "amount"]
        for index, option in enumerate(labels):
            question.options.append(Option(position=index, key=option.key, text=dict(option.text)))
    form.questions.append(question)
    db.session.flush()
    return question


def edit_question(
    question: Question, text: str, *, required: bool, max_choices: int | None = None
) -> None:
    """Change a question's text, whether it is required, and its most choices."""
    form = question.form
    check_editable(form)
    new = _clean(text)
    if new != text_in(question.text, form.language, form.language):
        question.text = {form.language: new}
    question.required = required
    question.max_choices = max_choices if question.type == "multiple" and max_choices else None


def remove_question(question: Question) -> None:
    """Delete a question and its options."""
    form = question.form
    check_editable(form)
    form.questions.remove(question)
    _renumber(form.questions)


def move(items: Sequence, item, direction: str) -> None:
    """Move `item` one place up or down among `items` (questions or options)."""
    ordered = sorted(items, key=lambda x: x.position)
    index = ordered.index(item)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(ordered):
        ordered[index], ordered[other] = ordered[other], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position


def move_question(question: Question, direction: str) -> None:
    """Move a question up or down."""
    check_editable(question.form)
    move(question.form.questions, question, direction)


def add_option(question: Question, text: str) -> Option:
    """Append an option to a single or multiple choice question."""
    form = question.form
    check_editable(form)
    if question.type not in ("single", "multiple"):
        raise BuildError("fixed_options")
    if len(question.options) >= MAX_OPTIONS:
        raise BuildError("too_many_options")
    keys = {option.key for option in question.options}
    number = len(question.options) + 1
    while f"o{number}" in keys:
        number += 1
    option = Option(
        position=_next_position(question.options),
        key=f"o{number}",
        text={form.language: _clean(text)},
    )
    question.options.append(option)
    db.session.flush()
    return option


def edit_option(option: Option, text: str) -> None:
    """Change an option's text (in the form's language)."""
    form = option.question.form
    check_editable(form)
    new = _clean(text)
    if new != text_in(option.text, form.language, form.language):
        option.text = {form.language: new}


def remove_option(option: Option) -> None:
    """Delete an option of a single or multiple choice question."""
    question = option.question
    check_editable(question.form)
    if question.type not in ("single", "multiple"):
        raise BuildError("fixed_options")
    question.options.remove(option)
    _renumber(question.options)


def move_option(option: Option, direction: str) -> None:
    """Move an option up or down."""
    check_editable(option.question.form)
    move(option.question.options, option, direction)


def problems(form: EvaluationForm) -> list[tuple[Question | None, str]]:
    """What stops the form from opening: no questions, or a choice question without options."""
    found: list[tuple[Question | None, str]] = []
    if not form.questions:
        found.append((None, "no_questions"))
    for question in form.questions:
        if question.type in ("single", "multiple") and len(question.options) < 2:
            found.append((question, "few_options"))
    return found


def set_status(form: EvaluationForm, action: str) -> None:
    """Open, close or reopen a form: draft -> open <-> closed."""
    if action == "open":
        if form.status == "open":
            return
        if problems(form):
            raise BuildError("cannot_open")
        form.status = "open"
        form.opened_at = form.opened_at or utcnow()
    elif action == "close":
        if form.status != "open":
            raise BuildError("not_open")
        form.status = "closed"
        form.closed_at = utcnow()
    else:
        raise BuildError("action_unknown")


def delete(form: EvaluationForm) -> None:
    """Delete a form that has no responses yet."""
    if response_count(form):
        raise BuildError("has_responses")
    db.session.delete(form)


def problem_message(code: str) -> str:
    """The user's-language text for a BuildError code."""
    messages = {
        "not_draft": _("Questions can only be changed while the form is a draft without answers."),
        "type_unknown": _("Choose one of the question types."),
        "too_many_questions": _("A form can have at most %(n)s questions.", n=MAX_QUESTIONS),
        "too_many_options": _("A question can have at most %(n)s options.", n=MAX_OPTIONS),
        "fixed_options": _("Yes/no and scale questions have fixed options."),
        "cannot_open": _("Add at least one question, and two options to each choice question."),
        "not_open": _("Only an open form can be closed."),
        "action_unknown": _("Unknown action."),
        "has_responses": _("A form with answers cannot be deleted."),
        "no_questions": _("The form has no questions yet."),
        "few_options": _("This question needs at least two options."),
    }
    return messages.get(code, code)


def _clean(text: str) -> str:
    return " ".join((text or "").split())[:MAX_TEXT]


def _next_position(items: Sequence) -> int:
    return max((item.position for item in items), default=-1) + 1


def _renumber(items: Sequence) -> None:
    for position, item in enumerate(sorted(items, key=lambda x: x.position)):
        item.position = position
