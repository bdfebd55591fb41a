"""Kraftverk's default programme and technique catalogue: data files -> checked, frozen dataclasses.

The data lives in ``data/``: ``techniques.yaml``, ``programme.yaml`` (the programme and the order
of its phases) and ``programme/<PHASE>.yaml`` (one phase and its steps). Every user-visible text is
given in all of ``LANGUAGES``; a file's ``unchecked`` list names the languages that still await a
native speaker's check. Keys are stable: add, never rename.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from method import parsed

LANGUAGES = ("nb", "sv", "da", "fi", "en")
FALLBACK_LANGUAGES = ("nb", "en")
# A step using any of these techniques keeps its minutes when the programme is re-planned.
FIXED_TECHNIQUES = frozenset({"clarify_context", "mirror", "break", "evaluation_form"})
COLLECT_KEYS = (
    "nothing",
    "ideas",
    "votes",
    "interests",
    "pairings",
    "profiles",
    "connections",
    "products",
    "evaluation",
)
# Labels for ideas collected as ``ideas:KIND``, so the report can group them.
IDEA_KINDS = (
    "checkin",
    "checkout",
    "condition",
    "reaction",
    "gap",
    "value_prop",
    "advice",
    "roles",
    "commitment",
    "feedback",
    "learning",
    "rule",
    "story",
    "lesson",
)
PHASE_KINDS = ("preparation", "workshop", "testing", "follow_up")
DATA_DIR = Path(__file__).parent / "data"

_KEY = re.compile(r"[a-z][a-z0-9_]*")
_PHASE_KEY = re.compile(r"[A-Z][A-Z0-9]*")


def is_fixed(techniques: Iterable[str]) -> bool:
    """Tell whether a step with these techniques keeps its minutes when re-planning."""
    return any(t in FIXED_TECHNIQUES for t in techniques)


class CatalogueError(ValueError):
    """A method data file is missing, malformed or inconsistent; the message names file and key."""


@dataclass(frozen=True)
class Text:
    """One user-visible text in every language, and which translations await a native check."""

    nb: str
    sv: str
    da: str
    fi: str
    en: str
    unchecked: frozenset[str] = frozenset()

    def get(self, lang: str) -> str:
        """Return the text in ``lang``, falling back to nb, then en."""
        for code in (lang, *FALLBACK_LANGUAGES):
            if code in LANGUAGES and getattr(self, code):
                return getattr(self, code)
        return self.en

    def is_checked(self, lang: str) -> bool:
        """Tell whether the text in ``lang`` has been checked by a native speaker."""
        return lang in LANGUAGES and lang not in self.unchecked


@dataclass(frozen=True)
class Technique:
    """A facilitation technique a step may use; ``proposal`` marks Kraftverk's own additions."""

    key: str
    name: Text
    description: Text
    proposal: bool
    source: str | None  # where the technique comes from, e.g. "Liberating Structures"


@dataclass(frozen=True)
class StepTemplate:
    """One step of a phase: the first technique is the primary one."""

    key: str
    title: Text
    purpose: Text
    minutes: int | None  # None: no set length (an invitation, say)
    minutes_max: int | None  # set when the length is a range, minutes..minutes_max
    techniques: tuple[str, ...]
    prompt: Text | None  # what the leader asks; None for breaks and pure form steps
    notes: Text
    collects: tuple[str, ...]

    @property
    def fixed(self) -> bool:
        """Tell whether re-planning must keep this step's minutes."""
        return is_fixed(self.techniques)

    @property
    def primary_technique(self) -> str:
        """Return the key of the step's main technique."""
        return self.techniques[0]

    @property
    def idea_kinds(self) -> tuple[str, ...]:
        """Return the KIND labels of the step's ``ideas:KIND`` collects."""
        return tuple(c.split(":", 1)[1] for c in self.collects if c.startswith("ideas:"))

    @property
    def collects_ideas(self) -> bool:
        """Tell whether participants post ideas in this step."""
        return any(c == "ideas" or c.startswith("ideas:") for c in self.collects)


@dataclass(frozen=True)
class PhaseTemplate:
    """A phase of the programme: preparation, a workshop, the testing period or the follow-up."""

    key: str
    kind: str  # one of PHASE_KINDS
    title: Text
    purpose: Text
    notes: Text | None
    week: int  # weeks from the first workshop
    week_max: int | None  # set when the phase spans weeks, week..week_max
    minutes: int | None  # a workshop's total; the steps' minutes add up to it
    steps: tuple[StepTemplate, ...]

    @property
    def is_workshop(self) -> bool:
        """Tell whether the phase is a workshop that can be run live."""
        return self.kind == "workshop"

    def step(self, key: str) -> StepTemplate:
        """Return the step with ``key``; raise KeyError if the phase has none."""
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)


