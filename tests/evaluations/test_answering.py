"""Answering a form on a phone: the API and the plain HTML page, bad input, one per device."""

import json
import os
import re
import threading
import urllib.error
import urllib.request

import pytest

from evaluations import builder, store
from evaluations.models import ReceiptSet
from tests.conftest import make_app
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db


def _responses() -> list[store.StoredResponse]:
    return [r for found in store.by_form().values() for r in found]


def _stored(db) -> tuple[int, int, int]:
    return (
        len(_responses()),
        sum(len(r.answers) for r in _responses()),
        sum(len(s.members()) for s in db.session.query(ReceiptSet)),
    )


def _good(form) -> dict:
    return {
        qid(form, 0): option_id(form, 0, 1),
        qid(form, 1): option_id(form, 1, 0),
        qid(form, 2): 4,
        qid(form, 3): [option_id(form, 3, 0), option_id(form, 3, 2)],
        qid(form, 4): "  More <b>coffee</b>  ",
    }


def test_form_json_lists_every_question_type_with_string_ids(custom_form, make_phone):
    body = make_phone().get(custom_form.token, **{"Accept-Language": "en"}).json

    assert body["title"] == "Kort evaluering"
    assert body["status"] == "open"
    assert [q["type"] for q in body["questions"]] == [
        "single",
        "yesno",
        "scale",
        "multiple",
        "text",
    ]
    assert all(isinstance(q["id"], str) for q in body["questions"])
    scale = body["questions"][2]
    assert [o["id"] for o in scale["options"]] == ["1", "2", "3", "4", "5"]
    assert scale["options"][4]["text"] == "Very useful"
    assert body["questions"][3]["max_choices"] == 2
    assert "max_choices" not in body["questions"][0]


def test_each_question_type_is_stored_as_answered(db, custom_form, make_phone):
    response = make_phone().answer(custom_form.token, _good(custom_form))

    assert response.status_code == 201
    (stored,) = store.responses(custom_form.id)
    options = {o.id: o.key for q in custom_form.questions for o in q.options}
    assert [(a.question_id, options.get(a.option_id), a.text) for a in stored.answers] == [
        (custom_form.questions[0].id, "o2", None),
        (custom_form.questions[1].id, "yes", None),
        (custom_form.questions[2].id, "4", None),
        (custom_form.questions[3].id, "o1", None),
        (custom_form.questions[3].id, "o3", None),
        (custom_form.questions[4].id, None, "More <b>coffee</b>"),
    ]


def test_scale_accepts_its_option_id_and_the_point_as_string(db, custom_form, make_phone):
    answers = _good(custom_form) | {qid(custom_form, 2): "2"}

    assert make_phone().answer(custom_form.token, answers).status_code == 201
    (stored,) = store.responses(custom_form.id)
    (chosen,) = [a for a in stored.answers if a.question_id == custom_form.questions[2].id]
    assert db.session.get(type(custom_form.questions[2].options[0]), chosen.option_id).key == "2"


def test_optional_question_may_be_left_out(db, custom_form, make_phone):
    answers = _good(custom_form)
    del answers[qid(custom_form, 4)]

    assert make_phone().answer(custom_form.token, answers).status_code == 201


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda f, a: a.pop(qid(f, 1)), "Did you enjoy it?"),
        (lambda f, a: a.update({qid(f, 0): "999999"}), "Which track?"),
        (lambda f, a: a.update({qid(f, 2): 7}), "How useful?"),
        (lambda f, a: a.update({qid(f, 2): True}), "How useful?"),
        (
            lambda f, a: a.update({qid(f, 3): [option_id(f, 3, i) for i in range(3)]}),
            "What helped?",
        ),
        (lambda f, a: a.update({qid(f, 4): "x" * 2001}), "Anything else?"),
        (lambda f, a: a.update({qid(f, 4): ["not", "text"]}), "Anything else?"),
        (lambda f, a: a.update({"123456": "1"}), "question this form does not have"),
    ],
    ids=["missing", "unknown-option", "scale-7", "bool", "too-many", "long", "list-text", "alien"],
)
def test_bad_answers_are_refused_naming_the_question_and_nothing_is_stored(
    db, custom_form, make_phone, change, fragment
):
    answers = _good(custom_form)
    change(custom_form, answers)

    response = make_phone().answer(custom_form.token, answers, **{"Accept-Language": "en"})

    assert response.status_code == 422
    assert response.json["error"] == "invalid_answers"
    assert fragment in response.json["message"]
    assert _stored(db) == (0, 0, 0)


def test_answers_that_are_not_an_object_are_refused(db, custom_form, make_phone):
    phone = make_phone()
    response = phone.client.post(
        f"/api/v1/evaluations/{custom_form.token}",
        json={"answers": ["a"]},
        headers=phone.headers,
    )

    assert (response.status_code, response.json["error"]) == (422, "invalid_answers")


def test_second_response_from_the_same_device_is_refused(db, custom_form, make_phone):
    phone = make_phone()
    first = phone.answer(custom_form.token, _good(custom_form))
    second = phone.answer(custom_form.token, _good(custom_form), **{"Accept-Language": "en"})

    assert first.status_code == 201
    assert (second.status_code, second.json["error"]) == (409, "already_answered")
    assert "already answered" in second.json["message"]
    assert _stored(db)[0] == 1


