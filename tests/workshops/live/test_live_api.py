"""The participants' live state API and the phone page."""

from datetime import timedelta

import pytest

from app.db import utcnow
from workshops.live import clock as live
from workshops.live.models import Participant
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=utcnow())
    db.session.commit()
    return workshop


def state(client, code, **headers):
    return client.get(f"/api/v1/workshops/{code}", headers=headers)


def test_state_before_the_start_has_no_step(client, w2):
    response = state(client, w2.join_code)

    assert response.status_code == 200
    body = response.json
    assert (body["status"], body["step"], body["code"]) == ("planned", None, w2.join_code)
    assert set(body) == {"code", "title", "status", "visibility", "server_time", "step", "agenda"}


def test_unchanged_state_answers_304_with_no_body_and_a_small_answer(client, w2):
    first = state(client, w2.join_code)

    again = state(client, w2.join_code, **{"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304
    assert again.data == b""
    header_bytes = sum(len(k) + len(v) + 4 for k, v in again.headers.items())
    assert header_bytes < 1024


def test_a_step_change_changes_the_etag(db, client, w2):
    first = state(client, w2.join_code)
    live.start(w2, utcnow())
    db.session.commit()

    after = state(client, w2.join_code, **{"If-None-Match": first.headers["ETag"]})

    assert after.status_code == 200
    assert after.json["step"]["title"] == w2.steps[0].title
    assert after.json["step"]["tracks"] == []


@pytest.mark.parametrize(("visibility", "expected"), [("open", 8), ("stepwise", 2), ("hidden", 0)])
def test_agenda_reveal_obeys_the_visibility(db, client, w2, visibility, expected):
    w2.visibility = visibility
    live.start(w2, utcnow() - timedelta(minutes=20))
    live.advance(w2, w2.steps[0].id, utcnow())
    db.session.commit()

    agenda = state(client, w2.join_code).json["agenda"]

    assert len(agenda) == expected


def test_codes_are_matched_loosely(client, w2):
    spaced = f"{w2.join_code[:3].lower()}-{w2.join_code[3:].lower()}"

    assert state(client, spaced).status_code == 200
    page = client.get(f"/j/{spaced}")
    assert page.status_code == 301 and page.location.endswith(f"/j/{w2.join_code}")


def test_unknown_code_is_a_json_404_and_a_friendly_page(client):
    api = state(client, "ZZZZZZ")
    page = client.get("/j/ZZZZZZ?lang=en")

    assert (api.status_code, api.json["error"]) == (404, "not_found")
    assert page.status_code == 404
    assert "No workshop has this code" in page.get_data(as_text=True)


def test_closed_workshop_page_says_so_in_the_participants_language(db, client, w2):
    live.start(w2, utcnow())
    live.close(w2, utcnow())
    db.session.commit()

    page = client.get(f"/j/{w2.join_code}", headers={"Accept-Language": "sv"})

    assert page.status_code == 410
    assert '<html lang="sv">' in page.get_data(as_text=True)


def test_visiting_the_phone_page_joins_once_per_device(db, client, w2):
    client.get(f"/j/{w2.join_code}")
    client.get(f"/j/{w2.join_code}")

    participants = db.session.query(Participant).all()
    assert len(participants) == 1
    assert len(participants[0].device) == 40  # a keyed hash, never the cookie itself


def test_fetching_the_link_without_a_cookie_counts_no_one(app, db, w2):
    """Link previews and crawlers fetch the page without cookies and never poll."""
    for _ in range(5):
        page = app.test_client().get(f"/j/{w2.join_code}", headers={"User-Agent": "Preview/1.0"})
        assert page.status_code == 200

    assert db.session.query(Participant).count() == 0


def test_a_phone_counts_once_from_its_first_poll(db, client, w2):
    client.get(f"/j/{w2.join_code}")  # the page sets the device cookie
    assert db.session.query(Participant).count() == 0

    first = state(client, w2.join_code)
    state(client, w2.join_code, **{"If-None-Match": first.headers["ETag"]})
    state(client, w2.join_code)

    assert db.session.query(Participant).count() == 1


def test_a_poll_of_a_closed_workshop_counts_no_one(db, client, w2):
    client.get(f"/j/{w2.join_code}")
    w2.status = "closed"
    db.session.commit()

    state(client, w2.join_code)

    assert db.session.query(Participant).count() == 0


def test_join_api_records_name_business_and_track(db, client, w2):
    w2.steps[2].tracks = [{"key": "g1", "title": "Familier", "prompt": "Hva vil barna gjøre?"}]
    live.start(w2, utcnow())
    live.advance(w2, w2.steps[0].id, utcnow())
    live.advance(w2, w2.steps[1].id, utcnow())
    db.session.commit()

    response = client.post(
        f"/api/v1/workshops/{w2.join_code}/join",
        json={"name": "Åse", "business": "Kvitlia Geitgård", "track": "g1"},
    )
    body = state(client, w2.join_code).json

    assert response.status_code == 200
    assert response.json == {"name": "Åse", "business": "Kvitlia Geitgård", "track": "g1"}
    assert body["step"]["tracks"] == [
        {"key": "g1", "title": "Familier", "prompt": "Hva vil barna gjøre?"}
    ]


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        (
            {"data": "name=x", "content_type": "application/x-www-form-urlencoded"},
            415,
            "unsupported_media_type",
        ),
        ({"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
        ({"json": ["a list"]}, 422, "invalid_body"),
        ({"json": {"name": "x" * 200}}, 422, "invalid_name"),
        ({"json": {"track": "nope"}}, 422, "invalid_track"),
    ],
)
def test_join_api_bad_input_is_a_clear_json_error_and_changes_nothing(
    db, client, w2, kwargs, status, code
):
    response = client.post(f"/api/v1/workshops/{w2.join_code}/join", **kwargs)

    assert (response.status_code, response.json["error"]) == (status, code)
    assert db.session.query(Participant).filter(Participant.name != "").count() == 0


def test_x_device_header_makes_one_device_without_cookies(db, app, w2):
    client = app.test_client(use_cookies=False)
    headers = {"X-Device": "script-device-0001"}

    client.post(f"/api/v1/workshops/{w2.join_code}/join", json={"name": "A"}, headers=headers)
    client.post(f"/api/v1/workshops/{w2.join_code}/join", json={"name": "B"}, headers=headers)

    assert [p.name for p in db.session.query(Participant)] == ["B"]


def test_openapi_lists_the_live_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]

    assert "/workshops/{code}" in paths and "/workshops/{code}/join" in paths


def test_an_unchanged_poll_does_no_session_language_or_template_work(app, client, w2):
    from flask import template_rendered

    first = state(client, w2.join_code, **{"X-Device": "d" * 20})
    babel = app.extensions["babel"]
    work = []
    choose = babel.locale_selector
    babel.locale_selector = lambda: work.append("language") or choose()
    loader = app.login_manager._user_callback
    app.login_manager._user_callback = lambda user_id: work.append("user") or loader(user_id)
    signer = app.session_interface.get_signing_serializer
    app.session_interface.get_signing_serializer = lambda a: work.append("session") or signer(a)
    template_rendered.connect(lambda *_a, **_k: work.append("template"), app, weak=False)
    try:
        again = state(
            client, w2.join_code, **{"X-Device": "d" * 20, "If-None-Match": first.headers["ETag"]}
        )
    finally:
        babel.locale_selector = choose
        app.login_manager._user_callback = loader
        del app.session_interface.get_signing_serializer

    assert again.status_code == 304
    assert work == []


def test_the_phone_form_saves_a_name_and_business_where_the_workshop_has_no_groups(db, client, w2):
    client.get(f"/j/{w2.join_code}")  # the phone opens the page: its device cookie

    # The page shows no group field without groups, so the browser sends none.
    response = client.post(
        f"/j/{w2.join_code}/join", data={"name": "Kari", "business": "Slusedal Kajakk"}
    )

    assert response.status_code == 302
    participant = db.session.scalars(db.select(Participant)).one()
    assert (participant.name, participant.business_name) == ("Kari", "Slusedal Kajakk")
    page = client.get(response.location)
    assert "Please check what you wrote" not in page.get_data(as_text=True)


def test_a_closed_workshops_page_looks_again_and_still_leads_to_its_open_evaluation(db, client, w2):
    from evaluations import live as evaluation_step

    live.start(w2, utcnow())
    form = evaluation_step.ensure_open(w2, utcnow())
    live.close(w2, utcnow())
    db.session.commit()

    page = client.get(f"/j/{w2.join_code}", headers={"Accept-Language": "en"})
    html = page.get_data(as_text=True)

    assert page.status_code == 410
    assert "js/closed.js" in html  # reopened: the page asks and goes back to the workshop
    assert f'href="/e/{form.token}"' in html
    assert "Answer the evaluation" in html

    form.status = "closed"
    db.session.commit()
    assert "Answer the evaluation" not in client.get(f"/j/{w2.join_code}").get_data(as_text=True)