@dataclass(frozen=True)
class Programme:
    """Kraftverk's default programme, inspired by the CUPIDO/KRAFT method."""

    key: str
    title: Text
    description: Text
    phases: tuple[PhaseTemplate, ...]

    @property
    def workshops(self) -> tuple[PhaseTemplate, ...]:
        """Return the phases that are workshops, in order."""
        return tuple(p for p in self.phases if p.is_workshop)

    def phase(self, key: str) -> PhaseTemplate:
        """Return the phase with ``key``; raise KeyError if there is none."""
        for phase in self.phases:
            if phase.key == key:
                return phase
        raise KeyError(key)


@dataclass(frozen=True)
class Catalogue:
    """Everything loaded from one data directory."""

    programme: Programme
    techniques: tuple[Technique, ...]

    def technique(self, key: str) -> Technique:
        """Return the technique with ``key``; raise KeyError if there is none."""
        for item in self.techniques:
            if item.key == key:
                return item
        raise KeyError(key)


# -- public access to the packaged data ---------------------------------------------------------


@functools.lru_cache(maxsize=8)
def load(data_dir: Path | str = DATA_DIR) -> Catalogue:
    """Load and check the techniques and the programme under ``data_dir``."""
    root = Path(data_dir)
    techniques = _load_techniques(root)
    programme = _load_programme(root, {t.key for t in techniques})
    return Catalogue(programme=programme, techniques=techniques)


def programme() -> Programme:
    """Return the default programme."""
    return load().programme


