"""Evaluation templates as data: scale labels, Form A and Form B, in five languages.

The data lives in ``data/evaluation_forms.yaml``. Loading checks every key, type and translation
and fails with an error that names the file and the key. ``build_form`` resolves a template for
one workshop and one language, ready to become database rows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

DATA_FILE = Path(__file__).parent / "data" / "evaluation_forms.yaml"

LANGUAGES: tuple[str, ...] = ("nb", "sv", "da", "fi", "en")
SOURCE_LANGUAGES: tuple[str, ...] = ("en", "nb")  # every text must have these
FALLBACK_ORDER: tuple[str, ...] = ("nb", "en")  # tried, in order, when a language is missing
QUESTION_TYPES: tuple[str, ...] = ("single", "yesno", "scale", "multiple", "text")
SCALE_POINTS = 5
STEP_OPTIONS = "steps"  # the only source `options_from` knows

_KEY = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_QUESTION_FIELDS = frozenset(
    {"key", "type", "text", "optional", "max_choices", "options", "options_from", "scale"}
)


class EvaluationTemplateError(ValueError):
    """The evaluation template file is broken; the message names the file and the key."""


@dataclass(frozen=True)
class OptionTemplate:
    """One answer option: a stable key and its text per language."""

    key: str
    text: Mapping[str, str]
    exclusive: bool = False  # chosen alone, e.g. "none" in a multiple-choice question


@dataclass(frozen=True)
class QuestionTemplate:
    """One question; scale questions carry their five labelled options."""

    key: str
    type: str
    text: Mapping[str, str]
    required: bool
    max_choices: int | None = None
    options: tuple[OptionTemplate, ...] = ()
    scale_set: str | None = None
    options_from: str | None = None  # "steps": the workshop's steps come before `options`
    final_variant: QuestionTemplate | None = (
        None  # takes this question's place in the last workshop
    )


@dataclass(frozen=True)
class FormTemplate:
    """A form template (key "A" or "B") with its title, intro for respondents and questions."""

    key: str
    title: Mapping[str, str]
    intro: Mapping[str, str]
    questions: tuple[QuestionTemplate, ...]


@dataclass(frozen=True)
class EvaluationTemplates:
    """Everything in the template file, checked."""

    forms: Mapping[str, FormTemplate]
    scales: Mapping[str, tuple[OptionTemplate, ...]]
    yesno: tuple[OptionTemplate, ...]
    unchecked: frozenset[str]  # languages still awaiting a native speaker's check


def localise(text: Mapping[str, str], lang: str) -> str:
    """Return the text in lang, else in nb, else in en."""
    for candidate in (lang, *FALLBACK_ORDER):
        if text.get(candidate):
            return text[candidate]
    raise KeyError(f"no text in {lang} or any fallback language")


@cache
def templates() -> EvaluationTemplates:
    """Return the shipped templates, loaded and checked once."""
    return load_templates(DATA_FILE)


def load_templates(path: Path = DATA_FILE) -> EvaluationTemplates:
    """Load and check a template file; raise EvaluationTemplateError naming file and key."""
    try:
        with open(path, encoding="utf-8") as handle:
            # _StrictLoader is a (C)SafeLoader subclass: no arbitrary objects.
            raw = yaml.load(handle, Loader=_StrictLoader)  # noqa: S506  # nosec B506
    except OSError as error:
        raise EvaluationTemplateError(f"{path}: cannot be read: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise EvaluationTemplateError(f"{path}: not valid YAML: {error}") from error
    return _Reader(str(path)).document(raw)


def build_form(
    template_key: str,
    lang: str,
    step_options: Sequence[tuple[str, str]] | None = None,
    final_workshop: bool = False,
) -> FormTemplate:
    """Resolve template A or B for one language and workshop; every text maps lang to one string.

    step_options are the (key, title) pairs of the workshop's steps, without the break and the
    evaluation step; they come first in "Which parts gave you most?". An empty list leaves that
    question out. final_workshop puts the "keep meeting" question in place of "next time".
    """
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    forms = templates().forms
    if template_key not in forms:
        raise ValueError(f"unknown form template {template_key!r}; expected one of {sorted(forms)}")
    form = forms[template_key]
    questions = []
    for question in form.questions:
        if final_workshop and question.final_variant is not None:
            question = question.final_variant
        if question.options_from == STEP_OPTIONS:
            if step_options is None:
                raise ValueError(f"form {template_key} needs the workshop's step options")
            if not step_options:
                continue
            question = _with_steps(question, step_options, lang)
        questions.append(_in_language(question, lang))
    return FormTemplate(
        key=form.key,
        title=_one(form.title, lang),
        intro=_one(form.intro, lang),
        questions=tuple(questions),
    )


def _with_steps(
    question: QuestionTemplate, step_options: Sequence[tuple[str, str]], lang: str
) -> QuestionTemplate:
    fixed = {option.key for option in question.options}
    seen: set[str] = set()
    steps = []
    for key, title in step_options:
        if not isinstance(key, str) or not key or key in seen or key in fixed:
            raise ValueError(f"step option key {key!r} is empty, repeated or reserved")
        if not isinstance(title, str) or not title.strip():
            raise ValueError(f"step option {key!r} has no title")
        seen.add(key)
        steps.append(OptionTemplate(key=key, text=MappingProxyType({lang: title.strip()})))
    options = (*steps, *question.options)
    max_choices = question.max_choices
    if max_choices is not None:
        max_choices = min(max_choices, len(options))
    return replace(question, options=options, max_choices=max_choices, options_from=None)


def _in_language(question: QuestionTemplate, lang: str) -> QuestionTemplate:
    options = tuple(replace(option, text=_one(option.text, lang)) for option in question.options)
    return replace(question, text=_one(question.text, lang), options=options, final_variant=None)


def _one(text: Mapping[str, str], lang: str) -> Mapping[str, str]:
    return MappingProxyType({lang: localise(text, lang)})


class _StrictLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe loader that refuses a key given twice in one mapping (on libyaml's parser when
    PyYAML has it: the same data, about ten times faster)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


class _Reader:
    """Turn the parsed YAML into checked dataclasses, naming the dotted key of any fault."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def fail(self, where: str, problem: str) -> EvaluationTemplateError:
        return EvaluationTemplateError(f"{self.filename}: {where}: {problem}")

    def mapping(self, node: Any, where: str, allowed: frozenset[str] | None = None) -> dict:
        if not isinstance(node, dict):
            raise self.fail(where, f"expected a mapping, found {type(node).__name__}")
        for key in node:
            if not isinstance(key, str):
                raise self.fail(where, f"key {key!r} is not a string (quote it)")
            if allowed is not None and key not in allowed:
                raise self.fail(f"{where}.{key}", f"unknown key; expected one of {sorted(allowed)}")
        return node

    def sequence(self, node: Any, where: str) -> list:
        if not isinstance(node, list) or not node:
            raise self.fail(where, "expected a non-empty list")
        return node

    def require(self, node: dict, key: str, where: str) -> Any:
        if key not in node:
            raise self.fail(f"{where}.{key}", "missing")
        return node[key]

    def key(self, node: dict, where: str) -> str:
        value = self.require(node, "key", where)
        if not isinstance(value, str) or not _KEY.match(value):
            raise self.fail(f"{where}.key", f"{value!r} is not a key like 'org_type' (quote it)")
        return value

    def document(self, raw: Any) -> EvaluationTemplates:
        top = self.mapping(raw, "(top)", frozenset({"unchecked", "scales", "yesno", "forms"}))
        unchecked = top.get("unchecked", [])
        translated = set(LANGUAGES) - set(SOURCE_LANGUAGES)
        if not isinstance(unchecked, list) or not set(unchecked) <= translated:
            raise self.fail("unchecked", f"expected a list drawn from {sorted(translated)}")
        scale_node = self.mapping(self.require(top, "scales", "(top)"), "scales")
        scales = {name: self.scale(node, f"scales.{name}") for name, node in scale_node.items()}
        yesno = self.options(self.require(top, "yesno", "(top)"), "yesno")
        if len(yesno) != 2:
            raise self.fail("yesno", "expected exactly two options")
        form_node = self.mapping(self.require(top, "forms", "(top)"), "forms")
        forms = {
            key: self.form(key, node, f"forms.{key}", scales) for key, node in form_node.items()
        }
        return EvaluationTemplates(
            forms=MappingProxyType(forms),
            scales=MappingProxyType(scales),
            yesno=yesno,
            unchecked=frozenset(unchecked),
        )

    def scale(self, node: Any, where: str) -> tuple[OptionTemplate, ...]:
        labels = self.sequence(node, where)
        if len(labels) != SCALE_POINTS:
            raise self.fail(where, f"expected {SCALE_POINTS} labels, found {len(labels)}")
        return tuple(
            OptionTemplate(key=str(point), text=self.text(label, f"{where}[{point}]"))
            for point, label in enumerate(labels, start=1)
        )

    def form(
        self, key: str, node: Any, where: str, scales: Mapping[str, tuple[OptionTemplate, ...]]
    ) -> FormTemplate:
        node = self.mapping(node, where, frozenset({"title", "intro", "questions"}))
        questions = []
        keys: set[str] = set()
        for index, item in enumerate(self.sequence(self.require(node, "questions", where), where)):
            question = self.question(item, f"{where}.questions[{index}]", scales, variant=False)
            own = [question] + ([question.final_variant] if question.final_variant else [])
            for each in own:
                if each.key in keys:
                    raise self.fail(f"{where}.questions.{each.key}", "key used twice in the form")
                keys.add(each.key)
            questions.append(question)
        return FormTemplate(
            key=key,
            title=self.text(self.require(node, "title", where), f"{where}.title"),
            intro=self.text(self.require(node, "intro", where), f"{where}.intro"),
            questions=tuple(questions),
        )

    def question(
        self,
        node: Any,
        where: str,
        scales: Mapping[str, tuple[OptionTemplate, ...]],
        variant: bool,
    ) -> QuestionTemplate:
        allowed = _QUESTION_FIELDS if variant else _QUESTION_FIELDS | {"final_workshop"}
        node = self.mapping(node, where, allowed)
        key = self.key(node, where)
        where = f"{where.rsplit('[', 1)[0]}.{key}" if "[" in where else where
        kind = self.require(node, "type", where)
        if kind not in QUESTION_TYPES:
            raise self.fail(f"{where}.type", f"{kind!r} is not one of {', '.join(QUESTION_TYPES)}")
        optional = node.get("optional", False)
        if not isinstance(optional, bool):
            raise self.fail(f"{where}.optional", "expected true or false")
        options_from = node.get("options_from")
        if options_from is not None and (options_from != STEP_OPTIONS or kind != "multiple"):
            raise self.fail(
                f"{where}.options_from", f"only '{STEP_OPTIONS}' on a multiple question"
            )
        options: tuple[OptionTemplate, ...] = ()
        if "options" in node:
            if kind in ("scale", "text"):
                raise self.fail(f"{where}.options", f"a {kind} question takes no options")
            options = self.options(node["options"], f"{where}.options")
        elif kind in ("single", "yesno") or (kind == "multiple" and options_from is None):
            raise self.fail(f"{where}.options", "missing")
        scale_set = node.get("scale")
        if kind == "scale":
            if scale_set not in scales:
                raise self.fail(f"{where}.scale", f"{scale_set!r} is not one of {sorted(scales)}")
            options = scales[scale_set]
        elif scale_set is not None:
            raise self.fail(f"{where}.scale", f"only a scale question names a scale, not {kind}")
        max_choices = node.get("max_choices")
        if max_choices is not None and (
            kind != "multiple" or not isinstance(max_choices, int) or max_choices < 1
        ):
            raise self.fail(f"{where}.max_choices", "a whole number >= 1, on a multiple question")
        final_variant = None
        if "final_workshop" in node:
            final_variant = self.question(
                node["final_workshop"], f"{where}.final_workshop", scales, variant=True
            )
        return QuestionTemplate(
            key=key,
            type=kind,
            text=self.text(self.require(node, "text", where), f"{where}.text"),
            required=kind != "text" and not optional,
            max_choices=max_choices,
            options=options,
            scale_set=scale_set,
            options_from=options_from,
            final_variant=final_variant,
        )

    def options(self, node: Any, where: str) -> tuple[OptionTemplate, ...]:
        options = []
        for index, item in enumerate(self.sequence(node, where)):
            item = self.mapping(item, f"{where}[{index}]", frozenset({"key", "text", "exclusive"}))
            key = self.key(item, f"{where}[{index}]")
            at = f"{where}.{key}"
            if any(option.key == key for option in options):
                raise self.fail(at, "option key used twice")
            exclusive = item.get("exclusive", False)
            if not isinstance(exclusive, bool):
                raise self.fail(f"{at}.exclusive", "expected true or false")
            text = self.text(self.require(item, "text", at), f"{at}.text")
            options.append(OptionTemplate(key=key, text=text, exclusive=exclusive))
        return tuple(options)

    def text(self, node: Any, where: str) -> Mapping[str, str]:
        node = self.mapping(node, where, frozenset({*LANGUAGES, "same_as_en"}))
        same = node.get("same_as_en", [])
        if not isinstance(same, list) or not set(same) <= set(LANGUAGES) - {"en"}:
            raise self.fail(f"{where}.same_as_en", "expected a list of languages other than en")
        texts = {lang: node[lang] for lang in LANGUAGES if lang in node}
        for lang in SOURCE_LANGUAGES:
            self.require(texts, lang, where)
        for lang, value in texts.items():
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"{where}.{lang}", "expected non-empty text (quote it)")
            if lang == "en":
                continue
            if value == texts["en"] and lang not in same:
                raise self.fail(
                    f"{where}.{lang}",
                    f"equals the English text: translate it or list {lang} in same_as_en",
                )
            if value != texts["en"] and lang in same:
                raise self.fail(f"{where}.{lang}", "listed in same_as_en but differs from English")
        return MappingProxyType(texts)
