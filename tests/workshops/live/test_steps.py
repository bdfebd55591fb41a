"""The step drives the room: votes, the evaluation form, re-plans applied, coherent states."""

import threading
from datetime import datetime, timedelta

import pytest

from workshops.ideas import capture as ideas
from workshops.ideas import votes
from workshops.live import clock as live
from workshops.live import state
from workshops.live import steps as collects
from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db

T0 = datetime(2027, 2, 3, 8, 0)


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=T0)
    db.session.commit()
    return workshop


@pytest.fixture
def request_context(app):
    """Console panels and phone links are texts and URLs made for a request."""
    with app.test_request_context("/"):
        yield


def _index(workshop, kinds):
    return next(n for n, s in enumerate(workshop.steps) if collects.kinds_of(s) == kinds)


def _go_to(workshop, index, now):
    """Start the workshop and move step by step to `index`."""
    if workshop.current_step_id is None:
        live.start(workshop, now)
    while live.step_index(workshop) < index:
        live.advance(workshop, workshop.current_step_id, now)


def _ideas(workshop, count):
    return [
        ideas.submit(workshop.join_code, f"idea {n}", device=None, typed_by_leader=True).id
        for n in range(count)
    ]


@pytest.mark.parametrize(("count", "dots"), [(0, 3), (9, 3), (17, 4), (45, 10), (500, 20)])
def test_dots_are_one_per_four_or_five_ideas_and_at_least_three(count, dots):
    assert votes.dots_for(count) == dots


def test_a_step_that_collects_only_votes_opens_a_vote_and_closes_it_when_it_ends(db, w2):
    index = _index(w2, ["ideas", "votes"])
    w2.steps[index].collects = ["votes"]
    _go_to(w2, index - 1, T0)
    _ideas(w2, 17)
    assert votes.open_round(w2) is None

    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=1))
    db.session.commit()
    vote_round = votes.open_round(w2)
    assert (vote_round.step_id, vote_round.dots, vote_round.revealed) == (
        w2.steps[index].id,
        4,
        False,
    )

    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=2))
    db.session.commit()
    assert votes.open_round(w2) is None


def test_going_back_to_a_voting_step_continues_its_vote(db, w2):
    index = _index(w2, ["ideas", "votes"])
    w2.steps[index].collects = ["votes"]
    _go_to(w2, index, T0)
    first = votes.open_round(w2).id
    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=1))
    live.advance(w2, w2.current_step_id, T0 + timedelta(minutes=2), offset=-1)

    assert votes.open_round(w2).id == first


def test_in_an_ideas_and_votes_step_the_console_opens_and_reveals_the_vote(db, w2, request_context):
    index = _index(w2, ["ideas", "votes"])
    _go_to(w2, index, T0)
    _ideas(w2, 9)
    assert votes.open_round(w2) is None
    panel = next(p for p in collects.panels(w2, w2.steps[index]) if p.kind == "votes")
    assert [c.action for c in panel.controls] == ["open"]
    assert panel.controls[0].number[1] == 3

    collects.act(w2, "votes", "open", {}, T0)
    db.session.commit()
    vote_round = votes.open_round(w2)
    assert (vote_round.dots, vote_round.revealed) == (3, False)
    assert state.snapshot(w2, T0)["step"]["collect"]["votes"] == {
        "open": True,
        "dots": 3,
        "revealed": False,
    }

    collects.act(w2, "votes", "reveal", {}, T0)
    collects.act(w2, "votes", "close", {}, T0)
    db.session.commit()
    assert votes.open_round(w2) is None
    assert votes.latest_round(w2).revealed is True


def test_closing_the_workshop_closes_the_open_vote(db, w2):
    _go_to(w2, 1, T0)
    collects.act(w2, "votes", "open", {"number": "5"}, T0)
    live.close(w2, T0 + timedelta(minutes=3))
    db.session.commit()

    assert votes.open_round(w2) is None
    assert votes.latest_round(w2).dots == 5


def test_reopening_the_workshop_brings_back_the_vote_it_closed(db, w2):
    index = _index(w2, ["ideas", "votes"])
    _go_to(w2, index, T0)
    collects.act(w2, "votes", "open", {}, T0)
    first = votes.open_round(w2).id
    live.close(w2, T0 + timedelta(minutes=3))
    live.reopen(w2, T0 + timedelta(minutes=4))
    db.session.commit()

    assert votes.open_round(w2).id == first


def test_a_retried_vote_with_its_key_is_counted_once(db, w2):
    _go_to(w2, 1, T0)
    idea = _ideas(w2, 1)[0]
    votes.start_round(w2, 3, T0)
    db.session.commit()

    first = votes.cast(w2, idea, 1, "phone-1", T0, key="vote-key-0001")
    again = votes.cast(w2, idea, 1, "phone-1", T0, key="vote-key-0001")
    other = votes.cast(w2, idea, 1, "phone-1", T0, key="vote-key-0002")

    assert (first["dots_left"], again["dots_left"], other["dots_left"]) == (2, 2, 1)
    assert votes.mine(w2, "phone-1") == {idea: 2}


