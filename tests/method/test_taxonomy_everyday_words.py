"""Everyday words the import's warnings left unread on the labelled regions' forms, read as the
tag owners mean, in nb/nn, sv, da, fi and en: dishes served, a place to stay, a web agency to
work with, bookkeeping, a wedding ceremony."""

import pytest

from method import taxonomy
from tests.method.words import tags_of

# (text as written, tags it must give, tags it must not give), per language
WORDS = {
    "nb": [
        ("vi serverer lokale retter", {"meals"}, {"local_food"}),
        ("dagens rett og husmannskost", {"meals"}, set()),
        ("et sted å bo for kursdeltakerne", {"accommodation"}, set()),
        ("webbyrå å samarbeide med", {"digital_skills"}, set()),
        ("hjelp med bokføring", {"business_advice"}, set()),
        ("vielse i hagen", {"event_program"}, set()),
        ("vi retter oss mot barnefamilier", set(), {"meals"}),
    ],
    "nn": [
        ("stad å bu for gjestene", {"accommodation"}, set()),
        ("hjelp med rekneskap", {"business_advice"}, set()),
    ],
    "sv": [
        ("lokala rätter och husmanskost", {"meals"}, set()),
        ("ställe att bo på för gästerna", {"accommodation"}, set()),
        ("samarbete med en webbyrå", {"digital_skills"}, set()),
        ("hjälp med bokföring", {"business_advice"}, set()),
        ("vigsel i kapellet", {"event_program"}, set()),
    ],
    "da": [
        ("lokale retter og dagens ret", {"meals"}, set()),
        ("et sted at bo for gæsterne", {"accommodation"}, set()),
        ("samarbejde med et webbureau", {"digital_skills"}, set()),
        ("hjælp til bogføring", {"business_advice"}, set()),
        ("have hvor vielsen kan holdes", {"event_program"}, set()),
    ],
    "fi": [
        ("paikallisia ruokia", {"meals"}, set()),
        ("yhteistyö verkkotoimiston kanssa", {"digital_skills"}, set()),
        ("vihkiminen rannalla", {"event_program"}, set()),
    ],
    "en": [
        ("local dishes and home cooking", {"meals"}, set()),
        ("a place to stay for course participants", {"accommodation"}, set()),
        ("a web agency to work with", {"digital_skills"}, set()),
        ("wedding ceremonies in the garden", {"event_program"}, set()),
    ],
}
CASES = [(lang, *case) for lang, cases in WORDS.items() for case in cases]


@pytest.mark.parametrize(("lang", "text", "must", "must_not"), CASES)
def test_everyday_words_read_as_owners_mean_them(lang, text, must, must_not):
    found = tags_of(text)

    assert must <= found, f"{lang}: {text!r} gave {sorted(found)}"
    assert not (must_not & found), f"{lang}: {text!r} gave {sorted(found)}"


# Sector words owners write, per language: (word, sector group, NACE class or None)
SECTORS = {
    "nb": [
        ("fiskeri", "local_food", None),
        ("fiskeoppdrett", "local_food", None),
        ("kaffebrenneri", "local_food", None),
        ("golfklubb", "guides_activities", None),
        ("wellnesssenter", "guides_activities", "96.04"),
    ],
    "sv": [
        ("yrkesfiske", "local_food", None),
        ("fiskodling", "local_food", None),
        ("kafferosteri", "local_food", None),
        ("golf", "guides_activities", None),
        ("wellnesscenter", "guides_activities", "96.04"),
    ],
    "da": [
        ("fiskeri", "local_food", None),
        ("dambrug", "local_food", None),
        ("kaffebrænderi", "local_food", None),
        ("golfklub", "guides_activities", None),
        ("wellnesscenter", "guides_activities", "96.04"),
    ],
    "fi": [
        ("kalankasvatus", "local_food", None),
        ("ammattikalastaja", "local_food", None),
        ("kahvipaahtimo", "local_food", None),
        ("laskettelukeskus", "guides_activities", None),
        ("hyvinvointikeskus", "guides_activities", "96.04"),
    ],
    "en": [
        ("fishery", "local_food", None),
        ("coffee roastery", "local_food", None),
        ("golf club", "guides_activities", None),
        ("wellness", "guides_activities", "96.04"),
    ],
}
SECTOR_CASES = [(lang, *case) for lang, cases in SECTORS.items() for case in cases]


@pytest.mark.parametrize(("lang", "word", "group", "code"), SECTOR_CASES)
def test_sector_words_name_their_group(lang, word, group, code):
    match = taxonomy.sector_group_for(word)

    assert (match.group, match.recognised) == (group, True), f"{lang}: {word!r} gave {match}"
    assert match.nace_code == code


def test_a_sport_fishing_firm_is_no_fishery():
    assert taxonomy.sector_group_for("lystfiskeri").group == "guides_activities"
    assert taxonomy.sector_group_for("fiskecamp").group == "guides_activities"