def test_another_device_may_answer(db, custom_form, make_phone):
    make_phone("phone-aaaaaaaaaaaaaaaa").answer(custom_form.token, _good(custom_form))
    response = make_phone("phone-bbbbbbbbbbbbbbbb").answer(custom_form.token, _good(custom_form))

    assert response.status_code == 201
    assert _stored(db)[0] == 2


def test_closed_form_is_refused_and_draft_or_forged_token_is_not_found(
    db, custom_form, project, make_phone
):
    builder.set_status(custom_form, "close")
    draft = builder.empty(project, "Draft")
    db.session.commit()
    phone = make_phone()

    closed = phone.answer(custom_form.token, _good(custom_form), **{"Accept-Language": "en"})
    assert (closed.status_code, closed.json["error"]) == (409, "form_closed")
    assert phone.get(custom_form.token).status_code == 200
    for token in (draft.token, custom_form.token[:-1] + "x", "x" * 300):
        response = phone.answer(token, {})
        assert (response.status_code, response.json["error"]) == (404, "not_found")
    assert _stored(db) == (0, 0, 0)


def test_a_form_closed_after_answers_came_refuses_the_next_on_the_api_and_the_page(
    db, client, custom_form, make_phone
):
    # The first answer leaves the open form in answering()'s copy (PostgreSQL); closing it must
    # still refuse the next answers, good or bad, on both paths, and store nothing more.
    assert (
        make_phone("phone-closing-0000000000001")
        .answer(custom_form.token, _good(custom_form))
        .status_code
        == 201
    )
    builder.set_status(custom_form, "close")
    db.session.commit()

    good = make_phone("phone-closing-0000000000002").answer(custom_form.token, _good(custom_form))
    bad = make_phone("phone-closing-0000000000003").answer(
        custom_form.token, {qid(custom_form, 2): 9}
    )
    page = client.post(f"/e/{custom_form.token}?lang=en", data=_fields(custom_form))

    assert (good.status_code, good.json["error"]) == (409, "form_closed")
    assert (bad.status_code, bad.json["error"]) == (409, "form_closed")
    assert page.status_code == 409 and "This form is closed" in page.get_data(as_text=True)
    assert _stored(db)[0] == 1
    builder.set_status(custom_form, "open")
    db.session.commit()
    reopened = make_phone("phone-closing-0000000000004").answer(
        custom_form.token, _good(custom_form)
    )
    assert reopened.status_code == 201, reopened.json
    assert _stored(db)[0] == 2


def test_a_response_is_stored_on_the_day_it_is_where_the_project_is(
    db, custom_form, project, make_phone
):
    from datetime import UTC, datetime, timedelta

    project.timezone = "Pacific/Kiritimati"  # UTC+14: often another day than in UTC
    db.session.commit()

    assert make_phone().answer(custom_form.token, _good(custom_form)).status_code == 201

    (stored,) = _responses()
    here = datetime.now(UTC) + timedelta(hours=14)
    assert stored.submitted_on in {here.date(), (here - timedelta(minutes=1)).date()}


def test_api_takes_json_only(custom_form, make_phone):
    phone = make_phone()
    response = phone.client.post(
        f"/api/v1/evaluations/{custom_form.token}", data="answers=1", headers=phone.headers
    )

    assert (response.status_code, response.json["error"]) == (415, "unsupported_media_type")


def test_errors_come_in_the_respondents_language(custom_form, form_a, make_phone):
    answers = {qid(form_a, 1): 9}

    nb = make_phone("phone-nb00000000000001").answer(form_a.token, answers)
    en = make_phone("phone-en00000000000001").answer(
        form_a.token, answers, **{"Accept-Language": "en-GB"}
    )

    def message(response, question):
        return next(p["message"] for p in response.json["problems"] if p["question"] == question)

    assert message(nb, qid(form_a, 1)).startswith("«Hvor nyttig var workshopen?»")
    assert (
        message(en, qid(form_a, 1))
        == "«How useful was this workshop?»: Choose a value from 1 to 5."
    )


def test_form_a_is_shown_in_the_respondents_language_with_the_forms_as_fallback(form_a, make_phone):
    sv = make_phone().get(form_a.token, **{"Accept-Language": "sv-SE"}).json
    de = make_phone().get(form_a.token, **{"Accept-Language": "de-DE"}).json

    assert sv["questions"][1]["text"] == "Hur användbar var workshoppen?"
    assert de["questions"][1]["text"] == "Hvor nyttig var workshopen?"


# ---- the HTML page, without JavaScript -----------------------------------------------------


def _fields(form) -> dict:
    return {
        f"q{form.questions[0].id}": option_id(form, 0, 0),
        f"q{form.questions[1].id}": option_id(form, 1, 1),
        f"q{form.questions[2].id}": "5",
        f"q{form.questions[3].id}": [option_id(form, 3, 1)],
        f"q{form.questions[4].id}": "",
    }


