"""The room follows the step and the close: a vote opened by hand ends with its step, the wall
counts interests per idea while the step collects them, a closed console is only closed."""

import re
from datetime import datetime, timedelta

import pytest

from workshops.ideas import capture as ideas
from workshops.ideas import votes
from workshops.live import clock as live
from workshops.live import state
from workshops.live import steps as collects
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

T0 = datetime(2027, 2, 3, 8, 0)


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=T0)
    db.session.commit()
    return workshop


def _index(workshop, kinds):
    return next(n for n, s in enumerate(workshop.steps) if collects.kinds_of(s) == kinds)


def _go_to(workshop, index, now):
    if workshop.current_step_id is None:
        live.start(workshop, now)
    while live.step_index(workshop) < index:
        live.advance(workshop, workshop.current_step_id, now)


def _idea(workshop, text):
    return ideas.submit(workshop.join_code, text, device=None, typed_by_leader=True).id


def _leader_state(leader_client, workshop):
    return leader_client.get(f"/w/{workshop.join_code}/state?lang=en").json


def test_a_vote_opened_by_hand_closes_when_its_step_ends(db, leader_client, w2):
    index = _index(w2, ["ideas"])
    _go_to(w2, index, T0)
    _idea(w2, "Canal weekend")
    collects.act(w2, "votes", "open", {"number": "3"}, T0)
    db.session.commit()
    assert state.snapshot(w2, T0)["step"]["collect"]["votes"]["open"] is True

    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=5))
    db.session.commit()

    assert votes.open_round(w2) is None
    assert "votes" not in state.snapshot(w2, T0 + timedelta(minutes=5))["step"]["collect"]
    assert "votes" not in _leader_state(leader_client, w2)["collect"]


def test_going_back_to_the_step_of_a_hand_opened_vote_leaves_it_closed(db, w2):
    index = _index(w2, ["ideas"])
    _go_to(w2, index, T0)
    collects.act(w2, "votes", "open", {}, T0)
    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=5))
    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=6), offset=-1)
    db.session.commit()

    # Not what the step collects: the leader opens it again with one press if wanted.
    assert votes.open_round(w2) is None
    assert votes.latest_round(w2).step_id == w2.steps[index].id


def test_a_reopened_workshop_brings_back_a_vote_opened_by_hand(db, w2):
    index = _index(w2, ["ideas"])
    _go_to(w2, index, T0)
    collects.act(w2, "votes", "open", {"number": "4"}, T0)
    first = votes.open_round(w2).id
    live.close(w2, T0 + timedelta(minutes=3))
    live.reopen(w2, T0 + timedelta(minutes=4))
    db.session.commit()

    assert (votes.open_round(w2).id, votes.open_round(w2).dots) == (first, 4)


def test_a_vote_opened_before_the_start_belongs_to_no_step_and_stays_open(db, w2):
    votes.start_round(w2, 3, T0)
    live.start(w2, T0)
    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=1))
    db.session.commit()

    assert votes.open_round(w2).step_id is None


def test_the_wall_counts_the_businesses_that_want_each_idea_without_names(db, leader_client, w2):
    index = _index(w2, ["interests"])
    _go_to(w2, index, T0)
    canal, smithy, quiet = (_idea(w2, t) for t in ("Canal weekend", "Smithy evening", "Quiet"))
    votes.mark_interest(w2, canal, "Kafé Sluse", "phone-1", T0)
    votes.mark_interest(w2, canal, "kafé sluse", "phone-2", T0)  # the same business twice
    votes.mark_interest(w2, canal, "Smia", "phone-3", T0)
    votes.mark_interest(w2, smithy, "Smia", "phone-3", T0)

    shown = _leader_state(leader_client, w2)["collect"]["interests"]

    assert shown == {
        "ideas": {
            str(canal): {"count": 2, "text": "2 businesses want to work on this"},
            str(smithy): {"count": 1, "text": "1 business wants to work on this"},
        }
    }
    assert str(quiet) not in shown["ideas"]
    assert "Smia" not in str(shown) and "Sluse" not in str(shown)


def test_the_wall_shows_no_interests_once_the_step_has_ended(db, leader_client, w2):
    index = _index(w2, ["interests"])
    _go_to(w2, index, T0)
    votes.mark_interest(w2, _idea(w2, "Canal weekend"), "Smia", "phone-1", T0)

    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=5))
    db.session.commit()

    assert "interests" not in _leader_state(leader_client, w2)["collect"]


def _heading(page: str) -> str:
    found = re.search(r'<p class="step-label" id="now-heading">(.*?)</p>', page, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


@pytest.mark.parametrize(("paused", "expected"), [(False, "Closed"), (True, "Closed")])
def test_the_console_of_a_closed_workshop_says_closed_and_not_paused(
    db, leader_client, w2, paused, expected
):
    now = datetime.now(tz=None)
    live.start(w2, now)
    if paused:
        live.pause(w2, now)
    live.close(w2, now)
    db.session.commit()

    page = leader_client.get(f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en")

    assert _heading(page.get_data(as_text=True)) == expected


def test_the_console_of_a_paused_workshop_says_paused(db, leader_client, w2):
    now = datetime.now(tz=None)
    live.start(w2, now)
    live.pause(w2, now)
    db.session.commit()

    page = leader_client.get(f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en")

    assert _heading(page.get_data(as_text=True)) == f"Step 1 of {len(w2.steps)} · Paused"