def test_the_phone_sees_its_dots_per_idea(db, client, w2):
    _go_to(w2, 1, T0)
    idea = _ideas(w2, 1)[0]
    votes.start_round(w2, 3, T0)
    db.session.commit()
    url = f"/api/v1/workshops/{w2.join_code}/votes"
    headers = {"X-Device": "the-phone-000001", "Idempotency-Key": "retry-me-0001"}

    sent = [client.post(url, json={"idea": idea}, headers=headers) for _ in range(2)]
    mine = client.get(url, headers={"X-Device": "the-phone-000001"}).json

    assert [r.status_code for r in sent] == [201, 201]
    assert (mine["dots_left"], mine["mine"]) == (2, {str(idea): 1})


def test_a_retried_idea_after_the_close_gets_its_stored_answer(db, w2):
    live.start(w2, T0)
    stored = ideas.submit(w2.join_code, "Sauna boat", device="phone-1", key="idea-key-0001")
    live.close(w2, T0 + timedelta(minutes=1))
    db.session.commit()

    again = ideas.submit(w2.join_code, "Sauna boat", device="phone-1", key="idea-key-0001")
    with pytest.raises(ideas.IdeaError) as new:
        ideas.submit(w2.join_code, "Another", device="phone-1", key="idea-key-0002")

    assert again == stored
    assert new.value.code == "workshop_closed"


def test_a_retried_interest_after_the_close_gets_its_stored_answer(db, w2):
    live.start(w2, T0)
    idea = _ideas(w2, 1)[0]
    first = votes.mark_interest(w2, idea, "Verkskveld", "phone-1", T0)
    live.close(w2, T0 + timedelta(minutes=1))
    db.session.commit()

    assert votes.mark_interest(w2, idea, "Verkskveld", "phone-1", T0).id == first.id
    with pytest.raises(votes.VoteError):
        votes.mark_interest(w2, idea, "Verkskveld", "phone-2", T0)


def test_reopen_then_resume_runs_the_clock_from_where_it_stood(db, w2):
    live.start(w2, T0)
    minutes = w2.steps[0].minutes
    live.close(w2, T0 + timedelta(minutes=4))
    live.reopen(w2, T0 + timedelta(minutes=30))
    db.session.commit()

    paused = live.clock(w2, T0 + timedelta(minutes=40))
    assert (w2.status, paused.paused, paused.remaining_seconds) == (
        "paused",
        True,
        (minutes - 4) * 60,
    )
    phone = state.snapshot(w2, T0 + timedelta(minutes=40))
    assert phone["step"]["remaining_seconds"] == (minutes - 4) * 60

    live.resume(w2, T0 + timedelta(minutes=50))
    running = live.clock(w2, T0 + timedelta(minutes=51))
    assert (w2.status, running.paused, running.remaining_seconds) == (
        "live",
        False,
        (minutes - 5) * 60,
    )


@pytest.mark.parametrize(
    ("status", "shown", "hidden"),
    [
        ("planned", ["Start the workshop"], ["Resume", "Pause", "Reopen"]),
        ("live", ["Pause", "Next step", "Close the workshop"], ["Resume", "Reopen"]),
        ("paused", ["Resume", "Next step"], ["Pause", "Reopen"]),
        ("closed", ["Reopen"], ["Resume", "Pause", "Start the workshop"]),
        ("reopened", ["Resume", "Close the workshop"], ["Pause", "Reopen"]),
    ],
)
def test_every_state_shows_its_console_controls(db, leader_client, w2, status, shown, hidden):
    now = datetime.now(tz=None)
    if status != "planned":
        live.start(w2, now)
    if status == "paused":
        live.pause(w2, now)
    if status in ("closed", "reopened"):
        live.close(w2, now)
    if status == "reopened":
        live.reopen(w2, now)
    db.session.commit()

    page = leader_client.get(
        f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en"
    ).get_data(as_text=True)

    buttons = [b.split(">", 1)[1] for b in page.split("<button")[1:]]
    labels = [b.split("</button>", 1)[0].strip() for b in buttons]
    assert all(label in labels for label in shown), labels
    assert not any(label in labels for label in hidden), labels


def test_the_console_opens_a_vote_with_one_press(db, leader_client, w2):
    index = _index(w2, ["ideas", "votes"])
    _go_to(w2, index, datetime.now(tz=None))
    db.session.commit()
    console = f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en"

    response = leader_client.post(
        f"/projects/{w2.project.slug}/workshops/{w2.id}/collect/votes/open",
        data={"number": "4"},
    )

    assert response.status_code == 302
    assert votes.open_round(db.session.get(Workshop, w2.id)).dots == 4
    assert "Show the results" in leader_client.get(console).get_data(as_text=True)


