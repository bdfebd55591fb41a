"""The method as data: the default programme and techniques load, complete and checked."""

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from method import catalogue
from method.catalogue import (
    COLLECT_KEYS,
    FIXED_TECHNIQUES,
    IDEA_KINDS,
    LANGUAGES,
    CatalogueError,
    Text,
)

PROGRAMME = catalogue.programme()
WORKSHOPS = PROGRAMME.workshops
STEPS = [step for phase in PROGRAMME.phases for step in phase.steps]
WORKSHOP_STEPS = [step for workshop in WORKSHOPS for step in workshop.steps]


def all_texts() -> Iterator[tuple[str, Text]]:
    """Yield every user-visible text of the programme and the techniques, with its key path."""
    yield "programme.title", PROGRAMME.title
    yield "programme.description", PROGRAMME.description
    for t in catalogue.techniques():
        yield f"{t.key}.name", t.name
        yield f"{t.key}.description", t.description
    for phase in PROGRAMME.phases:
        yield f"{phase.key}.title", phase.title
        yield f"{phase.key}.purpose", phase.purpose
        if phase.notes:
            yield f"{phase.key}.notes", phase.notes
        for step in phase.steps:
            for field in ("title", "purpose", "prompt", "notes"):
                if getattr(step, field) is not None:
                    yield f"{step.key}.{field}", getattr(step, field)


TEXTS = list(all_texts())


# -- the packaged data ---------------------------------------------------------------------------


def test_programme_has_preparation_five_workshops_testing_and_follow_up_in_order():
    phases = [(p.key, p.kind) for p in PROGRAMME.phases]

    assert phases == [
        ("P0", "preparation"),
        ("W1", "workshop"),
        ("W2", "workshop"),
        ("W3", "workshop"),
        ("T", "testing"),
        ("W4", "workshop"),
        ("W5", "workshop"),
        ("F", "follow_up"),
    ]


def test_workshops_have_the_method_weeks_and_lengths():
    shape = {w.key: (w.week, w.minutes) for w in WORKSHOPS}

    assert shape == {
        "W1": (0, 180),
        "W2": (4, 180),
        "W3": (8, 180),
        "W4": (17, 180),
        "W5": (21, 150),
    }


def test_preparation_and_testing_span_weeks_before_and_between_workshops():
    spans = {p.key: (p.week, p.week_max) for p in PROGRAMME.phases if not p.is_workshop}

    assert spans == {"P0": (-6, 0), "T": (9, 16), "F": (47, 73)}


@pytest.mark.parametrize("workshop", WORKSHOPS, ids=lambda w: w.key)
def test_workshop_steps_add_up_to_its_total(workshop):
    assert sum(step.minutes for step in workshop.steps) == workshop.minutes


@pytest.mark.parametrize("workshop", WORKSHOPS, ids=lambda w: w.key)
def test_each_workshop_has_one_fifteen_minute_break_without_prompt(workshop):
    breaks = [s for s in workshop.steps if "break" in s.techniques]

    assert [(s.minutes, s.prompt, s.collects) for s in breaks] == [(15, None, ("nothing",))]


def test_step_keys_are_unique_and_carry_their_phase():
    keys = [step.key for step in STEPS]

    assert len(keys) == len(set(keys)) == 42
    assert all(
        step.key.startswith(f"{phase.key}.") for phase in PROGRAMME.phases for step in phase.steps
    )


def test_preparation_lengths_may_be_open_or_a_range():
    lengths = [(s.key, s.minutes, s.minutes_max) for s in catalogue.phase("P0").steps]

    assert lengths == [("P0.1", None, None), ("P0.2", 30, 45), ("P0.3", 5, None)]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_step_is_fixed_exactly_when_a_technique_is_context_mirror_break_or_form(step):
    assert step.fixed == bool(set(step.techniques) & FIXED_TECHNIQUES)


def test_fixed_steps_are_the_opening_mirror_breaks_and_evaluations():
    fixed = [step.key for step in STEPS if step.fixed]

    assert fixed == [
        *("W1.1", "W1.5", "W1.8"),
        *("W2.1", "W2.4", "W2.8"),
        *("W3.1", "W3.4", "W3.8"),
        *("W4.1", "W4.4", "W4.8"),
        *("W5.1", "W5.4", "W5.7"),
    ]


@pytest.mark.parametrize("step", STEPS, ids=lambda s: s.key)
def test_step_techniques_and_collects_are_known_keys(step):
    known = {t.key for t in catalogue.techniques()}
    collects = set(COLLECT_KEYS) | {f"ideas:{kind}" for kind in IDEA_KINDS}

    assert set(step.techniques) <= known
    assert set(step.collects) <= collects


