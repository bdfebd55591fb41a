"""A municipality as owners write it: one key for its spellings and its names in two languages."""

import pytest
import yaml

from method import places


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Pargas", "Parainen"),  # Swedish and Finnish names of one municipality
        ("Pargas stad", "pargas "),
        ("Paraisten kaupunki", "Pargas"),  # Finnish genitive before "city"
        ("Inarin kunta", "Inari"),
        ("Københavns Kommune", "København"),  # Danish and Swedish genitive before the kind word
        ("Stockholms stad", "Stockholm"),
        ("Tromsø", "Tromso"),  # typed without Nordic letters
        ("Kautokeino kommune", "Guovdageaidnu"),  # Norwegian and Sámi
        ("Sør-Varanger", "sor varanger"),
        ("Fjordvik", "FJORDVIK kommune"),
        ("Turun kaupunki", "Åbo"),  # listed genitives
        ("Helsingin kaupunki", "Helsingfors"),
        ("Kemiönsaaren kunta", "Kimitoön"),
        ("Stad kommune", "Stad"),  # a municipality called Stad
        ("Tromsoe", "Tromsø"),  # "oe", "ae", "aa" as owners type the letters
        ("Baerum", "Bærum"),
        ("Porsangu", "Porsáŋgu"),  # Sámi letters
        ("Guovdageaidnu suohkan", "Kautokeino"),  # "municipality" in Northern Sámi
    ],
)
def test_spellings_and_names_of_one_municipality_share_a_key(one, other):
    assert places.key(one) == places.key(other) != ""


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Pargas", "Kimitoön"),
        ("Fjordvik", "Fjordnes"),
        ("Vik", "Vikna"),
        ("Åbo", "Åboland"),
        ("Övertorneå", "Ylitornio"),  # one name in Sweden, the other in Finland
        ("Herøy i Nordland", "Herøy"),
    ],
)
def test_different_municipalities_keep_different_keys(one, other):
    assert places.key(one) != places.key(other)


@pytest.mark.parametrize("nothing", ["", "   ", None])
def test_no_municipality_has_the_empty_key(nothing):
    assert places.key(nothing) == ""


def test_every_listed_name_belongs_to_one_municipality_only():
    groups = yaml.safe_load(places.DATA.read_text(encoding="utf-8"))["same_place"]
    seen: dict[str, int] = {}
    for number, names in enumerate(groups):
        for name in names:
            plain = places._forms(name)[0]  # noqa: SLF001 - the data's own consistency
            assert seen.setdefault(plain, number) == number, name
