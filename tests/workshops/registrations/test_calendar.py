"""The public calendar page and its iCalendar feeds."""

from datetime import datetime

import pytest
from icalendar import Calendar

from tests.workshops.registrations.test_registrations import new_workshop

pytestmark = pytest.mark.db

# 08:00 UTC in March is 09:00 in Oslo (CET, UTC+1) and 10:00 in Helsinki (EET, UTC+2).
MARCH = datetime(2030, 3, 12, 8, 0)


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="nb")


def events(response) -> dict[str, object]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = Calendar.from_ical(response.data)
    return {str(e["summary"]): e for e in cal.walk("VEVENT")}


def test_feed_validates_with_local_times_place_and_online_link(db, client, project):
    workshop = new_workshop(
        db,
        project,
        title="Verksted 1",
        starts_at=MARCH,
        duration_minutes=150,
        place="Slusedal samfunnshus, sal 2",
        online_url="https://meet.example.org/slusedal?room=1",
        theme="Mat",
    )

    response = client.get("/calendar.ics")

    cal = Calendar.from_ical(response.data)
    assert [str(tz["tzid"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Oslo"]
    event = events(response)["Verksted 1"]
    assert event["dtstart"].params["TZID"] == "Europe/Oslo"
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    assert (start.replace(tzinfo=None), end.replace(tzinfo=None)) == (
        datetime(2030, 3, 12, 9, 0),
        datetime(2030, 3, 12, 11, 30),
    )
    assert str(event["location"]) == "Slusedal samfunnshus, sal 2"
    assert str(event["url"]) == "https://meet.example.org/slusedal?room=1"
    assert f"/workshops/{workshop.id}/register" in str(event["description"])
    assert b"DTSTART;TZID=Europe/Oslo:20300312T090000" in response.data
    assert workshop.join_code.encode() not in response.data  # the code stays in the room


def test_without_an_online_link_the_url_is_the_registration_page(db, client, project):
    workshop = new_workshop(db, project, title="Verksted 1", starts_at=MARCH)

    event = events(client.get("/calendar.ics"))["Verksted 1"]

    assert str(event["url"]).endswith(f"/workshops/{workshop.id}/register")


def test_hostile_text_is_escaped_in_the_feed(db, client, project):
    title = "Evil\r\nBEGIN:VEVENT\r\nSUMMARY:Injected; with, commas\\"
    new_workshop(db, project, title=title, starts_at=MARCH, place="A;B,C\nD")

    response = client.get("/calendar.ics")

    parsed = events(response)
    assert len(parsed) == 1
    (event,) = parsed.values()
    assert str(event["summary"]) == "Evil\nBEGIN:VEVENT\nSUMMARY:Injected; with, commas\\"
    assert str(event["location"]) == "A;B,C\nD"
    lines = response.data.replace(b"\r\n ", b"").split(b"\r\n")  # unfolded content lines
    assert lines.count(b"BEGIN:VEVENT") == 1
    assert [n for n in lines if n.startswith(b"SUMMARY")] == [
        b"SUMMARY:Evil\\nBEGIN:VEVENT\\nSUMMARY:Injected\\; with\\, commas\\\\"
    ]


def test_feed_uses_the_project_time_zone(db, client, make_project, leader):
    helsinki = make_project("rauma", leaders=[leader], timezone="Europe/Helsinki")
    new_workshop(db, helsinki, title="Työpaja", starts_at=MARCH)

    response = client.get("/projects/rauma/calendar.ics")

    assert b"DTSTART;TZID=Europe/Helsinki:20300312T100000" in response.data
    tzids = [str(tz["tzid"]) for tz in Calendar.from_ical(response.data).walk("VTIMEZONE")]
    assert tzids == ["Europe/Helsinki"]


def test_only_public_workshops_that_are_not_closed_appear(db, client, project):
    new_workshop(db, project, title="Open", starts_at=MARCH)
    new_workshop(db, project, title="Private", starts_at=MARCH, is_public=False)
    new_workshop(db, project, title="Closed", starts_at=MARCH, status="closed")
    new_workshop(db, project, title="Unscheduled", starts_at=None)

    assert list(events(client.get("/calendar.ics"))) == ["Open"]
    assert list(events(client.get("/projects/slusedal/calendar.ics"))) == ["Open"]


def test_project_feed_holds_only_that_project(db, client, project, make_project, leader):
    other = make_project("elvedal", leaders=[leader], municipality="Elvedal")
    new_workshop(db, project, title="Slusedal 1", starts_at=MARCH)
    new_workshop(db, other, title="Elvedal 1", starts_at=MARCH)

    assert list(events(client.get("/projects/elvedal/calendar.ics"))) == ["Elvedal 1"]
    assert sorted(events(client.get("/calendar.ics"))) == ["Elvedal 1", "Slusedal 1"]


def test_project_feed_of_an_unknown_or_never_public_project_is_404(
    db, client, make_project, leader
):
    hidden = make_project("hemmelig", leaders=[leader])
    new_workshop(db, hidden, title="Internal", starts_at=MARCH, is_public=False)

    assert client.get("/projects/nope/calendar.ics").status_code == 404
    assert client.get("/projects/hemmelig/calendar.ics").status_code == 404


def test_uid_stays_the_same_between_fetches(db, client, project):
    new_workshop(db, project, title="Verksted 1", starts_at=MARCH)

    first = events(client.get("/calendar.ics"))["Verksted 1"]["uid"]
    second = events(client.get("/calendar.ics"))["Verksted 1"]["uid"]

    assert first == second


def test_calendar_page_filters_by_municipality_and_theme(db, client, project, make_project, leader):
    other = make_project("elvedal", leaders=[leader], municipality="Elvedal")
    future = datetime(2099, 5, 1, 8, 0)
    new_workshop(db, project, title="Slusedal mat", starts_at=future, theme="Mat")
    new_workshop(db, project, title="Slusedal natur", starts_at=future, theme="Natur")
    new_workshop(db, other, title="Elvedal mat", starts_at=future, theme="Mat")

    def titles(query: str) -> list[str]:
        page = client.get(f"/calendar?lang=en&{query}").get_data(as_text=True)
        return [t for t in ("Slusedal mat", "Slusedal natur", "Elvedal mat") if t in page]

    assert titles("") == ["Slusedal mat", "Slusedal natur", "Elvedal mat"]
    assert titles("municipality=Slusedal") == ["Slusedal mat", "Slusedal natur"]
    assert titles("theme=Mat") == ["Slusedal mat", "Elvedal mat"]
    assert titles("municipality=Elvedal&theme=Natur") == []
    assert list(events(client.get("/calendar.ics?theme=Natur"))) == ["Slusedal natur"]


def test_calendar_page_leaves_out_past_and_private_workshops(db, client, project):
    new_workshop(db, project, title="Long ago", starts_at=datetime(2020, 1, 1, 8))
    new_workshop(db, project, title="Not public", starts_at=datetime(2099, 1, 1), is_public=False)
    new_workshop(db, project, title="Coming", starts_at=datetime(2099, 1, 1), capacity=10)

    page = client.get("/calendar?lang=en").get_data(as_text=True)

    assert "Coming" in page and "10 places left" in page
    assert "Long ago" not in page and "Not public" not in page


def test_single_workshop_file_for_ones_own_calendar(db, client, project):
    workshop = new_workshop(db, project, title="Verksted 1", starts_at=MARCH)
    private = new_workshop(db, project, title="Private", starts_at=MARCH, is_public=False)

    assert list(events(client.get(f"/workshops/{workshop.id}/calendar.ics"))) == ["Verksted 1"]
    assert client.get(f"/workshops/{private.id}/calendar.ics").status_code == 404


def test_front_page_links_to_the_calendar(client):
    assert 'href="/calendar"' in client.get("/").get_data(as_text=True)
