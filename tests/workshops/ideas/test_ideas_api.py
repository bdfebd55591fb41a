"""Posting ideas: kept exactly as typed, acknowledged only when stored, never twice."""

import threading
from datetime import timedelta

import pytest

from app.db import utcnow
from workshops.ideas.models import Idea
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[klikk](javascript:alert(1))",
    "\u202eevil\u202c reversed",
    "zero\u200bwidth\u200d joiner",
    "Sámi: Áltá, čálli, ŋ · Suomi: Hyvää päivää · 🚣‍♀️🏕️\nand a new line",
    '=HYPERLINK("http://x")',
]


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def post(client, code, text, key=None, **extra):
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/workshops/{code}/ideas", json={"text": text, **extra}, headers=headers
    )


def test_idea_is_stored_in_the_current_step_and_acknowledged_with_its_id(db, client, w2):
    response = post(client, w2.join_code, "Sauna boat", "key-00000001")

    assert response.status_code == 201
    assert set(response.json) == {"id", "created_at"} and response.json["created_at"].endswith("Z")
    idea = db.session.get(Idea, response.json["id"])
    assert (idea.text, idea.step_id) == ("Sauna boat", w2.steps[0].id)


def test_retried_idea_with_same_key_is_stored_once(client, w2):
    url = f"/api/v1/workshops/{w2.join_code}/ideas"
    send = {"json": {"text": "Sauna boat"}, "headers": {"Idempotency-Key": "k1-abcdefgh"}}

    first, second = client.post(url, **send), client.post(url, **send)

    assert (first.status_code, second.status_code, second.json) == (201, 201, first.json)
    assert [idea["text"] for idea in client.get(url).json["ideas"]] == ["Sauna boat"]


def test_same_key_with_other_text_is_a_conflict(client, w2):
    post(client, w2.join_code, "Sauna boat", "key-00000001")

    response = post(client, w2.join_code, "Something else", "key-00000001")

    assert (response.status_code, response.json["error"]) == (409, "idempotency_conflict")


def test_two_devices_may_use_the_same_key(app, db, w2):
    a, b = app.test_client(), app.test_client()

    post(a, w2.join_code, "From A", "same-key-123")
    post(b, w2.join_code, "From B", "same-key-123")

    assert sorted(i.text for i in db.session.query(Idea)) == ["From A", "From B"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_and_listed_exactly_as_typed(client, w2, text):
    post(client, w2.join_code, text, "key-hostile-1")

    listed = client.get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"]

    assert listed[0]["text"] == text


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ({"text": ""}, {}, 422, "invalid_text"),
        ({"text": "   \n\t "}, {}, 422, "invalid_text"),
        ({"text": "\u200b"}, {}, 422, "invalid_text"),  # a zero-width space: shows nothing
        ({"text": " \u200d\ufeff\u2060\n"}, {}, 422, "invalid_text"),
        # Drawn as nothing: accents on no letter, Hangul fillers, the blank Braille pattern,
        # variation selectors and the combining grapheme joiner.
        ({"text": "\u0301\u0301\u0301\u0301"}, {}, 422, "invalid_text"),
        ({"text": "\u3164\u3164"}, {}, 422, "invalid_text"),
        ({"text": "\u2800 \u2800"}, {}, 422, "invalid_text"),
        ({"text": "\ufe0f\ufe0f"}, {}, 422, "invalid_text"),
        ({"text": "\u115f\u1160\u034f"}, {}, 422, "invalid_text"),
        ({"text": "x" * 2001}, {}, 422, "invalid_text"),
        ({"text": 42}, {}, 422, "invalid_text"),
        ({}, {}, 422, "invalid_text"),
        ({"text": "ok"}, {"Idempotency-Key": "short"}, 422, "invalid_idempotency_key"),
        ({"text": "ok", "name": "x" * 121}, {}, 422, "invalid_name"),
    ],
)
def test_bad_ideas_get_a_clear_error_and_nothing_is_stored(
    db, client, w2, body, headers, status, code
):
    response = client.post(f"/api/v1/workshops/{w2.join_code}/ideas", json=body, headers=headers)

    assert (response.status_code, response.json["error"]) == (status, code)
    assert response.json["message"]
    assert db.session.query(Idea).count() == 0


def test_a_visible_text_with_an_invisible_character_is_kept_as_typed(db, client, w2):
    text = "Båttur\u200b + middag 👨\u200d👩\u200d👧"

    assert post(client, w2.join_code, text).status_code == 201
    assert db.session.query(Idea.text).scalar() == text


def test_exactly_2000_characters_are_accepted(client, w2):
    assert post(client, w2.join_code, "å" * 2000).status_code == 201


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("{broken", "application/json", 400, "invalid_json"),
        ("text=hi", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ('{"text": "' + "x" * 70_000 + '"}', "application/json", 413, "request_entity_too_large"),
    ],
)
def test_malformed_requests_are_refused(db, client, w2, data, content_type, status, code):
    response = client.post(
        f"/api/v1/workshops/{w2.join_code}/ideas", data=data, content_type=content_type
    )

    assert (response.status_code, response.json["error"]) == (status, code)
    assert db.session.query(Idea).count() == 0


def test_unknown_and_closed_workshops_refuse_ideas(db, client, w2):
    unknown = post(client, "ZZZZZZ", "hi")
    live.close(w2, utcnow())
    db.session.commit()
    closed = post(client, w2.join_code, "hi")

    assert (unknown.status_code, unknown.json["error"]) == (404, "not_found")
    assert (closed.status_code, closed.json["error"]) == (409, "workshop_closed")


