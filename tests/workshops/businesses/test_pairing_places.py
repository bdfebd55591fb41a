"""Pairing through `import-businesses` and `pairings --json` counts a municipality written two
ways (its Swedish and its Finnish name, with or without "stad") as one place."""

import json

import pytest
from sqlalchemy import select

from workshops.businesses.models import Business

pytestmark = pytest.mark.db

# Two cabin businesses alike but for their municipality; the first by name is the one farther
# away, so a tie would put it first.
CSV = (
    "\ufeffname;sector;offers;needs;municipality\n"
    "Skärgårdsguiden;guide;guidade turer;boende för grupper;Pargas stad\n"
    "Annas stugor;stuguthyrning;stugor att hyra;guidade turer;Kimitoön\n"
    "Bertils stugor;stuguthyrning;stugor att hyra;guidade turer;Parainen\n"
)


@pytest.fixture
def project(db, leader, make_project):
    return make_project("skargard", leaders=[leader], name="Skärgård", language="sv")


def test_a_municipality_named_in_two_languages_is_one_place(runner, db, project, tmp_path):
    path = tmp_path / "skargard.csv"
    path.write_bytes(CSV.encode("utf-8"))

    imported = runner.invoke(args=["import-businesses", str(path), "--project", "skargard"])
    result = runner.invoke(args=["pairings", "--project", "skargard", "--json", "--lang", "en"])

    assert imported.exit_code == 0, imported.output
    assert result.exit_code == 0, result.output
    suggestions = {s["business"]: s["partners"] for s in json.loads(result.stdout)["suggestions"]}
    guide = suggestions["Skärgårdsguiden"]
    assert [p["business"] for p in guide] == ["Bertils stugor", "Annas stugor"]
    assert guide[0]["score"] > guide[1]["score"]
    stored = {b.name: b.municipality for b in db.session.scalars(select(Business))}
    assert stored["Skärgårdsguiden"] == "Pargas stad" and stored["Bertils stugor"] == "Parainen"
