"""Running a workshop live: moves, extensions, pauses, re-planning, the clock."""

import threading
from datetime import datetime, timedelta

import pytest

from workshops.live import clock as live
from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop

pytestmark = pytest.mark.db

T0 = datetime(2027, 2, 3, 8, 0)


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=T0)
    db.session.commit()
    return workshop


def test_start_opens_the_first_step_and_the_clock(db, w2):
    live.start(w2, T0)
    db.session.commit()

    tick = live.clock(w2, T0 + timedelta(minutes=5))
    assert (w2.status, tick.index, tick.minutes) == ("live", 0, w2.steps[0].minutes)
    assert tick.remaining_seconds == (w2.steps[0].minutes - 5) * 60
    assert w2.steps[0].started_at == T0


def test_next_records_the_step_as_run(db, w2):
    live.start(w2, T0)
    live.advance(w2, w2.steps[0].id, T0 + timedelta(minutes=17))
    db.session.commit()

    assert live.step_index(w2) == 1
    assert (w2.steps[0].actual_minutes, w2.steps[0].ended_at) == (17, T0 + timedelta(minutes=17))


def test_two_leaders_pressing_next_at_once_advance_one_step(app, db, w2):
    live.start(w2, T0)
    db.session.commit()
    workshop_id, leaving = w2.id, w2.steps[0].id
    db.session.remove()
    both_loaded = threading.Barrier(2, timeout=10)
    outcomes = []

    def press() -> None:
        # Each leader's request: its own thread, app context, session and connection.
        with app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            assert workshop.current_step_id == leaving and workshop.steps
            both_loaded.wait()  # both saw the same step before either moves on
            try:
                live.advance(workshop, leaving, T0 + timedelta(minutes=15))
                db.session.commit()
                outcomes.append("moved")
            except live.LiveError as error:
                outcomes.append(error.code)
            finally:
                db.session.remove()

    leaders = [threading.Thread(target=press) for _ in range(2)]
    for thread in leaders:
        thread.start()
    for thread in leaders:
        thread.join(30)

    assert sorted(outcomes) == ["moved", "moved_meanwhile"]
    workshop = db.session.get(Workshop, workshop_id)
    assert live.step_index(workshop) == 1
    assert workshop.steps[1].started_at == T0 + timedelta(minutes=15)
    assert workshop.steps[2].started_at is None  # not moved twice


def test_previous_goes_back_and_cannot_pass_the_first_step(db, w2):
    live.start(w2, T0)
    live.advance(w2, w2.steps[0].id, T0 + timedelta(minutes=10))
    live.advance(w2, w2.steps[1].id, T0 + timedelta(minutes=11), offset=-1)

    assert live.step_index(w2) == 0
    with pytest.raises(live.LiveError):
        live.advance(w2, w2.steps[0].id, T0 + timedelta(minutes=12), offset=-1)


def test_extension_lengthens_the_current_step(db, w2):
    live.start(w2, T0)
    live.extend(w2, 5, T0 + timedelta(minutes=1))

    tick = live.clock(w2, T0 + timedelta(minutes=1))
    assert tick.minutes == w2.steps[0].minutes + 5
    assert tick.ends_at == T0 + timedelta(minutes=w2.steps[0].minutes + 5)


@pytest.mark.parametrize("minutes", [0, 61, -5])
def test_extension_outside_1_to_60_minutes_is_refused(db, w2, minutes):
    live.start(w2, T0)

    with pytest.raises(live.LiveError):
        live.extend(w2, minutes, T0)


def test_pause_stops_the_clock_and_resume_keeps_the_remaining_time(db, w2):
    live.start(w2, T0)
    live.pause(w2, T0 + timedelta(minutes=5))
    paused = live.clock(w2, T0 + timedelta(minutes=30))
    live.resume(w2, T0 + timedelta(minutes=30))
    resumed = live.clock(w2, T0 + timedelta(minutes=30))

    assert paused.paused and paused.remaining_seconds == (w2.steps[0].minutes - 5) * 60
    assert resumed.remaining_seconds == paused.remaining_seconds


def test_overrun_replans_the_rest_of_the_day(db, w2):
    live.start(w2, T0)
    for n in range(3):
        live.advance(w2, w2.steps[n].id, T0 + timedelta(minutes=30 * (n + 1)))
    # Step 4 (a break) started 90 min in, though the plan had it at 75: the day is 15 min behind.
    plan = live.rest_of_day(w2, T0 + timedelta(minutes=90))

    assert plan.ends_at <= T0 + timedelta(minutes=180)
    assert plan.late_minutes == 0
    assert plan.changed
    fixed = [s for s in plan.steps if s.fixed]
    assert all(s.minutes == s.planned_minutes for s in fixed)


def test_closed_workshop_refuses_moves(db, w2):
    live.start(w2, T0)
    live.close(w2, T0 + timedelta(minutes=3))

    assert w2.status == "closed"
    with pytest.raises(live.LiveError):
        live.advance(w2, w2.steps[0].id, T0 + timedelta(minutes=4))
    with pytest.raises(live.LiveError):
        live.start(w2, T0)


def test_restarting_the_server_loses_nothing(db, w2):
    live.start(w2, T0)
    live.advance(w2, w2.steps[0].id, T0 + timedelta(minutes=15))
    db.session.commit()
    workshop_id = w2.id
    db.session.remove()  # a new process would start with an empty session

    again = db.session.get(Workshop, workshop_id)
    assert live.step_index(again) == 1
    assert again.step_started_at == T0 + timedelta(minutes=15)