def test_page_shows_every_question_and_sets_the_device_cookie(client, custom_form):
    response = client.get(f"/e/{custom_form.token}", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)

    assert response.status_code == 200
    assert "kv_device=" in response.headers.get("Set-Cookie", "")
    for text in ("Which track?", "Did you enjoy it?", "How useful?", "Very useful", "What helped?"):
        assert text in page
    assert 'type="checkbox"' in page and 'type="radio"' in page and "<textarea" in page


def test_page_post_stores_a_response_and_thanks(db, client, custom_form):
    client.get(f"/e/{custom_form.token}")

    response = client.post(f"/e/{custom_form.token}", data=_fields(custom_form))

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/e/{custom_form.token}/thanks")
    assert _stored(db)[:1] == (1,)
    again = client.get(f"/e/{custom_form.token}?lang=en").get_data(as_text=True)
    assert "You have already answered" in again


def test_page_post_with_errors_keeps_the_answers_and_stores_nothing(db, client, custom_form):
    fields = _fields(custom_form)
    del fields[f"q{custom_form.questions[1].id}"]
    fields[f"q{custom_form.questions[2].id}"] = "7"

    response = client.post(f"/e/{custom_form.token}?lang=en", data=fields)
    page = response.get_data(as_text=True)

    assert response.status_code == 422
    assert "Please answer this question." in page
    assert "Choose a value from 1 to 5." in page
    assert f'value="{option_id(custom_form, 0, 0)}" checked' in page
    assert _stored(db) == (0, 0, 0)


def test_page_of_a_closed_form_says_so(client, custom_form, db):
    builder.set_status(custom_form, "close")
    db.session.commit()

    response = client.post(f"/e/{custom_form.token}?lang=en", data=_fields(custom_form))

    assert response.status_code == 409
    assert "This form is closed" in response.get_data(as_text=True)
    assert client.get("/e/not-a-token").status_code == 404


def test_page_post_needs_the_csrf_token(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db

        db.session.remove()
        db.drop_all()
        db.create_all()
        from workshops.projects import service as projects

        project = projects.create(projects.ProjectData(slug="csrf", name="Csrf"))
        form = builder.empty(project, "T")
        builder.add_question(form, "yesno", "Ok?", required=True)
        builder.set_status(form, "open")
        db.session.commit()
        token, field = form.token, f"q{form.questions[0].id}"
        yes = str(form.questions[0].options[0].id)
        client = app.test_client()
        page = client.get(f"/e/{token}").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)

        refused = client.post(f"/e/{token}", data={field: yes})
        accepted = client.post(f"/e/{token}", data={field: yes, "csrf_token": csrf})

        assert (refused.status_code, accepted.status_code) == (400, 303)
        assert store.count(form.id) == 1
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


# ---- one response per device, under parallel requests --------------------------------------


@pytest.mark.slow
def test_parallel_double_submit_from_one_device_stores_one_response(tmp_path):
    from werkzeug.serving import make_server

    # A file database (or the PostgreSQL of the db run): real connections in several threads.
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path}/race.sqlite3"
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        from app.extensions import db
        from workshops.projects import service as projects

        db.session.remove()
        db.drop_all()
        db.create_all()
        project = projects.create(projects.ProjectData(slug="race", name="Race"))
        form = builder.empty(project, "Race")
        builder.add_question(form, "scale", "How?", required=True)
        builder.set_status(form, "open")
        db.session.commit()
        token, question = form.token, str(form.questions[0].id)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/evaluations/{token}"
    statuses: list[int] = []
    barrier = threading.Barrier(8)

    def send(device: str) -> None:
        barrier.wait()
        request = urllib.request.Request(
            url,
            data=json.dumps({"answers": {question: 3}}).encode(),
            headers={"X-Device": device, "Content-Type": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:  # noqa: S310 - local
                statuses.append(reply.status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)

    try:
        senders = [threading.Thread(target=send, args=("same-device-123456789",)) for _ in range(6)]
        senders += [
            threading.Thread(target=send, args=(f"other-device-{n}-123456",)) for n in (1, 2)
        ]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join()
    finally:
        server.shutdown()
        thread.join(timeout=5)
    with app.app_context():
        from app.extensions import db

        assert sorted(statuses) == [201, 201, 201, 409, 409, 409, 409, 409]
        assert len(_responses()) == 3
        assert sum(len(s.members()) for s in db.session.query(ReceiptSet)) == 3
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def test_the_thanks_page_leads_back_to_the_running_workshop_only(db, client, workshop, form_a):
    thanks = client.get(f"/e/{form_a.token}/thanks?lang=en").get_data(as_text=True)
    assert "Back to the workshop" not in thanks  # planned, not running: nowhere to go back to

    workshop.status = "live"
    db.session.commit()
    thanks = client.get(f"/e/{form_a.token}/thanks?lang=en").get_data(as_text=True)
    assert f'href="/j/{workshop.join_code}"' in thanks

    workshop.status = "closed"
    db.session.commit()
    thanks = client.get(f"/e/{form_a.token}/thanks?lang=en").get_data(as_text=True)
    assert "Back to the workshop" not in thanks
