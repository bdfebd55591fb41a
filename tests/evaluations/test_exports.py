"""The per-response exports follow the results page's rule: leaders only, nothing under five."""

import csv
import io
import zipfile
from datetime import date

import openpyxl
import pytest

from app.extensions import db as _db
from evaluations import responses, store
from tests.conftest import login
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db

DAY = date(2027, 2, 3)


def _answer(form, n: int, *, day: date = DAY, text: str | None = None) -> None:
    answers = {
        qid(form, 0): option_id(form, 0, n % 3),
        qid(form, 1): option_id(form, 1, n % 2),
        qid(form, 2): 1 + n % 5,
        qid(form, 3): [option_id(form, 3, n % 3)],
    }
    if text:
        answers[qid(form, 4)] = text
    checked, problems = responses.check(form, answers)
    assert problems == []
    responses.submit(form, checked, f"device-{n:04d}-exports-abcdef", day)
    _db.session.commit()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


@pytest.fixture
def viewer_client(app, make_user, project):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    _db.session.commit()
    client = app.test_client()
    login(client, viewer.email)
    return client


def test_a_form_with_four_responses_exports_no_rows_and_the_page_says_why(
    leader_client, custom_form
):
    for n in range(4):
        _answer(custom_form, n)
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"

    downloads = [leader_client.get(f"{base}/export.{ext}?lang=en") for ext in ("csv", "xlsx")]
    results = leader_client.get(f"{base}/results?lang=en").get_data(as_text=True)
    form_page = leader_client.get(f"{base}?lang=en").get_data(as_text=True)

    assert [(r.status_code, r.location) for r in downloads] == [(303, f"{base}/results")] * 2
    why = "can be downloaded one response per row once the form has 5 responses"
    assert why in results and why in form_page
    assert "export.csv" not in results and "export.xlsx" not in form_page


def test_viewers_get_the_results_and_charts_but_not_the_rows(viewer_client, custom_form):
    for n in range(6):
        _answer(custom_form, n)
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"

    rows = [viewer_client.get(f"{base}/export.{ext}").status_code for ext in ("csv", "xlsx")]
    page = viewer_client.get(f"{base}/results?lang=en").get_data(as_text=True)
    archive = zipfile.ZipFile(io.BytesIO(viewer_client.get(f"{base}/charts.zip").data))

    assert rows == [403, 403]
    assert "Only the project&#39;s leaders can download the answers one response per row." in page
    assert "export.csv" not in page and "charts.zip" in page
    assert len(archive.namelist()) == 4


def test_a_question_answered_by_fewer_than_five_stays_empty_in_the_export(
    leader_client, custom_form
):
    for n in range(6):
        _answer(custom_form, n, text="Only a few wrote this" if n < 4 else None)

    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"
    rows = _csv(leader_client.get(f"{base}/export.csv?lang=en"))
    sheet = openpyxl.load_workbook(io.BytesIO(leader_client.get(f"{base}/export.xlsx").data)).active

    assert rows[0][5] == "Anything else? (Too few answers to show)"
    assert len(rows) == 7 and [row[5] for row in rows[1:]] == [""] * 6
    assert all(row[1] and row[4] for row in rows[1:])  # the other questions are there
    assert [row[5] for row in sheet.iter_rows(min_row=2, values_only=True)] == [None] * 6


def test_exported_rows_carry_no_id_no_time_and_not_the_order_of_answering(
    leader_client, custom_form, monkeypatch
):
    # Ids that sort against the order of arrival: the rows must not come in arrival order.
    ids = iter(f"{n:032x}" for n in range(99, 90, -1))
    monkeypatch.setattr(responses, "new_response_id", lambda: next(ids))
    for n in range(6):
        _answer(custom_form, n)
    stored = store.responses(custom_form.id)

    text = leader_client.get(
        f"/projects/kanalbyen/evaluations/{custom_form.id}/export.csv?lang=en"
    ).get_data(as_text=True)
    rows = _csv(leader_client.get(f"/projects/kanalbyen/evaluations/{custom_form.id}/export.csv"))

    assert not [r.id for r in stored if r.id in text]
    assert {row[0] for row in rows[1:]} == {"2027-02-03"}  # the date, nothing finer
    assert [row[3] for row in rows[1:]] != [str(1 + n % 5) for n in range(6)]
    assert [row[3] for row in rows[1:]] == [str(1 + n % 5) for n in range(5, -1, -1)]


def test_dates_are_left_out_when_a_day_had_fewer_than_five_responses(leader_client, custom_form):
    for n in range(5):
        _answer(custom_form, n)
    _answer(custom_form, 5, day=date(2027, 2, 4))  # the one who answered the day after

    rows = _csv(leader_client.get(f"/projects/kanalbyen/evaluations/{custom_form.id}/export.csv"))

    assert [row[0] for row in rows[1:]] == [""] * 6
    assert all(row[1] for row in rows[1:])


def test_charts_zip_without_charts_says_why_instead_of_an_empty_zip(leader_client, custom_form):
    for n in range(3):
        _answer(custom_form, n)
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"

    response = leader_client.get(f"{base}/charts.zip?lang=en")
    page = leader_client.get(response.location + "?lang=en").get_data(as_text=True)

    assert (response.status_code, response.location) == (303, f"{base}/results")
    message = "There are no charts to download: no question has enough answers to show yet."
    assert page.count(message) == 2  # the flash and the note where the button would be
    assert "charts.zip" not in page