def test_first_technique_is_primary():
    step = catalogue.step_template("W2.3")

    assert (step.primary_technique, step.techniques) == (
        "four_realms",
        ("four_realms", "one_two_four_all"),
    )


def test_idea_kinds_label_what_a_step_collects():
    step = catalogue.step_template("W2.8")

    assert (step.collects, step.idea_kinds, step.collects_ideas) == (
        ("ideas:checkout", "evaluation"),
        ("checkout",),
        True,
    )


def test_techniques_marked_as_kraftverk_proposals():
    proposals = {t.key for t in catalogue.techniques() if t.proposal}

    assert proposals == {"invite", "profile_check", "mirror", "offer_need_cards", "product_sheet"}


def test_technique_catalogue_has_all_twenty_nine_method_techniques():
    assert len({t.key for t in catalogue.techniques()}) == 29
    assert catalogue.technique("troika_consulting").source == "Liberating Structures"


@pytest.mark.parametrize(("path", "text"), TEXTS, ids=[path for path, _ in TEXTS])
def test_every_text_exists_in_all_five_languages(path, text):
    assert all(getattr(text, lang).strip() for lang in LANGUAGES)


@pytest.mark.parametrize(("path", "text"), TEXTS, ids=[path for path, _ in TEXTS])
def test_no_translation_is_just_the_english_text(path, text):
    same = [lang for lang in ("nb", "sv", "da", "fi") if getattr(text, lang) == text.en]

    assert same == []


def test_team_translations_await_a_native_check():
    marks = {text.unchecked for _, text in TEXTS}

    assert marks == {frozenset({"sv", "da", "fi"})}
    assert TEXTS[0][1].is_checked("nb") and not TEXTS[0][1].is_checked("fi")


@pytest.mark.parametrize("step", [s for s in STEPS if s.prompt], ids=lambda s: s.key)
def test_prompts_are_questions_in_every_language(step):
    assert all("?" in getattr(step.prompt, lang) for lang in LANGUAGES)


def test_text_in_a_language_falls_back_to_bokmal_then_english():
    text = Text(nb="Pause", sv="Paus", da="Pause", fi="Tauko", en="Break")
    untranslated = Text(nb="", sv="", da="", fi="", en="Break")

    assert (text.get("fi"), text.get("de"), untranslated.get("sv")) == ("Tauko", "Pause", "Break")


def test_workshop_template_is_only_for_workshops():
    assert catalogue.workshop_template("W3").title.get("en") == "From idea to joint product"
    with pytest.raises(KeyError):
        catalogue.workshop_template("P0")


def test_loading_again_returns_the_cached_catalogue():
    assert catalogue.load() is catalogue.load()


# -- broken data names the file and the key ------------------------------------------------------

DATA_DIR = Path(catalogue.__file__).parent / "data"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Copy the packaged programme and techniques to a scratch directory."""
    shutil.copy(DATA_DIR / "techniques.yaml", tmp_path)
    shutil.copy(DATA_DIR / "programme.yaml", tmp_path)
    shutil.copytree(DATA_DIR / "programme", tmp_path / "programme")
    return tmp_path


def edit(path: Path, change: Callable[[Any], None]) -> None:
    """Load a YAML file, change it in place and write it back."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def step(data: dict, key: str) -> dict:
    """Find a step by key in a parsed phase file."""
    return next(s for s in data["steps"] if s["key"] == key)


def technique(data: dict, key: str) -> dict:
    """Find a technique by key in the parsed technique file."""
    return next(t for t in data["techniques"] if t["key"] == key)


