"""The project export: JSON as INTERFACES.md shapes it, on the command line and the web; XLSX."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from openpyxl import load_workbook

from app.extensions import db
from app.reports import export
from tests.conftest import login
from workshops.ideas.models import Idea
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db

KEYS = {
    "project": {"slug", "name", "municipality", "language", "timezone", "targets"},
    "workshop": {"title", "join_code", "status", "starts_at", "visibility", "steps"},
    "step": {"title", "minutes", "collects"},
    "business": {"name", "sector", "offers", "needs", "offers_free", "needs_free", "assumed"},
    "idea": {
        "id",
        "workshop",
        "step",
        "track",
        "theme",
        "text",
        "created_at",
        "hidden",
        "votes",
        "interests",
    },  # fmt: skip
    "evaluation": {"title", "token", "status", "questions", "responses"},
    "connection": {"a", "b", "status", "origin"},
    "ecosystem": {"name", "businesses", "product", "status", "ideas"},
}
TOP = {"project", "workshops", "businesses", "ideas", "evaluations", "connections", "ecosystems"}


def _check_shape(exported: dict) -> None:
    assert set(exported) >= TOP
    assert KEYS["project"] <= set(exported["project"])
    assert set(exported["project"]["targets"]) == {
        "attendees", "businesses", "ideas", "connections", "ecosystems"
    }  # fmt: skip
    for workshop in exported["workshops"]:
        assert KEYS["workshop"] <= set(workshop)
        for step in workshop["steps"]:
            assert KEYS["step"] <= set(step)
    for kind, key in (
        ("businesses", "business"), ("ideas", "idea"), ("evaluations", "evaluation"),
        ("connections", "connection"), ("ecosystems", "ecosystem"),
    ):  # fmt: skip
        for item in exported[kind]:
            assert KEYS[key] <= set(item), (kind, KEYS[key] - set(item))


def test_export_has_every_key_of_the_interface(story):
    exported = export.project_json(story)

    _check_shape(exported)
    assert exported["project"]["targets"]["ideas"] == 10
    assert [w["join_code"] for w in exported["workshops"]] == ["ABCDEF", "GHJKMN"]
    assert exported["workshops"][0]["starts_at"] == "2026-01-14T07:00:00Z"
    assert exported["workshops"][0]["steps"] == [
        {"title": "First joint ideas", "minutes": 25, "collects": ["ideas"], "key": "W1.7"}
    ]
    assert {b["name"]: b["sector"] for b in exported["businesses"]}["Slusedal Padling"] == "93.29"
    assert exported["connections"] == [
        {
            "a": "Slusedal Gjestegård",
            "b": "Slusedal Padling",
            "status": "collaborating",
            "origin": "suggested",
        }  # fmt: skip
    ]
    assert exported["ecosystems"][0]["businesses"] == ["Slusedal Gjestegård", "Slusedal Padling"]


def test_ideas_are_exported_exactly_as_typed_with_hidden_ones(story):
    ideas = export.project_json(story)["ideas"]

    by_text = {idea["text"]: idea for idea in ideas}
    assert "Kanalhelg  med   konsert\nog buss hjem" in by_text
    assert by_text["Skjult idé om smia"]["hidden"] is True
    assert by_text["Padletur med middag på gjestegården"]["hidden"] is False
    first = by_text["Padletur med middag på gjestegården"]
    assert first["workshop"] == "ABCDEF" and first["step"] == "First joint ideas"
    assert first["created_at"].endswith("Z")
    assert isinstance(first["votes"], int) and isinstance(first["interests"], list)


def test_empty_project_exports_empty_lists(make_project, leader):
    exported = export.project_json(make_project("tom", leaders=[leader]))

    _check_shape(exported)
    assert [exported[k] for k in sorted(TOP - {"project"})] == [[], [], [], [], [], []]


def test_export_command_writes_to_standard_output(story, runner):
    result = runner.invoke(args=["export", "--project", "slusedal"])

    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    _check_shape(exported)
    assert exported == json.loads(json.dumps(export.project_json(story)))


def test_export_command_writes_a_file(story, runner, tmp_path):
    output = tmp_path / "out" / "slusedal.json"

    result = runner.invoke(args=["export", "--project", "slusedal", "--output", str(output)])

    assert result.exit_code == 0, result.output
    assert json.loads(output.read_text(encoding="utf-8"))["project"]["name"] == "Kanalbyen Slusedal"


def test_export_command_of_an_unknown_project_exits_1_with_one_line(runner):
    result = runner.invoke(args=["export", "--project", "nowhere"])

    assert result.exit_code == 1
    assert result.output.strip() == "Error: no project with the slug 'nowhere'"


def test_export_json_page_matches_the_command(story, client, leader):
    login(client, leader.email)

    response = client.get("/projects/slusedal/export.json")

    assert response.status_code == 200
    assert response.json == json.loads(json.dumps(export.project_json(story)))


def test_workbook_has_a_sheet_per_kind_and_formulas_stay_text(story, client, leader):
    workshop = db.session.scalar(db.select(Workshop).where(Workshop.join_code == "ABCDEF"))
    formulas = [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2",
        "@SUM(A1)",
        "\tTab",
        "a\x01b",
    ]
    for text in formulas:
        db.session.add(Idea(workshop_id=workshop.id, text=text))
    db.session.commit()
    login(client, leader.email)

    response = client.get("/projects/slusedal/export.xlsx?lang=en")
    workbook = load_workbook(BytesIO(response.data))

    assert workbook.sheetnames == [
        "Workshops", "Steps", "Businesses", "Ideas", "Connections", "Ecosystems", "Evaluations"
    ]  # fmt: skip
    ideas = workbook["Ideas"]
    header = [cell.value for cell in ideas[1]]
    column = header.index("Idea") + 1
    cells = {
        ideas.cell(row=r, column=column).value: ideas.cell(row=r, column=column)
        for r in range(2, ideas.max_row + 1)
    }
    for text in formulas[:-1]:
        assert cells[text].data_type == "s", text
    assert "a\ufffdb" in cells  # a control character XLSX cannot hold
    assert workbook["Workshops"].cell(row=2, column=1).value == "Who we are"
