"""Evaluation templates: the data is complete and checked, and forms resolve per workshop."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml

from method.evaluation_templates import (
    DATA_FILE,
    LANGUAGES,
    EvaluationTemplateError,
    QuestionTemplate,
    build_form,
    load_templates,
    localise,
    templates,
)

FORM_A_KEYS = [
    "org_type",
    "useful",
    "room",
    "met",
    "contacts",
    "best",
    "pace",
    "follow_up",
    "practical",
    "next",
    "takeaway",
    "improve",
]
FORM_B_KEYS = [
    "org_type",
    "overall",
    "cooperation",
    "product",
    "turnover",
    "jobs",
    "network",
    "barriers",
    "open",
    "recommend",
    "result",
    "improve",
]
STEPS = [("W1.2", "Meet someone new"), ("W1.3", "Offer and need"), ("W1.7", "First joint ideas")]


def all_texts() -> Iterator[tuple[str, Mapping[str, str]]]:
    data = templates()
    for name, labels in data.scales.items():
        for option in labels:
            yield f"scales.{name}.{option.key}", option.text
    for option in data.yesno:
        yield f"yesno.{option.key}", option.text
    for form in data.forms.values():
        yield f"{form.key}.title", form.title
        yield f"{form.key}.intro", form.intro
        for question in form.questions:
            for each in (question, question.final_variant):
                if each is None:
                    continue
                yield f"{form.key}.{each.key}", each.text
                for option in each.options:
                    yield f"{form.key}.{each.key}.{option.key}", option.text


def write_broken(tmp_path: Path, old: str, new: str) -> Path:
    source = DATA_FILE.read_text(encoding="utf-8")
    assert old in source
    path = tmp_path / "evaluation_forms.yaml"
    path.write_text(source.replace(old, new, 1), encoding="utf-8")
    return path


def test_shipped_templates_hold_form_a_and_form_b_with_twelve_questions_each():
    forms = templates().forms

    assert [q.key for q in forms["A"].questions] == FORM_A_KEYS
    assert [q.key for q in forms["B"].questions] == FORM_B_KEYS


def test_every_text_exists_in_all_five_languages():
    missing = [
        (where, lang)
        for where, text in all_texts()
        for lang in LANGUAGES
        if not text.get(lang, "").strip()
    ]

    assert missing == []


def test_team_translations_await_a_native_check():
    assert templates().unchecked == {"sv", "da", "fi"}


def test_text_questions_and_marked_ones_are_optional_and_the_rest_required():
    optional = {
        form.key: [q.key for q in form.questions if not q.required]
        for form in templates().forms.values()
    }

    assert optional == {
        "A": ["takeaway", "improve"],
        "B": ["turnover", "jobs", "result", "improve"],
    }


def test_question_types_follow_the_method():
    types = {q.key: q.type for q in templates().forms["A"].questions}

    assert types == {
        "org_type": "single",
        "useful": "scale",
        "room": "scale",
        "met": "single",
        "contacts": "single",
        "best": "multiple",
        "pace": "single",
        "follow_up": "scale",
        "practical": "scale",
        "next": "single",
        "takeaway": "text",
        "improve": "text",
    }


def test_scale_questions_offer_one_to_five_with_their_set_labels():
    useful = next(q for q in templates().forms["A"].questions if q.key == "useful")

    assert useful.scale_set == "useful"
    assert [(o.key, o.text["en"]) for o in useful.options] == [
        ("1", "Not useful"),
        ("2", "Slightly useful"),
        ("3", "Fairly useful"),
        ("4", "Useful"),
        ("5", "Very useful"),
    ]


def test_form_b_asks_for_the_business_type_exactly_as_form_a():
    forms = templates().forms

    assert forms["B"].questions[0] == forms["A"].questions[0]


def test_step_options_come_first_in_which_parts_then_none():
    form = build_form("A", "en", step_options=STEPS)
    best = next(q for q in form.questions if q.key == "best")

    assert [(o.key, o.text["en"]) for o in best.options] == [*STEPS, ("none", "None")]
    assert (best.type, best.max_choices, best.options[-1].exclusive) == ("multiple", 3, True)


def test_which_parts_never_allows_more_choices_than_options():
    form = build_form("A", "en", step_options=STEPS[:1])
    best = next(q for q in form.questions if q.key == "best")

    assert best.max_choices == 2


def test_which_parts_is_left_out_when_the_workshop_has_no_steps_to_offer():
    form = build_form("A", "en", step_options=[])

    assert "best" not in [q.key for q in form.questions]


def test_form_a_without_step_options_is_refused():
    with pytest.raises(ValueError, match="step options"):
        build_form("A", "en")


def test_step_option_may_not_take_the_none_key():
    with pytest.raises(ValueError, match="none"):
        build_form("A", "en", step_options=[("none", "Welcome")])


def test_final_workshop_asks_about_keeping_the_network_instead_of_next_time():
    keys = [q.key for q in build_form("A", "nb", STEPS, final_workshop=True).questions]

    assert keys == [key if key != "next" else "continue" for key in FORM_A_KEYS]


def test_built_form_carries_only_the_chosen_language():
    form = build_form("A", "sv", STEPS)
    org_type = form.questions[0]

    assert dict(form.title) == {"sv": "Utvärdering efter workshoppen"}
    assert dict(org_type.text) == {"sv": "Vilken typ av verksamhet kommer du från?"}
    assert dict(org_type.options[0].text) == {"sv": "Boende"}
    assert all(set(q.text) == {"sv"} for q in form.questions)


def test_end_of_process_form_builds_in_norwegian():
    form = build_form("B", "nb")

    assert (form.title["nb"], len(form.questions)) == ("Sluttevaluering", 12)
    assert form.intro["nb"].startswith("Det tar rundt 5 minutter")


def test_built_questions_need_no_further_resolution():
    form = build_form("A", "da", STEPS, final_workshop=True)

    assert all(isinstance(q, QuestionTemplate) for q in form.questions)
    assert all(q.options_from is None and q.final_variant is None for q in form.questions)


def test_missing_text_falls_back_to_nb_then_en():
    assert localise({"en": "Yes", "nb": "Ja"}, "fi") == "Ja"
    assert localise({"en": "Yes"}, "sv") == "Yes"
    assert localise({"en": "Yes", "nb": "Ja", "fi": "Kyllä"}, "fi") == "Kyllä"


def test_unknown_language_or_template_is_refused():
    with pytest.raises(ValueError, match="language"):
        build_form("B", "de")
    with pytest.raises(ValueError, match="template"):
        build_form("C", "en")


@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("        scale: useful\n", "        scale: usefull\n", "forms.A.questions.useful.scale"),
        (
            "      - key: pace\n        type: single\n",
            "      - key: pace\n",
            "forms.A.questions.pace.type",
        ),
        ('          nb: "Hvordan var tempoet?"\n', "", "forms.A.questions.pace.text.nb"),
        ('sv: "Hur var tempot?"', 'sv: "How was the pace?"', "forms.A.questions.pace.text.sv"),
        (
            '          - key: "no"\n',
            "          - key: no\n",
            "forms.A.questions.met.options[3].key",
        ),
        (
            "        max_choices: 3\n",
            "        max_choices: many\n",
            "forms.A.questions.best.max_choices",
        ),
        ("      - key: room\n", "      - key: useful\n", "forms.A.questions.useful"),
    ],
    ids=["unknown scale", "no type", "nb text gone", "untranslated", "bare no", "bad max", "twice"],
)
def test_broken_file_error_names_the_file_and_the_key(tmp_path, old, new, key):
    path = write_broken(tmp_path, old, new)

    with pytest.raises(EvaluationTemplateError) as caught:
        load_templates(path)

    assert str(path) in str(caught.value)
    assert key in str(caught.value)


def test_a_key_given_twice_in_one_mapping_is_refused_with_its_line(tmp_path):
    path = write_broken(
        tmp_path, "        max_choices: 3\n", "        max_choices: 3\n        max_choices: 2\n"
    )

    with pytest.raises(EvaluationTemplateError, match=r"'max_choices' twice") as caught:
        load_templates(path)

    assert str(path) in str(caught.value)


def test_file_that_is_not_yaml_is_reported_with_its_name(tmp_path):
    path = tmp_path / "evaluation_forms.yaml"
    path.write_text("forms: [unclosed\n", encoding="utf-8")

    with pytest.raises(EvaluationTemplateError, match="not valid YAML") as caught:
        load_templates(path)

    assert str(path) in str(caught.value)


def test_shipped_file_round_trips_through_a_plain_yaml_reader():
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))

    assert set(raw) == {"unchecked", "scales", "yesno", "forms"}
