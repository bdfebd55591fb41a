"""Loading the taxonomy: the word indexes are built only when words are read."""

from __future__ import annotations

import pytest

from method import taxonomy


@pytest.fixture
def fresh():
    taxonomy._load.cache_clear()
    yield taxonomy._load
    taxonomy._load.cache_clear()


def test_a_nace_code_and_the_groups_need_no_word_index(fresh):
    assert taxonomy.sector_group_for("55.10").group == "accommodation"
    assert taxonomy.group_label("accommodation", "nb")
    assert taxonomy.groups()

    built = vars(fresh())
    assert "words" not in built and "sectors" not in built


def test_the_word_indexes_are_built_once_when_first_read(fresh):
    assert taxonomy.sector_group_for("hotell").group == "accommodation"
    assert "sectors" in vars(fresh())
    assert "accommodation" in taxonomy.map_words("overnatting").tags

    data = fresh()
    assert data.words is data.words and data.sectors is data.sectors
