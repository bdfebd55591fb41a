"""The ideas list with a cursor: a client that keeps its list fetches only what changed."""

import json

import pytest

from app.db import utcnow
from workshops.ideas import capture, votes
from workshops.ideas.models import Idea
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def add(client, workshop, text):
    return client.post(f"/api/v1/workshops/{workshop.join_code}/ideas", json={"text": text}).json[
        "id"
    ]


def listed(client, workshop, since=None, etag=None):
    url = f"/api/v1/workshops/{workshop.join_code}/ideas"
    headers = {"If-None-Match": etag} if etag else {}
    return client.get(url, query_string={"since": since} if since else {}, headers=headers)


def test_without_a_cursor_every_visible_idea_comes_newest_first(client, w2):
    for text in ("first", "second", "third"):
        add(client, w2, text)

    body = listed(client, w2).json

    assert body["full"] is True and body["cursor"]
    assert [i["text"] for i in body["ideas"]] == ["third", "second", "first"]
    assert set(body["ideas"][0]) <= {"id", "text", "created_at", "step", "theme", "track", "votes"}


def test_with_a_cursor_only_the_new_idea_comes(client, w2):
    for n in range(40):
        capture.submit(w2.join_code, f"idea {n} " + "x" * 150, device=f"device-{n}")
    first = listed(client, w2).json
    add(client, w2, "the new one")

    second = listed(client, w2, since=first["cursor"])

    assert second.json["full"] is False
    assert [i["text"] for i in second.json["ideas"]] == ["the new one"]
    assert len(second.data) < 400 < len(json.dumps(first))
    assert second.json["cursor"] != first["cursor"]


def test_unchanged_list_is_304_and_an_empty_change_set_is_small(client, w2):
    add(client, w2, "one")
    first = listed(client, w2)

    same = listed(client, w2, since=first.json["cursor"], etag=first.headers["ETag"])
    again = listed(client, w2, since=first.json["cursor"])

    assert same.status_code == 304
    assert (again.json["full"], again.json["ideas"]) == (False, [])


def test_a_hidden_idea_comes_as_a_hidden_marker_and_comes_back_when_shown(db, client, w2, leader):
    keep, hide = add(client, w2, "keep"), add(client, w2, "hide me")
    cursor = listed(client, w2).json["cursor"]

    capture.set_hidden(db.session.get(Idea, hide), True, leader.id, utcnow())
    db.session.commit()
    hidden = listed(client, w2, since=cursor).json
    capture.set_hidden(db.session.get(Idea, hide), False, leader.id, utcnow())
    db.session.commit()
    shown = listed(client, w2, since=hidden["cursor"]).json

    assert (hidden["full"], hidden["ideas"]) == (False, [{"id": hide, "hidden": True}])
    assert [(i["id"], i["text"]) for i in shown["ideas"]] == [(hide, "hide me")]
    assert keep not in [i["id"] for i in hidden["ideas"] + shown["ideas"]]


def test_a_themed_idea_comes_again_with_its_theme(db, client, w2, leader):
    idea_id = add(client, w2, "Båt")
    add(client, w2, "Padling")
    theme = capture.create_theme(w2, "Kanalhelg")
    db.session.commit()
    cursor = listed(client, w2).json["cursor"]

    capture.set_theme(db.session.get(Idea, idea_id), theme, leader.id, utcnow())
    db.session.commit()
    body = listed(client, w2, since=cursor).json

    assert body["full"] is False
    assert [(i["id"], i["theme"]) for i in body["ideas"]] == [(idea_id, "Kanalhelg")]


def test_a_renamed_theme_or_revealed_votes_send_the_whole_list(db, client, w2):
    add(client, w2, "Båt")
    theme = capture.create_theme(w2, "Kanalhelg")
    db.session.commit()
    cursor = listed(client, w2).json["cursor"]

    capture.rename_theme(theme, "Sommer")
    db.session.commit()
    renamed = listed(client, w2, since=cursor).json
    vote_round = votes.start_round(w2, 3, utcnow())
    db.session.commit()
    unrevealed = listed(client, w2, since=renamed["cursor"]).json
    votes.reveal(vote_round)
    db.session.commit()
    revealed = listed(client, w2, since=unrevealed["cursor"]).json

    assert (renamed["full"], unrevealed["full"], revealed["full"]) == (True, False, True)
    assert revealed["ideas"][0]["votes"] == 0


def test_an_idea_committed_late_below_the_cursor_sends_the_whole_list(db, client, w2):
    add(client, w2, "early")
    late = add(client, w2, "late")
    add(client, w2, "after")
    # As if "late" had not been committed when the client read the list.
    elsewhere = programme_builder.add_workshop(w2.project, template="W1")
    db.session.flush()
    row = db.session.get(Idea, late)
    row.workshop_id = elsewhere.id
    db.session.commit()
    cursor = listed(client, w2).json["cursor"]
    row.workshop_id = w2.id
    db.session.commit()

    body = listed(client, w2, since=cursor).json

    assert body["full"] is True
    assert [i["text"] for i in body["ideas"]] == ["after", "late", "early"]


@pytest.mark.parametrize(
    "cursor", ["nonsense", "1-a-b-c-d-e", "1-1-1-1-1", "2-0-0-0-0-x", "x" * 500]
)
def test_an_unknown_cursor_gets_the_whole_list(client, w2, cursor):
    add(client, w2, "one")

    body = listed(client, w2, since=cursor).json

    assert body["full"] is True and [i["text"] for i in body["ideas"]] == ["one"]


def test_the_openapi_document_describes_the_cursor(client):
    spec = client.get("/api/v1/openapi.json").json
    ideas_get = spec["paths"]["/workshops/{code}/ideas"]["get"]

    assert "since" in [p["name"] for p in ideas_get["parameters"]]
    schema = ideas_get["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["cursor", "full", "ideas"]


def test_revealed_dots_are_shown_in_the_votes_step_and_not_in_the_steps_after(db, client, w2):
    add(client, w2, "Båt")
    vote_round = votes.start_round(w2, 3, utcnow())
    votes.reveal(vote_round)
    db.session.commit()
    in_step = listed(client, w2).json

    live.advance(w2, w2.current_step_id, utcnow())
    db.session.commit()
    after = listed(client, w2, since=in_step["cursor"]).json

    assert vote_round.step_id is not None
    assert in_step["ideas"][0]["votes"] == 0
    assert after["full"] is True  # the dots go: every client redraws its list
    assert "votes" not in after["ideas"][0]