@functools.cache
def programme_digest() -> str:
    """A short digest of the default programme's files: changes when a deploy words it anew."""
    digest = hashlib.blake2s(digest_size=6)
    for path in sorted(DATA_DIR.glob("programme*.yaml")) + sorted(
        DATA_DIR.glob("programme/*.yaml")
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def phase(key: str) -> PhaseTemplate:
    """Return a phase of the default programme (P0, W1..W5, T, F); raise KeyError if unknown."""
    return programme().phase(key)


def workshop_templates() -> tuple[PhaseTemplate, ...]:
    """Return the default programme's workshop templates, W1..W5."""
    return programme().workshops


def workshop_template(key: str) -> PhaseTemplate:
    """Return the workshop template ``key`` (W1..W5); raise KeyError if it is not a workshop."""
    found = programme().phase(key)
    if not found.is_workshop:
        raise KeyError(key)
    return found


def step_template(key: str) -> StepTemplate:
    """Return a step of the default programme by key, e.g. ``W2.3``; raise KeyError if unknown."""
    return programme().phase(key.split(".", 1)[0]).step(key)


def techniques() -> tuple[Technique, ...]:
    """Return every technique in the catalogue."""
    return load().techniques


def technique(key: str) -> Technique:
    """Return one technique; raise KeyError if unknown."""
    return load().technique(key)


# -- reading and checking ------------------------------------------------------------------------


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """A safe YAML loader that refuses a mapping key given twice (PyYAML keeps the last).

    On libyaml's parser when PyYAML has it (about ten times faster: the catalogue is read when
    a programme or a report is made)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


class _File:
    """A parsed data file, with the name its errors carry."""

    def __init__(self, root: Path, relative: str) -> None:
        self.name = relative
        path = root / relative
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise CatalogueError(f"{relative}: file not found") from None
        try:
            # _UniqueKeyLoader is a (C)SafeLoader subclass: no arbitrary objects.
            self.data = parsed.load(text, _UniqueKeyLoader, relative)  # kept: method/parsed.py
        except yaml.YAMLError as error:
            raise CatalogueError(f"{relative}: not valid YAML: {error}") from None
        if not isinstance(self.data, dict):
            raise CatalogueError(f"{relative}: must be a mapping at the top level")
        self.unchecked = self._unchecked()

    def error(self, path: str, message: str) -> CatalogueError:
        """Build an error naming this file and the key path."""
        return CatalogueError(f"{self.name}: {path}: {message}")

    def fields(self, node: Any, path: str, required: set[str], optional: set[str]) -> dict:
        """Check that ``node`` is a mapping with the required fields and nothing unknown."""
        if not isinstance(node, dict):
            raise self.error(path, "must be a mapping")
        missing = sorted(required - node.keys())
        if missing:
            raise self.error(_join(path, missing[0]), "missing")
        unknown = [str(name) for name in node if name not in required | optional]
        if unknown:
            raise self.error(_join(path, unknown[0]), "unknown field")
        return node

    def text(self, node: Any, path: str) -> Text:
        """Read a text given in every language."""
        if not isinstance(node, dict):
            raise self.error(path, f"must map each of {', '.join(LANGUAGES)} to a text")
        for lang in node:
            if lang not in LANGUAGES:
                raise self.error(f"{path}.{lang}", "unknown language")
        for lang in LANGUAGES:
            value = node.get(lang)
            if value is None:
                raise self.error(f"{path}.{lang}", "missing")
            if not isinstance(value, str) or not value.strip():
                raise self.error(f"{path}.{lang}", "must be a non-empty text")
        return Text(**{lang: node[lang].strip() for lang in LANGUAGES}, unchecked=self.unchecked)

    def optional_text(self, node: Any, path: str) -> Text | None:
        """Read a text in every language, or nothing."""
        return None if node is None else self.text(node, path)

    def positive_int(self, value: Any, path: str) -> int:
        """Read a whole number above zero."""
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(path, "must be a positive integer")
        return value

    def integer(self, value: Any, path: str) -> int:
        """Read a whole number."""
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(path, "must be an integer")
        return value

    def key_list(self, value: Any, path: str) -> list[Any]:
        """Read a non-empty list without repeats."""
        if not isinstance(value, list) or not value:
            raise self.error(path, "must be a non-empty list")
        seen = set()
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.error(f"{path}[{i}]", "must be a key")
            if item in seen:
                raise self.error(f"{path}[{i}]", f"{item!r} is listed twice")
            seen.add(item)
        return value

    def _unchecked(self) -> frozenset[str]:
        value = self.data.get("unchecked", [])
        if not isinstance(value, list):
            raise self.error("unchecked", "must be a list of languages")
        for i, lang in enumerate(value):
            if lang not in LANGUAGES:
                raise self.error(f"unchecked[{i}]", f"unknown language {lang!r}")
        return frozenset(value)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _load_techniques(root: Path) -> tuple[Technique, ...]:
    file = _File(root, "techniques.yaml")
    data = file.fields(file.data, "", {"techniques"}, {"unchecked"})
    items = data["techniques"]
    if not isinstance(items, list) or not items:
        raise file.error("techniques", "must be a non-empty list")
    result: dict[str, Technique] = {}
    for i, node in enumerate(items):
        key = node.get("key") if isinstance(node, dict) else None
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise file.error(f"techniques[{i}].key", "must be a lower-case key")
        if key in result:
            raise file.error(key, "duplicate key")
        file.fields(node, key, {"key", "name", "description", "proposal"}, {"source"})
        if not isinstance(node["proposal"], bool):
            raise file.error(f"{key}.proposal", "must be true or false")
        source = node.get("source")
        if source is not None and (not isinstance(source, str) or not source.strip()):
            raise file.error(f"{key}.source", "must be a name or null")
        result[key] = Technique(
            key=key,
            name=file.text(node["name"], f"{key}.name"),
            description=file.text(node["description"], f"{key}.description"),
            proposal=node["proposal"],
            source=source,
        )
    return tuple(result.values())


def _load_programme(root: Path, technique_keys: set[str]) -> Programme:
    file = _File(root, "programme.yaml")
    data = file.fields(file.data, "", {"key", "title", "description", "phases"}, {"unchecked"})
    if not isinstance(data["key"], str) or not _KEY.fullmatch(data["key"]):
        raise file.error("key", "must be a lower-case key")
    phase_keys = file.key_list(data["phases"], "phases")
    phases: list[PhaseTemplate] = []
    for i, key in enumerate(phase_keys):
        if not _PHASE_KEY.fullmatch(key):
            raise file.error(f"phases[{i}]", f"{key!r} must be an upper-case key such as W1")
        if not (root / "programme" / f"{key}.yaml").is_file():
            raise file.error(f"phases[{i}]", f"no file programme/{key}.yaml")
        phase = _load_phase(root, key, technique_keys)
        if phases and phase.week < phases[-1].week:
            raise CatalogueError(
                f"programme/{key}.yaml: {key}.week: must not come before {phases[-1].key}'s week"
            )
        phases.append(phase)
    for path in sorted((root / "programme").glob("*.yaml")):
        if path.stem not in phase_keys:
            raise CatalogueError(f"programme/{path.name}: not listed in programme.yaml phases")
    return Programme(
        key=data["key"],
        title=file.text(data["title"], "title"),
        description=file.text(data["description"], "description"),
        phases=tuple(phases),
    )


_PHASE_FIELDS = {"key", "kind", "title", "purpose", "week", "steps"}
_PHASE_OPTIONAL = {"unchecked", "notes", "week_max", "minutes"}
_STEP_FIELDS = {"key", "title", "purpose", "minutes", "techniques", "prompt", "notes", "collects"}


def _load_phase(root: Path, key: str, technique_keys: set[str]) -> PhaseTemplate:
    file = _File(root, f"programme/{key}.yaml")
    data = file.fields(file.data, key, _PHASE_FIELDS, _PHASE_OPTIONAL)
    if data["key"] != key:
        raise file.error(f"{key}.key", f"must be {key}, the file's name")
    if data["kind"] not in PHASE_KINDS:
        raise file.error(f"{key}.kind", f"must be one of {', '.join(PHASE_KINDS)}")
    workshop = data["kind"] == "workshop"
    week = file.integer(data["week"], f"{key}.week")
    week_max = data.get("week_max")
    if week_max is not None and file.integer(week_max, f"{key}.week_max") < week:
        raise file.error(f"{key}.week_max", "must not be before week")
    minutes = data.get("minutes")
    if workshop:
        minutes = file.positive_int(minutes, f"{key}.minutes")
    elif minutes is not None:
        raise file.error(f"{key}.minutes", "only a workshop has a total length")
    if not isinstance(data["steps"], list) or (workshop and not data["steps"]):
        raise file.error(f"{key}.steps", "must be a list" + (" of steps" if workshop else ""))
    steps: list[StepTemplate] = []
    for i, node in enumerate(data["steps"]):
        step = _load_step(file, key, i, node, workshop, technique_keys)
        if any(s.key == step.key for s in steps):
            raise file.error(step.key, "duplicate key")
        steps.append(step)
    if workshop:
        total = sum(s.minutes or 0 for s in steps)
        if total != minutes:
            raise file.error(f"{key}.minutes", f"is {minutes}, but the steps add up to {total}")
    return PhaseTemplate(
        key=key,
        kind=data["kind"],
        title=file.text(data["title"], f"{key}.title"),
        purpose=file.text(data["purpose"], f"{key}.purpose"),
        notes=file.optional_text(data.get("notes"), f"{key}.notes"),
        week=week,
        week_max=week_max,
        minutes=minutes,
        steps=tuple(steps),
    )


def _load_step(
    file: _File, phase_key: str, index: int, node: Any, workshop: bool, technique_keys: set[str]
) -> StepTemplate:
    key = node.get("key") if isinstance(node, dict) else None
    if not isinstance(key, str) or not re.fullmatch(rf"{phase_key}\.[0-9A-Za-z_]+", key):
        raise file.error(f"{phase_key}.steps[{index}].key", f"must look like {phase_key}.1")
    file.fields(node, key, _STEP_FIELDS, {"minutes_max"})
    minutes, minutes_max = node["minutes"], node.get("minutes_max")
    if workshop or minutes is not None:
        minutes = file.positive_int(minutes, f"{key}.minutes")
    if minutes_max is not None:
        if workshop:
            raise file.error(f"{key}.minutes_max", "a workshop step has a single length")
        if minutes is None or file.positive_int(minutes_max, f"{key}.minutes_max") <= minutes:
            raise file.error(f"{key}.minutes_max", "must be more than minutes")
    techniques = file.key_list(node["techniques"], f"{key}.techniques")
    for i, name in enumerate(techniques):
        if name not in technique_keys:
            raise file.error(f"{key}.techniques[{i}]", f"unknown technique {name!r}")
    collects = file.key_list(node["collects"], f"{key}.collects")
    for i, name in enumerate(collects):
        kind = name.split(":", 1)[1] if name.startswith("ideas:") else None
        if name not in COLLECT_KEYS and kind not in IDEA_KINDS:
            raise file.error(f"{key}.collects[{i}]", f"unknown collects key {name!r}")
    if "nothing" in collects and len(collects) > 1:
        raise file.error(f"{key}.collects", "'nothing' cannot be combined with other keys")
    prompt = file.optional_text(node["prompt"], f"{key}.prompt")
    if prompt is not None and "break" in techniques:
        raise file.error(f"{key}.prompt", "a break has no prompt")
    return StepTemplate(
        key=key,
        title=file.text(node["title"], f"{key}.title"),
        purpose=file.text(node["purpose"], f"{key}.purpose"),
        minutes=minutes,
        minutes_max=minutes_max,
        techniques=tuple(techniques),
        prompt=prompt,
        notes=file.text(node["notes"], f"{key}.notes"),
        collects=tuple(collects),
    )
