"""Building forms: from the method's templates, empty, or copied; questions, options, status.

Plain functions over the models; the caller commits. Texts are stored per language
({"nb": ..., "en": ...}); a template form carries all five, a leader's edit replaces the text in
the form's language and drops the others, which would no longer say the same.

A template form follows its workshop while it is a draft without answers (follow_programme): its
"which parts" question lists the steps as they are now, and a title as made names the workshop
as it is now called.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence

from flask_babel import gettext as _

from app.db import utcnow
from app.extensions import db
from evaluations import store
from evaluations.models import QUESTION_TYPES, EvaluationForm, Option, Question
from method.evaluation_templates import (
    LANGUAGES,
    STEP_OPTIONS,
    FormTemplate,
    QuestionTemplate,
    build_form,
    localise,
    templates,
)
from workshops.programme.models import Workshop

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
        if step.dropped:  # a re-plan of the day left it out: it will not happen
            continue
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


def name_after(form: EvaluationForm, workshop) -> None:
    """Name the form after the workshop, in every language, so it is found among the others."""
    form.title = _named(form.title or {}, workshop)


def _named(texts: Mapping[str, str], workshop) -> dict[str, str]:
    title = (workshop.title or "").strip()
    if not title:
        return dict(texts)
    return {
        lang: text if title in (text or "") else f"{text} · {title}"[:200]
        for lang, text in texts.items()
    } or dict.fromkeys(LANGUAGES, title)


def follow_programme(form: EvaluationForm) -> bool:
    """Bring a draft template form up to date with its workshop; tell whether anything changed.

    The "which parts" question gets the workshop's steps as they are now (in their order, before
    the template's own options), or goes when none is left; a title still as made (the
    template's, named after a workshop) names the workshop as it is now called. Never once the
    form is open or has answers, and never in a question the leader has changed by hand.
    """
    template = templates().forms.get(form.kind)
    if template is None or form.status != "draft" or form.workshop_id is None:
        return False
    workshop = db.session.get(Workshop, form.workshop_id)
    if workshop is None or response_count(form):
        return False
    changed = _follow_title(form, template, workshop)
    steps = step_options(workshop)
    for question in list(form.questions):
        made = _steps_template(form, question)
        if made is not None and _follows(question, _fixed_keys(made)):
            changed = _follow_steps(form, question, made, steps) or changed
    return changed


def _steps_template(form: EvaluationForm, question: Question) -> QuestionTemplate | None:
    """The template's "which parts" question when `question` was made from it, else None."""
    template = templates().forms.get(form.kind)
    for each in template.questions if template else ():
        if each.options_from == STEP_OPTIONS and each.key == question.key:
            return each
    return None


def _fixed_keys(made: QuestionTemplate) -> frozenset[str]:
    """The keys of the template's own options (those after the steps, such as "none")."""
    return frozenset(option.key for option in made.options)


def _follows(question: Question, fixed: frozenset[str]) -> bool:
    """Tell whether the step options are as the programme made them: each one in every language.

    A leader's added or edited option has one language, and removing or moving one by hand
    hands the others over too (_take_over), so a question the leader changed is left alone.
    """
    steps = [option for option in question.options if option.key not in fixed]
    return bool(steps) and all(set(LANGUAGES) <= set(option.text or {}) for option in steps)


def _take_over(question: Question) -> None:
    """Give the step options of a "which parts" question the leader's form (one language), so
    the programme no longer changes a question the leader has changed by hand."""
    form = question.form
    made = _steps_template(form, question)
    if made is None:
        return
    fixed = _fixed_keys(made)
    for option in question.options:
        if option.key not in fixed and len(option.text or {}) > 1:
            option.text = {form.language: text_in(option.text, form.language, form.language)}


def _follow_steps(
    form: EvaluationForm, question: Question, made: QuestionTemplate, steps: list[tuple[str, str]]
) -> bool:
    if not steps:  # steps cleared for a moment (being rebuilt): the question waits for them
        return False
    before = _option_state(question)
    fixed = _fixed_keys(made)
    old = {option.key: option for option in question.options if option.key not in fixed}
    ordered = []
    for key, title in steps:
        text = dict.fromkeys(LANGUAGES, title)
        option = old.pop(key, None)
        if option is None:
            option = Option(key=key, text=text)
            question.options.append(option)
        elif option.text != text:
            option.text = text
        ordered.append(option)
    for option in old.values():  # steps no longer in the programme
        question.options.remove(option)
    ordered += sorted((o for o in question.options if o.key in fixed), key=lambda o: o.position)
    for position, option in enumerate(ordered):
        if option.position != position:
            option.position = position
    most = made.max_choices
    if most is not None and question.max_choices == min(most, len(before[0])):
        question.max_choices = min(most, len(ordered))  # as from_template: no more than there are
    return _option_state(question) != before


def _option_state(question: Question) -> tuple:
    options = sorted(question.options, key=lambda o: o.position)
    return [(o.key, dict(o.text or {}), o.position) for o in options], question.max_choices


def _follow_title(form: EvaluationForm, template: FormTemplate, workshop) -> bool:
    """Name the form after its workshop's current title if its title is still as made: the
    template's in every language, named after one workshop (a leader's title has one language)."""
    texts = form.title or {}
    base = {lang: localise(template.title, lang) for lang in LANGUAGES}
    if set(texts) != set(LANGUAGES) or not all(
        texts[lang].startswith(f"{base[lang]} · ") for lang in LANGUAGES
    ):
        return False
    if len({texts[lang].removeprefix(f"{base[lang]} · ") for lang in LANGUAGES}) != 1:
        return False
    title = _named(base, workshop)
    if title == texts:
        return False
    form.title = title
    return True


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
    _take_over(question)


def move_option(option: Option, direction: str) -> None:
    """Move an option up or down."""
    check_editable(option.question.form)
    move(option.question.options, option, direction)
    _take_over(option.question)


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
    """Open, close or reopen a form: draft -> open <-> closed (a draft opens following its
    workshop as it is now: follow_programme)."""
    if action == "open":
        if form.status == "open":
            return
        follow_programme(form)
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