BROKEN = [
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.3").update(minutes=0),
        "programme/W2.yaml: W2.3.minutes: must be a positive integer",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.3").update(minutes=True),
        "programme/W2.yaml: W2.3.minutes: must be a positive integer",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.3").update(minutes=35),
        "programme/W2.yaml: W2.minutes: is 180, but the steps add up to 185",
    ),
    (
        "programme/W5.yaml",
        lambda d: d.update(minutes=180),
        "programme/W5.yaml: W5.minutes: is 180, but the steps add up to 150",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.3")["techniques"].append("juggling"),
        "programme/W2.yaml: W2.3.techniques[2]: unknown technique 'juggling'",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.5")["collects"].append("gossip"),
        "programme/W2.yaml: W2.5.collects[2]: unknown collects key 'gossip'",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.5")["collects"].append("ideas:gossip"),
        "programme/W2.yaml: W2.5.collects[2]: unknown collects key 'ideas:gossip'",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.6")["collects"].append("ideas"),
        "programme/W2.yaml: W2.6.collects: 'nothing' cannot be combined with other keys",
    ),
    (
        "programme/W1.yaml",
        lambda d: step(d, "W1.2")["title"].pop("fi"),
        "programme/W1.yaml: W1.2.title.fi: missing",
    ),
    (
        "programme/W1.yaml",
        lambda d: step(d, "W1.2")["notes"].update(de="Hallo"),
        "programme/W1.yaml: W1.2.notes.de: unknown language",
    ),
    (
        "programme/W1.yaml",
        lambda d: d["purpose"].update(sv="  "),
        "programme/W1.yaml: W1.purpose.sv: must be a non-empty text",
    ),
    (
        "programme/W2.yaml",
        lambda d: step(d, "W2.3").pop("notes"),
        "programme/W2.yaml: W2.3.notes: missing",
    ),
    (
        "programme/T.yaml",
        lambda d: d.update(kind="holiday"),
        "programme/T.yaml: T.kind: must be one of preparation, workshop, testing, follow_up",
    ),
    (
        "programme/W3.yaml",
        lambda d: step(d, "W3.2").update(key="W3.1"),
        "programme/W3.yaml: W3.1: duplicate key",
    ),
    (
        "programme/W3.yaml",
        lambda d: step(d, "W3.2").update(key="W2.9"),
        "programme/W3.yaml: W3.steps[1].key: must look like W3.1",
    ),
    (
        "programme/W4.yaml",
        lambda d: step(d, "W4.2").update(minuts=35),
        "programme/W4.yaml: W4.2.minuts: unknown field",
    ),
    (
        "programme/W4.yaml",
        lambda d: step(d, "W4.4").update(prompt=step(d, "W4.3")["prompt"]),
        "programme/W4.yaml: W4.4.prompt: a break has no prompt",
    ),
    (
        "programme/W4.yaml",
        lambda d: step(d, "W4.2").update(minutes_max=40),
        "programme/W4.yaml: W4.2.minutes_max: a workshop step has a single length",
    ),
    (
        "programme/P0.yaml",
        lambda d: step(d, "P0.2").update(minutes_max=20),
        "programme/P0.yaml: P0.2.minutes_max: must be more than minutes",
    ),
    (
        "programme/T.yaml",
        lambda d: d.update(key="X"),
        "programme/T.yaml: T.key: must be T, the file's name",
    ),
    (
        "programme/F.yaml",
        lambda d: d.update(unchecked=["sv", "de"]),
        "programme/F.yaml: unchecked[1]: unknown language 'de'",
    ),
    (
        "programme.yaml",
        lambda d: d["phases"].append("W6"),
        "programme.yaml: phases[8]: no file programme/W6.yaml",
    ),
    (
        "programme.yaml",
        lambda d: d["phases"].remove("T"),
        "programme/T.yaml: not listed in programme.yaml phases",
    ),
    (
        "programme.yaml",
        lambda d: d.update(phases=["P0", "W2", "W1", "W3", "T", "W4", "W5", "F"]),
        "programme/W1.yaml: W1.week: must not come before W2's week",
    ),
    (
        "techniques.yaml",
        lambda d: technique(d, "mirror")["description"].pop("sv"),
        "techniques.yaml: mirror.description.sv: missing",
    ),
    (
        "techniques.yaml",
        lambda d: d["techniques"].append(technique(d, "mirror")),
        "techniques.yaml: mirror: duplicate key",
    ),
    (
        "techniques.yaml",
        lambda d: technique(d, "mirror").update(proposal="yes"),
        "techniques.yaml: mirror.proposal: must be true or false",
    ),
]


@pytest.mark.parametrize(("file", "change", "message"), BROKEN, ids=[b[2] for b in BROKEN])
def test_broken_data_is_refused_naming_file_and_key(data_dir, file, change, message):
    edit(data_dir / file, change)

    with pytest.raises(CatalogueError) as error:
        catalogue.load(data_dir)

    assert str(error.value) == message


def test_field_given_twice_in_yaml_is_refused(data_dir):
    path = data_dir / "techniques.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("\n    proposal: true", "\n    proposal: true\n    proposal: false", 1)
    )

    with pytest.raises(CatalogueError) as error:
        catalogue.load(data_dir)

    assert str(error.value).startswith("techniques.yaml: not valid YAML: duplicate key 'proposal'")
    assert "line 9" in str(error.value)


def test_missing_file_is_named(data_dir):
    (data_dir / "techniques.yaml").unlink()

    with pytest.raises(CatalogueError, match=r"^techniques\.yaml: file not found$"):
        catalogue.load(data_dir)


def test_copied_data_loads_like_the_packaged_data(data_dir):
    assert catalogue.load(str(data_dir)) == catalogue.load()
