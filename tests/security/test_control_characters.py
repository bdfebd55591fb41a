"""NUL and other C0 control characters: a clear 400/422 naming the field, on both engines.

Tabs, line feeds and carriage returns are text people type: they pass and are stored as typed.
"""

from __future__ import annotations

import io

import pytest

from app.input_guard import csv_control, first_control
from evaluations import store
from tests.evaluations import conftest as evaluation_fixtures
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db

# The evaluation fixtures: a project, an open form with a question of each type, phones.
project = evaluation_fixtures.project
custom_form = evaluation_fixtures.custom_form
make_phone = evaluation_fixtures.make_phone

FORBIDDEN = [chr(c) for c in range(0x20) if chr(c) not in "\t\n\r"]


def _valid(form) -> dict:
    return {
        qid(form, 0): option_id(form, 0, 0),
        qid(form, 1): option_id(form, 1, 0),
        qid(form, 2): 4,
        qid(form, 3): [option_id(form, 3, 0)],
    }


def test_every_c0_control_but_tab_and_line_breaks_is_found():
    assert all(first_control(f"a{c}b") == c for c in FORBIDDEN)
    assert first_control("tab\there\nline\r\nbreak \u202e \x7f \x85") is None
    assert csv_control(b"name,sector\nok,hotel\nbad\x07name,hotel\n") == (3, 1, "\x07")
    assert csv_control("name;offers\nA;x\x00y\n".encode("utf-16")) == (2, 2, "\x00")
    assert csv_control(b'name,notes\nA,"two\nlines\tand tab"\n') is None


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x0b"])
def test_the_api_refuses_a_control_character_with_422_naming_the_field(
    db, custom_form, make_phone, char
):
    answers = _valid(custom_form) | {qid(custom_form, 4): f"bad{char}text"}

    response = make_phone().answer(custom_form.token, answers)

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "control_character"
    assert f"answers.{qid(custom_form, 4)}" in body["message"]
    assert f"U+{ord(char):04X}" in body["message"]
    assert store.count(custom_form.id) == 0


def test_a_control_character_in_a_json_key_is_refused_too(db, custom_form, make_phone):
    response = make_phone().answer(custom_form.token, {"1\x00": "x"})

    assert response.status_code == 422 and "U+0000" in response.get_json()["message"]


def test_the_html_form_refuses_nul_with_400_naming_the_field(db, app, custom_form):
    phone = app.test_client()
    data = {f"q{k}": v for k, v in _valid(custom_form).items()}
    data[f"q{qid(custom_form, 4)}"] = "nul\x00here"

    response = phone.post(f"/e/{custom_form.token}", data=data)

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"q{qid(custom_form, 4)}" in page and "U+0000" in page
    assert store.count(custom_form.id) == 0


def test_tabs_and_line_breaks_stay_as_typed(db, app, custom_form, make_phone):
    typed = "first line\r\n\tindented second\nthird"
    phone = app.test_client()
    data = {f"q{k}": v for k, v in _valid(custom_form).items()}
    data[f"q{qid(custom_form, 4)}"] = typed

    assert phone.post(f"/e/{custom_form.token}", data=data).status_code == 303
    api = make_phone("phone-0000000000000002").answer(
        custom_form.token, _valid(custom_form) | {qid(custom_form, 4): typed}
    )

    assert api.status_code == 201
    texts = [a.text for r in store.responses(custom_form.id) for a in r.answers if a.text]
    assert texts == [typed, typed]


def test_a_query_string_with_a_control_character_is_refused(client):
    response = client.get("/calendar?theme=a%00b")

    assert response.status_code == 400 and "theme" in response.get_data(as_text=True)


def test_a_leader_form_with_nul_gets_400_and_stores_nothing(
    db, leader_client, make_project, leader
):
    from workshops.businesses.models import Business

    make_project("fjord", leaders=[leader])

    response = leader_client.post(
        "/projects/fjord/businesses/new", data={"name": "Nul\x00AS", "sector": "55.10"}
    )

    assert response.status_code == 400 and "name" in response.get_data(as_text=True)
    assert db.session.query(Business).count() == 0


def test_a_csv_cell_with_a_control_character_is_refused_naming_row_and_column(
    db, leader_client, make_project, leader
):
    from workshops.businesses.models import Business

    make_project("fjord", leaders=[leader])
    data = b"name,sector,offers\nAurora,55.10,Kayak\nFjord Inn,55.10,Rooms\x1b[31m\n"

    response = leader_client.post(
        "/projects/fjord/businesses/import",
        data={"file": (io.BytesIO(data), "firms.csv")},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "firms.csv, row 3, column 3" in page and "U+001B" in page
    assert db.session.query(Business).count() == 0


def test_half_a_character_is_found_and_named_apart():
    assert first_control("a\ud800b") == "\ud800" and first_control("\udfff") == "\udfff"
    assert first_control("whole emoji 😀 and ä") is None


def test_a_lone_surrogate_in_an_answer_is_refused_with_422_not_a_server_error(
    db, custom_form, make_phone
):
    answers = _valid(custom_form) | {qid(custom_form, 4): "\ud800 lone"}

    response = make_phone().answer(custom_form.token, answers)

    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "invalid_character"
    assert "U+D800" in body["message"] and f"answers.{qid(custom_form, 4)}" in body["message"]
    assert store.count(custom_form.id) == 0


def test_a_lone_surrogate_in_an_idea_is_refused_and_nothing_is_stored(
    db, client, leader, make_project
):
    from app.db import utcnow
    from workshops.ideas.models import Idea
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder

    project = make_project("surrogat", leaders=[leader], name="Surrogat")
    workshop = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()

    response = client.post(
        f"/api/v1/workshops/{workshop.join_code}/ideas", json={"text": "half \udfff here"}
    )

    assert response.status_code == 422
    assert response.get_json()["error"] == "invalid_character"
    assert db.session.scalar(db.select(db.func.count(Idea.id))) == 0


@pytest.mark.parametrize(
    "body",
    [b"a&" * 2000, b"name=" + b"x" * (1024 * 1024 + 1)],
    ids=["two thousand empty fields", "a megabyte"],
)
def test_an_oversized_form_body_is_refused_before_its_fields_are_read(client, body):
    response = client.post(
        "/login", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )

    assert response.status_code == 413


def test_an_ordinary_form_still_reaches_its_view(client):
    response = client.post(
        "/login",
        data=b"email=someone%40example.org&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 401  # the view read the form: a wrong password
