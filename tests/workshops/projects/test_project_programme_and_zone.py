"""A project made through its form gets the method's programme; a new time zone keeps the
planned workshops' local times; the dashboard says when a target is not set."""

from datetime import datetime
from html.parser import HTMLParser

import pytest

from workshops.programme import builder as programme_builder
from workshops.programme.models import Workshop
from workshops.projects.models import Project

pytestmark = pytest.mark.db


class _FormFields(HTMLParser):
    """What a browser would send from each POST form on a page, as the page renders it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.forms.append({})
        if not self.forms or not a.get("name") and tag != "option":
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("type") in ("checkbox", "radio"):
            if "checked" in a:
                fields[a["name"]] = a.get("value", "on")
        elif tag == "input" and a.get("type") not in ("submit", "button"):
            fields[a["name"]] = a.get("value") or ""
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(self._select, "")
        elif tag == "option" and self._select:
            if not fields[self._select] or "selected" in a:
                fields[self._select] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[self._textarea] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.forms[-1][self._textarea] += data.strip()


def rendered_form(client, url: str, field: str) -> dict[str, str]:
    """The fields of the form on `url` that has `field`, with the values the page gives them."""
    parser = _FormFields()
    parser.feed(client.get(url).get_data(as_text=True))
    return next(form for form in parser.forms if field in form)


def test_new_project_form_offers_the_programme_ticked_and_the_first_date(db, leader_client):
    form = rendered_form(leader_client, "/projects/new?lang=en", "slug")

    assert form["with_programme"] == "y"  # ticked by default
    assert form["first_day"] == ""


def test_project_made_through_the_rendered_form_gets_the_dated_programme(db, leader_client):
    form = rendered_form(leader_client, "/projects/new?lang=en", "slug")
    form |= {"name": "Fjordbygda 2027", "slug": "fjordbygda-2027", "first_day": "2027-02-03"}

    response = leader_client.post("/projects/new", data=form)

    assert response.status_code == 302
    project = db.session.query(Project).one()
    assert [w.template_key for w in project.workshops] == ["W1", "W2", "W3", "W4", "W5"]
    assert [w.starts_at.isoformat() for w in project.workshops][:2] == [
        "2027-02-03T08:00:00",  # 09:00 in Oslo
        "2027-03-03T08:00:00",
    ]


def test_existing_ecosystem_chosen_on_the_form_starts_at_the_second_workshop(db, leader_client):
    form = rendered_form(leader_client, "/projects/new?lang=en", "slug")
    form |= {"name": "Skjærgården", "slug": "skjaergarden", "use": "existing_ecosystem"}

    leader_client.post("/projects/new", data=form)

    project = db.session.query(Project).one()
    assert [w.template_key for w in project.workshops] == ["W2", "W3", "W4", "W5"]
    assert all(w.starts_at is None for w in project.workshops)  # no date given


def test_unticked_programme_box_makes_an_empty_project(db, leader_client):
    form = rendered_form(leader_client, "/projects/new?lang=en", "slug")
    form.pop("with_programme")  # an unticked box is not sent
    form |= {"name": "Tom", "slug": "tom", "first_day": "2027-02-03"}

    response = leader_client.post("/projects/new", data=form)

    assert response.status_code == 302
    assert db.session.query(Project).one().workshops == []


def test_edit_form_has_no_programme_fields(db, leader_client, leader, make_project):
    make_project("kanalbyen", leaders=[leader])

    form = rendered_form(leader_client, "/projects/kanalbyen/edit?lang=en", "slug")

    assert "with_programme" not in form and "first_day" not in form


@pytest.fixture
def planned(db, leader, make_project):
    """A project in Oslo with a workshop planned at 09:00 local time, winter and summer, and one
    already held."""
    project = make_project("skjaergarden", leaders=[leader], name="Skjærgården")
    for title, local in (("Winter", "2027-02-03T09:00"), ("Summer", "2027-06-02T09:00")):
        programme_builder.add_workshop(
            project,
            title,
            starts_at=programme_builder.local_to_utc(
                datetime.fromisoformat(local), project.timezone
            ),
        )
    held = programme_builder.add_workshop(project, "Held", starts_at=datetime(2026, 11, 4, 8))
    held.status = "closed"
    db.session.commit()
    return project


def test_new_time_zone_keeps_the_planned_workshops_local_times(db, leader_client, planned):
    form = rendered_form(leader_client, "/projects/skjaergarden/edit?lang=en", "slug")

    response = leader_client.post(
        "/projects/skjaergarden/edit?lang=en",
        data=form | {"timezone": "Europe/Helsinki"},
        follow_redirects=True,
    )

    db.session.expire_all()
    starts = {w.title: w.starts_at.isoformat() for w in db.session.query(Workshop)}
    assert starts == {
        "Winter": "2027-02-03T07:00:00",  # 09:00 in Helsinki (UTC+2)
        "Summer": "2027-06-02T06:00:00",  # 09:00 in Helsinki summer time (UTC+3)
        "Held": "2026-11-04T08:00:00",  # what happened stays when it happened
    }
    assert "2 planned workshops keep their local start times in Europe/Helsinki." in (
        response.get_data(as_text=True)
    )


def test_saving_without_a_new_time_zone_moves_nothing(db, leader_client, planned):
    form = rendered_form(leader_client, "/projects/skjaergarden/edit?lang=en", "slug")

    response = leader_client.post(
        "/projects/skjaergarden/edit?lang=en",
        data=form | {"name": "Skjærgården 2027"},
        follow_redirects=True,
    )

    db.session.expire_all()
    winter = db.session.query(Workshop).filter_by(title="Winter").one()
    assert winter.starts_at.isoformat() == "2027-02-03T08:00:00"
    assert "local start time" not in response.get_data(as_text=True)


def test_dashboard_says_no_target_set_for_a_target_of_zero(db, leader_client, leader, make_project):
    make_project("kanalbyen", leaders=[leader], target_ideas=5)

    page = leader_client.get("/projects/kanalbyen?lang=en").get_data(as_text=True)

    assert page.count("no target set") == 4  # all but ideas
    assert "/ 0" not in page
    assert "/ 5" in page