def _overrun(workshop, minutes):
    """Start, then let the first step run `minutes` over."""
    live.start(workshop, T0)
    return T0 + timedelta(minutes=workshop.steps[0].minutes + minutes)


def test_an_applied_replan_is_stored_beside_the_planned_minutes(db, w2):
    now = _overrun(w2, 40)
    plan = live.rest_of_day(w2, now)
    assert live.replan_pending(w2, plan)
    planned = [s.minutes for s in w2.steps]

    live.apply_replan(w2, now)
    db.session.commit()

    assert [s.minutes for s in w2.steps] == planned
    for item in plan.steps:
        step = w2.steps[item.position]
        assert step.dropped == item.dropped
        assert live.minutes_of(step) == (item.planned_minutes if item.dropped else item.minutes)
    assert not live.replan_pending(w2, live.rest_of_day(w2, now))
    assert sum(1 for s in w2.steps if s.applied_minutes is not None) >= 1


def test_steps_dropped_by_an_applied_replan_are_passed_over(db, w2, request_context):
    now = _overrun(w2, 120)
    plan = live.apply_replan(w2, now)
    dropped = set(plan.dropped)
    assert dropped
    seen = []
    while True:
        try:
            live.advance(w2, w2.current_step_id, now)
        except live.LiveError:
            break
        seen.append(live.step_index(w2))
    assert not dropped & set(seen)
    assert seen[-1] == len(w2.steps) - 1 or seen[-1] not in dropped
    agenda = state.snapshot(w2, now)["agenda"]
    assert not {w2.steps[i].position for i in dropped} & {a["position"] for a in agenda}


def test_every_replan_starts_from_the_planned_minutes(db, w2):
    now = _overrun(w2, 40)
    live.apply_replan(w2, now)
    # The leader catches up: going on from here, the plan fits again as planned.
    later = live.rest_of_day(w2, T0 + timedelta(minutes=w2.steps[0].minutes))
    assert not later.changed
    assert live.replan_pending(w2, later)


def test_the_agenda_shows_the_minutes_the_steps_now_run(db, w2, request_context):
    w2.visibility = "open"
    now = _overrun(w2, 40)
    plan = live.apply_replan(w2, now)
    shrunk = next(s for s in plan.steps if not s.dropped and s.minutes != s.planned_minutes)

    agenda = {a["position"]: a["minutes"] for a in state.snapshot(w2, now)["agenda"]}

    assert agenda[w2.steps[shrunk.position].position] == shrunk.minutes


def test_the_console_applies_the_replan_with_one_press(db, leader_client, w2):
    now = datetime.now(tz=None)
    live.start(w2, now - timedelta(minutes=w2.steps[0].minutes + 40))
    w2.starts_at = now - timedelta(minutes=w2.steps[0].minutes + 40)
    db.session.commit()
    console = f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en"
    page = leader_client.get(console).get_data(as_text=True)
    assert "Apply the new plan" in page

    leader_client.post(f"/projects/{w2.project.slug}/workshops/{w2.id}/live/replan")

    assert "Apply the new plan" not in leader_client.get(console).get_data(as_text=True)
    assert any(s.applied_minutes or s.dropped for s in db.session.get(Workshop, w2.id).steps)


def test_state_versions_are_counted_in_sql_under_threads(app, db, w2):
    live.start(w2, T0)
    db.session.commit()
    before = db.session.get(Workshop, w2.id).state_version
    workshop_id = w2.id
    errors = []

    def extend():
        with app.app_context():
            try:
                workshop = db.session.get(Workshop, workshop_id)
                live.extend(workshop, 1, T0)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=extend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop_id)
    assert errors == []
    assert (workshop.state_version - before, workshop.step_extra_minutes) == (8, 8)


def test_the_console_offers_no_step_before_the_first_nor_after_the_last(db, leader_client, w2):
    now = datetime.now(tz=None)
    live.start(w2, now)
    db.session.commit()
    url = f"/projects/{w2.project.slug}/workshops/{w2.id}/console?lang=en"

    def labels():
        page = leader_client.get(url).get_data(as_text=True)
        return [
            b.split(">", 1)[1].split("</button>", 1)[0].strip() for b in page.split("<button")[1:]
        ]

    first = labels()
    while live.step_index(w2) < len(w2.steps) - 1:
        live.advance(w2, w2.current_step_id, now)
    db.session.commit()
    last = labels()

    assert "Next step" in first and "Previous step" not in first
    assert "Previous step" in last and "Next step" not in last
    assert "Close the workshop" in last