def test_ideas_are_accepted_before_the_start_without_a_step(db, client, leader, make_project):
    project = make_project("other", leaders=[leader])
    workshop = programme_builder.add_workshop(project, template="W1")
    db.session.commit()

    response = post(client, workshop.join_code, "Early bird")

    assert response.status_code == 201
    assert db.session.get(Idea, response.json["id"]).step_id is None


def test_a_flooding_device_is_slowed_but_another_device_is_not(app, client, w2):
    statuses = [post(client, w2.join_code, f"idea {n}").status_code for n in range(11)]
    other = post(app.test_client(), w2.join_code, "from a neighbour")

    assert statuses[:10] == [201] * 10
    assert statuses[10] == 429
    assert other.status_code == 201


def test_rate_limit_answer_has_retry_after(client, w2):
    for n in range(10):
        post(client, w2.join_code, f"idea {n}")

    response = post(client, w2.join_code, "one too many")

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_a_retry_of_a_stored_idea_is_answered_even_when_rate_limited(client, w2):
    first = post(client, w2.join_code, "idea 0", "key-retry-00")
    for n in range(1, 10):
        post(client, w2.join_code, f"idea {n}")

    retry = post(client, w2.join_code, "idea 0", "key-retry-00")

    assert (retry.status_code, retry.json) == (201, first.json)


def test_many_phones_behind_one_address_are_not_limited(app, w2):
    phones = [app.test_client() for _ in range(30)]

    statuses = [
        post(phone, w2.join_code, f"idea {n}", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
        for n, phone in enumerate(phones)
    ]

    assert statuses == [201] * 30


def test_list_is_newest_first_and_hides_hidden_ideas(db, client, w2):
    for n in range(3):
        post(client, w2.join_code, f"idea {n}")
    hidden = db.session.query(Idea).filter_by(text="idea 1").one()
    hidden.hidden_at = utcnow()
    db.session.commit()

    listed = [
        i["text"] for i in client.get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"]
    ]

    assert listed == ["idea 2", "idea 0"]


def test_idea_list_answers_304_until_something_changes(client, w2):
    first = client.get(f"/api/v1/workshops/{w2.join_code}/ideas")
    same = client.get(
        f"/api/v1/workshops/{w2.join_code}/ideas", headers={"If-None-Match": first.headers["ETag"]}
    )
    post(client, w2.join_code, "new")
    changed = client.get(
        f"/api/v1/workshops/{w2.join_code}/ideas", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert (same.status_code, changed.status_code) == (304, 200)


def test_parallel_retries_of_one_idea_store_it_once(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/p.sqlite3")
    with app.app_context():
        from app.extensions import db
        from workshops.projects import service as projects

        db.create_all()
        project = projects.create(projects.ProjectData(slug="pp", name="P"))
        workshop = programme_builder.add_workshop(project, template="W1")
        db.session.commit()
        code = workshop.join_code
    results = []

    def send():
        client = app.test_client()
        response = client.post(
            f"/api/v1/workshops/{code}/ideas",
            json={"text": "once"},
            headers={"Idempotency-Key": "parallel-key-1", "X-Device": "the-same-phone-0001"},
        )
        results.append((response.status_code, response.json.get("id")))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.app_context():
        assert db.session.query(Idea).count() == 1
        db.session.remove()
        db.drop_all()
    assert {status for status, _ in results} == {201}
    assert len({idea_id for _, idea_id in results}) == 1


def test_typed_in_time_order_for_the_rate_window(db, client, w2):
    from workshops.ideas import capture as ideas

    device = "d" * 40
    for n in range(10):
        ideas.submit(w2.join_code, f"old {n}", device=device, now=utcnow() - timedelta(seconds=30))

    stored = ideas.submit(w2.join_code, "new", device=device)

    assert stored.id


def test_a_connection_the_database_ended_answers_503_and_the_retry_is_stored(db, client, w2):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL ends connections; SQLite has none")
    import psycopg

    code = w2.join_code
    assert post(client, code, "Før", key="before-restart-01").status_code == 201
    # As a restarting server does: end every connection of the app's pool.
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as outside:
        outside.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

    lost = post(client, code, "Under", key="during-restart-1")
    again = post(client, code, "Under", key="during-restart-1")

    assert lost.status_code == 503 and lost.headers["Retry-After"] == "2"
    assert lost.json["error"] == "unavailable"
    assert again.status_code == 201
    assert [i.text for i in db.session.query(Idea).order_by(Idea.id)] == ["Før", "Under"]


def test_an_idle_pooled_connection_is_checked_so_a_restart_in_between_costs_no_error(
    db, client, w2, monkeypatch
):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL ends connections; SQLite has none")
    import importlib

    import psycopg

    app_db = importlib.import_module(
        "app.db"
    )  # the module (`app.db` the attribute is the extension)
    code = w2.join_code
    assert post(client, code, "Før pausen", key="before-pause-0001").status_code == 201
    monkeypatch.setattr(app_db, "IDLE_PING_SECONDS", 0.0)  # every pooled connection counts as idle
    url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as outside:
        outside.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )

    after = post(client, code, "Etter pausen", key="after-pause-00001")

    assert after.status_code == 201


@pytest.mark.parametrize("text", ["é", "e\u0301", "\u3164a", "😀\ufe0f", "한", "\u2800x", "ـ"])
def test_a_text_with_something_drawn_is_kept_as_typed(db, client, w2, text):
    response = client.post(f"/api/v1/workshops/{w2.join_code}/ideas", json={"text": text})

    assert response.status_code == 201
    assert db.session.get(Idea, response.json["id"]).text == text
