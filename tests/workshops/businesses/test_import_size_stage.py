"""Size and stage as optional import columns: headers and values in five languages."""

import pytest
from flask_babel import force_locale

from workshops.businesses import registry as businesses
from workshops.businesses.models import SIZE_BANDS, STAGES, Business

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    return make_project("elvedalen", leaders=[leader], name="Elvedalen", language="en")


def facts(db) -> dict[str, tuple[str, str]]:
    return {b.name: (b.size_band, b.stage) for b in db.session.scalars(db.select(Business))}


@pytest.mark.parametrize(
    ("size", "stage"),
    [("size", "stage"), ("Størrelse", "Fase"), ("storlek", "fas"), ("KOKO", "vaihe"),
     ("antal ansatte", "stadium")],
)  # fmt: skip
def test_headers_in_five_languages_name_the_columns(db, project, size, stage):
    plan = businesses.import_file(project, f"name,{size},{stage}\nA,3,new\n".encode())

    assert plan.errors == []
    assert [w.code for w in plan.warnings] == []
    assert facts(db) == {"A": ("2-4", "new")}


def test_values_in_five_languages_map_to_keys(db, project):
    rows = [
        ("Elvestua", "1", "Idé"),
        ("Fjellgard", "enkeltperson", "Nystartet"),
        ("Stugby", "2–4", "nystartad"),
        ("Kahvila", "yksinyrittäjä", "vakiintunut"),
        ("Kro", "12", "Etableret"),
        ("Hotell", "50+", "established"),
        ("Smie", "5-9", "ideavaihe"),
        ("Blank", "", ""),
    ]
    data = "name;storlek;fas\n" + "".join(f"{n};{s};{t}\n" for n, s, t in rows)

    plan = businesses.import_file(project, data.encode())

    assert plan.errors == []
    # A file without a sector column is read by the names ("Hotell", "Kahvila" ...), with a
    # warning each; none on sizes or stages.
    assert [w for w in plan.warnings if w.code != "sector_from_name"] == []
    assert facts(db) == {
        "Elvestua": ("1", "idea"),
        "Fjellgard": ("1", "new"),
        "Stugby": ("2-4", "new"),
        "Kahvila": ("1", "established"),
        "Kro": ("10-49", "established"),
        "Hotell": ("50+", "established"),
        "Smie": ("5-9", "idea"),
        "Blank": ("", ""),
    }


def test_unknown_values_are_warnings_the_row_is_imported_and_old_values_kept(db, project):
    businesses.import_file(project, b"name,size,stage\nA,3,new\n")

    plan = businesses.import_file(project, b"name,size,stage\nA,2-9,halfway\nB,lots,\n")

    with force_locale("en"):
        messages = [p.line() for p in plan.warnings]
    assert plan.errors == []
    assert [(w.row, w.column, w.code) for w in plan.warnings] == [
        (2, "size", "unknown_size"),
        (2, "stage", "unknown_stage"),
        (3, "size", "unknown_size"),
    ]
    assert "Unknown size '2-9'" in messages[0]
    assert facts(db) == {"A": ("2-4", "new"), "B": ("", "")}


def test_a_file_without_the_columns_leaves_size_and_stage_alone(db, project):
    businesses.import_file(project, b"name,size,stage\nA,3,new\n")

    businesses.import_file(project, b"name,municipality\nA,Nordvik\n")

    assert facts(db) == {"A": ("2-4", "new")}


def test_every_band_and_stage_key_reads_as_itself():
    assert [businesses.read_size(key) for key in SIZE_BANDS] == list(SIZE_BANDS)
    assert [businesses.read_stage(key) for key in STAGES] == list(STAGES)
    assert businesses.read_size("0") is None
    assert businesses.read_size("9" * 40) == "50+"
