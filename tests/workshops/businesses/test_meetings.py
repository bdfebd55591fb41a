"""Speed meetings driven by the step: rounds without repeats, trios, declined pairs apart."""

from datetime import datetime
from itertools import combinations

import pytest
from flask_babel import force_locale

from workshops.businesses import meetings
from workshops.businesses.models import Business, Connection
from workshops.live import clock as live
from workshops.live import steps as collects
from workshops.live.models import Participant
from workshops.live.steps import StepError
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

T0 = datetime(2027, 3, 3, 8, 0)
NAMES = ["Smia", "Ullbua", "Kaia", "Sagbruket", "Verkskveld", "Fjellstua"]


@pytest.fixture
def w3(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W3", starts_at=T0)
    db.session.commit()
    return workshop


def _arrive(db, workshop, names):
    """Register the businesses and let one phone per business join under its name."""
    businesses = []
    for n, name in enumerate(names):
        business = Business(project_id=workshop.project_id, name=name, sector="")
        db.session.add(business)
        db.session.add(
            Participant(workshop_id=workshop.id, device=f"phone-{n}", business_name=name.upper())
        )
        businesses.append(business)
    db.session.commit()
    return businesses


def _to_pairings(workshop):
    live.start(workshop, T0)
    index = next(n for n, s in enumerate(workshop.steps) if "pairings" in collects.kinds_of(s))
    while live.step_index(workshop) < index:
        live.advance(workshop, workshop.current_step_id, T0)
    return workshop.steps[index]


def _pairs(meeting_round):
    return {frozenset(p) for g in meeting_round.groups for p in combinations(g, 2)}


def test_three_rounds_where_nobody_meets_twice(db, w3):
    _arrive(db, w3, NAMES)
    step = _to_pairings(w3)
    assert len(meetings.rounds(w3, step)) == 1  # the first round is paired when the step starts
    meetings.next_round(w3, step, T0)
    meetings.next_round(w3, step, T0)

    done = meetings.rounds(w3, step)
    assert [r.number for r in done] == [1, 2, 3]
    assert meetings.plan_of(step) == (3, 8) and {r.minutes for r in done} == {8}
    seen = [_pairs(r) for r in done]
    assert all(len(r.groups) == 3 for r in done)
    assert not (seen[0] & seen[1] or seen[0] & seen[2] or seen[1] & seen[2])
    with pytest.raises(StepError) as more:
        meetings.next_round(w3, step, T0)
    assert more.value.code == "rounds_done"


def test_an_odd_person_joins_a_trio_and_a_declined_pair_never_meets(db, w3):
    businesses = _arrive(db, w3, NAMES[:5])
    a, b = businesses[0], businesses[1]
    db.session.add(Connection(project_id=w3.project_id, a_id=a.id, b_id=b.id, status="declined"))
    db.session.commit()
    step = _to_pairings(w3)
    meetings.next_round(w3, step, T0)

    for meeting_round in meetings.rounds(w3, step):
        assert sorted(len(g) for g in meeting_round.groups) == [2, 3]
        assert frozenset((a.id, b.id)) not in _pairs(meeting_round)


def test_a_phone_sees_its_table_and_records_whom_it_met(db, w3):
    businesses = _arrive(db, w3, NAMES[:4])
    step = _to_pairings(w3)
    table_plan = meetings.tables(meetings.latest(w3, step))

    mine = meetings.my_meeting(w3, "phone-0")
    partner = mine["with"][0]
    connection = meetings.record_met(w3, "phone-0", partner["id"], T0)
    stranger = next(b for b in businesses if b.id not in {businesses[0].id, partner["id"]})

    assert (mine["round"], mine["rounds"], mine["business"]) == (1, 3, "Smia")
    assert "Smia" in table_plan[mine["table"] - 1]["names"]
    assert (connection.origin, connection.status) == ("workshop", "met")
    with pytest.raises(StepError):
        meetings.record_met(w3, "phone-0", stranger.id, T0)  # not met in any round
    with pytest.raises(StepError):
        meetings.record_met(w3, "phone-unknown", partner["id"], T0)


def test_the_console_pairs_the_next_round_with_one_press(db, app, w3):
    _arrive(db, w3, NAMES[:4])
    step = _to_pairings(w3)
    with app.test_request_context("/"):
        panel = next(p for p in collects.panels(w3, step) if p.kind == "pairings")
        collects.act(w3, "pairings", panel.controls[0].action, {}, T0)
        wall = collects.wall(w3, step)["pairings"]

    assert wall["round"] == 2 and len(wall["tables"]) == 2


def test_phones_that_name_a_business_the_project_lacks_are_told_and_the_leader_adds_them(
    db, app, w3
):
    _arrive(db, w3, ["Smia"])
    for n, name in enumerate(["Hansens Bakeri", " hansens bakeri", "Duo Fjellklang"], start=7):
        db.session.add(Participant(workshop_id=w3.id, device=f"walk-in-{n}", business_name=name))
    db.session.commit()
    step = _to_pairings(w3)

    assert meetings.my_meeting(w3, "walk-in-7")["named"] == "Hansens Bakeri"
    assert "named" not in meetings.my_meeting(w3, "phone-0")
    with app.test_request_context("/"), force_locale("en"):
        panel = next(p for p in collects.panels(w3, step) if p.kind == "pairings")
        assert (
            "Named on phones, not among the project's businesses: "
            "\u2068Duo Fjellklang\u2069, \u2068Hansens Bakeri\u2069." in panel.lines
        )
        register = next(c for c in panel.controls if c.action == "register")
        assert register.label == "Add 2 businesses to the project"
        collects.act(w3, "pairings", "register", {}, T0)
        db.session.commit()
        panel = next(p for p in collects.panels(w3, step) if p.kind == "pairings")

    added = {b.name: b for b in w3.project.businesses}
    assert set(added) == {"Smia", "Hansens Bakeri", "Duo Fjellklang"}
    assert added["Hansens Bakeri"].sector_group == "local_food"  # read from its name, assumed
    assert added["Hansens Bakeri"].assumed is True
    assert not [c for c in panel.controls if c.action == "register"]
    assert "3 registered businesses are here." in panel.lines
    assert meetings.my_meeting(w3, "walk-in-8")["business"] == "Hansens Bakeri"


def test_the_connections_step_shows_its_count_and_adds_the_businesses_phones_named(
    db, app, leader, make_project
):
    project = make_project("moter", leaders=[leader], name="Møter")
    w1 = programme_builder.add_workshop(project, template="W1", starts_at=T0)
    db.session.add(Business(project_id=project.id, name="Smia", sector=""))
    db.session.add(Participant(workshop_id=w1.id, device="walk-in", business_name="Kaia Kafé"))
    db.session.commit()
    live.start(w1, T0)
    index = next(n for n, s in enumerate(w1.steps) if "connections" in collects.kinds_of(s))
    while live.step_index(w1) < index:
        live.advance(w1, w1.current_step_id, T0)
    step = w1.steps[index]

    with app.test_request_context("/"), force_locale("en"):
        panel = next(p for p in collects.panels(w1, step) if p.kind == "connections")
        assert panel.lines == (
            "0 meetings recorded from phones in this project.",
            "Named on phones, not among the project's businesses: \u2068Kaia Kafé\u2069.",
        )
        collects.act(w1, "connections", "register", {}, T0)
        db.session.commit()
        panel = next(p for p in collects.panels(w1, step) if p.kind == "connections")

    assert panel.controls == ()
    assert meetings.business_of(w1, "walk-in").name == "Kaia Kafé"


def test_the_wall_says_what_to_do_while_phones_record_whom_they_met(db, app, leader, make_project):
    project = make_project("veggen", leaders=[leader], name="Veggen")
    w1 = programme_builder.add_workshop(project, template="W1", starts_at=T0)
    db.session.commit()
    live.start(w1, T0)
    index = next(n for n, s in enumerate(w1.steps) if "connections" in collects.kinds_of(s))
    while live.step_index(w1) < index:
        live.advance(w1, w1.current_step_id, T0)

    with app.test_request_context("/"), force_locale("en"):
        wall = collects.wall(w1, w1.steps[index])["connections"]

    assert wall["lines"] == [
        "On your phone, press “We met” for each business you talked with.",
        "0 meetings recorded from phones in this project.",
    ]
