"""The method's YAML parsed once and kept: the same data, parsed again whenever in doubt."""

from __future__ import annotations

import datetime
import sys
import types

import pytest
import yaml

from method import parsed

LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
TEXT = "tags:\n  meals: {label: {nb: Mat, en: Meals}, words: [mat, middag]}\nweight: 0.5\n"
DATA = {
    "tags": {"meals": {"label": {"nb": "Mat", "en": "Meals"}, "words": ["mat", "middag"]}},
    "weight": 0.5,
}


@pytest.fixture
def folder(tmp_path):
    kept = tmp_path / "kept"
    parsed.keep_in(kept)
    yield kept
    parsed.keep_in(None)


@pytest.fixture
def parses(monkeypatch):
    """The texts yaml.load parses from now on."""
    seen: list[str] = []
    real = yaml.load

    def counting(text, Loader):  # noqa: N803 - PyYAML's own argument name
        seen.append(text)
        return real(text, Loader=Loader)  # noqa: S506 - the tests' safe loader

    monkeypatch.setattr(yaml, "load", counting)
    return seen


def test_the_data_is_kept_and_the_next_load_parses_nothing(folder, parses):
    first = parsed.load(TEXT, LOADER, "tags.yaml")
    again = parsed.load(TEXT, LOADER, "tags.yaml")

    assert first == again == DATA
    assert parses == [TEXT]
    assert len(list(folder.glob("*.marshal"))) == 1


def test_a_changed_text_is_parsed_again_and_replaces_the_kept_data(folder, parses):
    parsed.load(TEXT, LOADER, "tags.yaml")
    changed = TEXT.replace("0.5", "0.75")

    assert parsed.load(changed, LOADER, "tags.yaml")["weight"] == 0.75
    assert parsed.load(changed, LOADER, "tags.yaml")["weight"] == 0.75
    assert parses == [TEXT, changed]
    assert len(list(folder.glob("*.marshal"))) == 1


def test_another_loader_or_file_name_keeps_data_of_its_own(folder, parses):
    parsed.load(TEXT, LOADER, "tags.yaml")

    assert parsed.load(TEXT, yaml.SafeLoader, "tags.yaml") == DATA
    assert parsed.load(TEXT, LOADER, "programme/W1.yaml") == DATA
    assert parsed.load(TEXT, LOADER, "tags.yaml") == DATA
    assert len(parses) == 3
    assert len(list(folder.glob("*.marshal"))) == 3


def test_a_damaged_kept_file_is_parsed_again_and_replaced(folder, parses):
    parsed.load(TEXT, LOADER, "tags.yaml")
    (kept,) = folder.glob("*.marshal")
    kept.write_bytes(kept.read_bytes()[:20])

    assert parsed.load(TEXT, LOADER, "tags.yaml") == DATA
    assert parsed.load(TEXT, LOADER, "tags.yaml") == DATA
    assert len(parses) == 2  # the damaged one parsed again, then the new file used


def test_a_folder_that_cannot_be_written_only_means_parsing(tmp_path, parses):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    parsed.keep_in(blocker / "kept")
    try:
        assert (
            parsed.load(TEXT, LOADER, "tags.yaml") == parsed.load(TEXT, LOADER, "tags.yaml") == DATA
        )
    finally:
        parsed.keep_in(None)
    assert len(parses) == 2
    assert list(tmp_path.iterdir()) == [blocker]


def test_data_marshal_cannot_hold_is_not_kept(folder, parses):
    text = "day: 2027-02-03\n"

    assert parsed.load(text, LOADER, "tags.yaml") == {"day": datetime.date(2027, 2, 3)}
    assert parsed.load(text, LOADER, "tags.yaml") == {"day": datetime.date(2027, 2, 3)}
    assert len(parses) == 2
    assert not folder.exists() or not list(folder.iterdir())


def test_without_a_folder_every_load_parses(parses):
    assert parsed.load(TEXT, LOADER, "tags.yaml") == parsed.load(TEXT, LOADER, "tags.yaml")
    assert len(parses) == 2


def test_a_changed_loader_module_makes_the_data_parsed_again(tmp_path, monkeypatch):
    source = tmp_path / "kv_loaders.py"
    source.write_text("# the loader's constructors, first version\n")
    module = types.ModuleType("kv_loaders")
    module.__file__ = str(source)
    monkeypatch.setitem(sys.modules, "kv_loaders", module)

    class Loader(yaml.SafeLoader):
        pass

    Loader.__module__ = "kv_loaders"
    parsed._loader_key.cache_clear()
    before = parsed._key("a: 1\n", Loader)
    source.write_text("# the loader's constructors, a new one added\n")
    parsed._loader_key.cache_clear()

    assert parsed._key("a: 1\n", Loader) != before
    assert parsed._key("a: 1\n", Loader)[8:] == before[8:]  # the same text
