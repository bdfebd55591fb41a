"""Rows as owners write them through `import-businesses` and `pairings --json`: never an error."""

import json

import pytest

pytestmark = pytest.mark.db

# 500 tags: five known words first, then 495 nobody listed (the field may be cut, with a warning)
TAGS = "hytter, frokost, guida turar, lokal mat, kafé, " + ", ".join(f"ord{k}" for k in range(495))
CSV = (
    "\ufeffname;sector;offers;needs;municipality\n"
    "Berre Namnet;;;;\n"
    "Fjellstova;55.10;;;Breidal\n"
    "Guidane;79.90;;;Breidal\n"
    "Kaffestova;kafé;;;Breidal\n"
    "Wörterhof;Ferienwohnungen;Ferienwohnungen mit Frühstück;Gäste aus Norwegen;Breidal\n"
    f"Altmuligmannen;;{TAGS};{TAGS};Breidal\n"
)


@pytest.fixture
def project(db, leader, make_project):
    return make_project("fjordbygda", leaders=[leader], name="Fjordbygda", language="nb")


def test_rows_of_every_kind_import_with_warnings_and_pair_without_error(
    runner, db, project, tmp_path
):
    path = tmp_path / "fjordbygda.csv"
    path.write_bytes(CSV.encode("utf-8"))

    imported = runner.invoke(args=["import-businesses", str(path), "--project", "fjordbygda"])
    result = runner.invoke(args=["pairings", "--project", "fjordbygda", "--json", "--lang", "en"])

    assert imported.exit_code == 0, imported.output
    assert imported.stdout == "6 created, 0 updated\n"
    assert "Ferienwohnungen" in imported.stderr  # an unknown word is kept and reported
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    by_name = {item["business"]: item for item in document["suggestions"]}
    assert len(by_name) == 6
    alone = by_name["Berre Namnet"]
    assert alone["partners"] == []
    assert alone["reason"].startswith("No offers, needs or sector given yet")
    assert by_name["Fjellstova"]["partners"], "a sector alone gets its sector's partners"
    assert by_name["Altmuligmannen"]["partners"]
    assert all("reason" not in item for item in document["suggestions"] if item["partners"])


def test_the_text_output_says_why_a_list_is_empty(runner, db, project, tmp_path):
    path = tmp_path / "one.csv"
    path.write_bytes(b"name\nBerre Namnet\n")
    runner.invoke(args=["import-businesses", str(path), "--project", "fjordbygda"])

    result = runner.invoke(args=["pairings", "--project", "fjordbygda", "--lang", "en"])

    assert result.exit_code == 0
    assert "  - No offers, needs or sector given yet" in result.stdout
