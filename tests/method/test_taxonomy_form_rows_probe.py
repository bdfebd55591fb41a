"""A second owner probe (issue 17), written without looking at the taxonomy data or the first
probe: business rows as owners fill in a form, three fields each (offers, needs, the word they use
for their trade), 40 rows each in nb, sv, da and fi and 15 each in nn and en, a fifth of them with
only a sector word (tests/method/data/form_rows_probe.yaml). It was measured before the reading
was changed for it. The floors and ceilings hold what the reading reached after that pass; then
focused tests for the word families added with it.

Before the pass (recall offers / needs / sector word, false matches offers + needs):
nb 0.91/0.98/0.95, 7; sv 0.91/1.00/0.97, 4; da 0.89/0.98/1.00, 7; fi 0.83/1.00/0.90, 8;
nn 0.89/0.94/0.73, 1; en 0.90/0.84/0.93, 4.
"""

from collections import Counter
from pathlib import Path

import pytest
import yaml

from method import taxonomy
from tests.method.words import tags_of

PROBE = yaml.safe_load(
    (Path(__file__).parent / "data" / "form_rows_probe.yaml").read_text(encoding="utf-8")
)["languages"]
LANGS = ("nb", "nn", "sv", "da", "fi", "en")

# Per language and field: share of expected tags found (at least); for the sector word, share of
# rows read to the expected group; tags found that no reader expects, both fields (at most).
RECALL_FLOOR = {
    "nb": {"offers": 1.0, "needs": 1.0, "sector": 0.97},
    "sv": {"offers": 1.0, "needs": 1.0, "sector": 1.0},
    "da": {"offers": 0.98, "needs": 1.0, "sector": 1.0},
    "fi": {"offers": 1.0, "needs": 1.0, "sector": 1.0},
    "nn": {"offers": 0.94, "needs": 0.94, "sector": 0.93},
    "en": {"offers": 1.0, "needs": 1.0, "sector": 0.93},
}
FALSE_CEILING = {"nb": 5, "sv": 2, "da": 4, "fi": 7, "nn": 1, "en": 3}


def _measure() -> tuple[Counter, Counter, Counter]:
    found, wanted, false = Counter(), Counter(), Counter()
    for lang, rows in PROBE.items():
        for row in rows:
            for field in ("offers", "needs"):
                want = set(row[f"expect_{field}"])
                got = tags_of(row[field])
                found[lang, field] += len(got & want)
                wanted[lang, field] += len(want)
                false[lang] += len(got - want)
            found[lang, "sector"] += taxonomy.sector_group_for(row["sector"]).group == row["group"]
            wanted[lang, "sector"] += 1
    return found, wanted, false


MEASURED = _measure()


def test_probe_rows_are_well_formed():
    groups = {g.key for g in taxonomy.groups()}
    assert set(PROBE) == set(LANGS)
    for lang, rows in PROBE.items():
        assert len(rows) == (15 if lang in ("nn", "en") else 40)
        for row in rows:
            assert row["group"] in groups
            assert all(taxonomy.is_tag(t) for t in row["expect_offers"] + row["expect_needs"])
            assert bool(row["offers"] or row["needs"]) == bool(
                row["expect_offers"] or row["expect_needs"]
            )


@pytest.mark.parametrize("field", ("offers", "needs", "sector"))
@pytest.mark.parametrize("lang", LANGS)
def test_probe_recall(lang, field):
    found, wanted, _false = MEASURED
    assert found[lang, field] / wanted[lang, field] >= RECALL_FLOOR[lang][field] - 0.005


@pytest.mark.parametrize("lang", LANGS)
def test_probe_false_matches(lang):
    assert MEASURED[2][lang] <= FALSE_CEILING[lang]


# --- word families added with the probe -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "vinteraktiviteter for familier",
        "hundspann, vinteraktiviteter för familjer",
        "dans og teater for barn",
        "teater för barn",
        "talviaktiviteetit perheille",
        "tanssi ja teatteri lapsille",
        "guided walks for families",
    ],
)
def test_an_activity_for_families_is_a_family_activity(text):
    assert "family_activities" in tags_of(text)


@pytest.mark.parametrize(
    "text",
    ["rom for familier", "middag for barn", "hytter for familier", "majoitusta perheille"],
)
def test_a_room_or_a_meal_for_families_is_not(text):
    assert "family_activities" not in tags_of(text)


@pytest.mark.parametrize(
    "text",
    [
        "kurs i sosiale medier",
        "kurser i sociala medier",
        "kurser i sociale medier",
        "somekoulutus",
        "social media training",
    ],
)
def test_a_course_in_social_media_is_digital_skills(text):
    tags = tags_of(text)
    assert "digital_skills" in tags
    assert "course_workshop" not in tags


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("elinkeinopalvelut", "business_advice"),
        ("yritystuet", "funding_advice"),
        ("företagsstöd", "funding_advice"),
        ("40 vuodepaikkaa", "accommodation"),
        ("retkeilymajat", "accommodation"),
        ("kveldstur", "guided_tour"),
        ("kvällsturer", "guided_tour"),
        ("aftentur", "guided_tour"),
        ("iltaretki", "guided_tour"),
        ("panimokierros", "guided_tour"),
        ("smeden viser fram", "craft_demo"),
        ("visning i smedjan", "craft_demo"),
        ("håndstrikkede trøjer", "handmade_products"),
        ("rosemåling", "handmade_products"),
        ("takomo", "handmade_products"),
        ("matkamuistomyymälät", "sales_outlet"),
        ("shelterture", "outdoor_activity"),
        ("turbåt", "water_transport"),
        ("opgaver fra virksomheder", "group_customers"),
        ("small businesses as clients", "group_customers"),
        ("somewhere to sleep on tour", "accommodation"),
        ("summer fete", "event_program"),
        ("pub gigs", "live_performance"),
    ],
)
def test_added_words(text, tag):
    assert tag in tags_of(text)


@pytest.mark.parametrize(
    ("text", "not_tag"),
    [
        ("visning i smedjan", "guided_tour"),
        ("matkamuistomyymälät", "souvenirs"),
        ("shelterture", "accommodation"),
        ("pub gigs", "meals"),
    ],
)
def test_added_words_leave_out(text, not_tag):
    assert not_tag not in tags_of(text)


@pytest.mark.parametrize(
    ("word", "group"),
    [
        ("kylpylähotelli", "accommodation"),
        ("retkeilymaja", "accommodation"),
        ("gjestgjevargard", "accommodation"),
        ("spahotell", "accommodation"),
        ("luontoopas", "guides_activities"),
        ("kanotcenter", "guides_activities"),
        ("kajakcenter", "guides_activities"),
        ("padlesenter", "guides_activities"),
        ("suunnittelutoimisto", "visual_arts_media"),
        ("musé", "heritage_museums"),
        ("siderprodusent", "local_food"),
        ("rosemålar", "crafts"),
    ],
)
def test_added_sector_words(word, group):
    assert taxonomy.sector_group_for(word).group == group
