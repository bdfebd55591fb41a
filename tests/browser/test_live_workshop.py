"""A whole W2 workshop in a real browser: console, wall and a phone follow the leader."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def w2(live_app, live_leader):
    from app.auth.models import user_by_email
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        leader = user_by_email(live_leader)
        project = projects.create(
            projects.ProjectData(slug="kanalbyen", name="Kanalbyen", language="en"),
            leaders=[leader],
        )
        workshop = programme_builder.add_workshop(project, template="W2")
        workshop.visibility = "stepwise"
        db.session.commit()
        return {
            "id": workshop.id,
            "code": workshop.join_code,
            "titles": [s.title for s in workshop.steps],
        }


def log_in(page, live_url, email):
    page.goto(f"{live_url}/login?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/projects$"))


def test_leader_runs_w2_while_the_wall_and_a_phone_follow(browser, live_url, live_leader, w2):
    leader = browser.new_context(locale="en-GB").new_page()
    log_in(leader, live_url, live_leader)
    wall = leader.context.new_page()
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    titles = w2["titles"]

    leader.goto(f"{live_url}/projects/kanalbyen/workshops/{w2['id']}/console")
    wall.goto(f"{live_url}/w/{w2['code']}/wall")
    phone.goto(f"{live_url}/?lang=en")
    phone.get_by_label("Workshop code").fill(w2["code"].lower())
    phone.get_by_role("button", name="Join").click()
    expect(phone).to_have_url(re.compile(f"/j/{w2['code']}$"))
    expect(phone.locator("[data-bind=title]")).to_have_text("Welcome!")
    expect(
        phone.locator("[data-bind=agenda-card]")
    ).to_be_hidden()  # stepwise: nothing before the start

    leader.get_by_role("button", name="Start the workshop").click()
    for n in range(3):
        if n:
            leader.get_by_role("button", name="Next step").click()
        expect(leader.locator(".console-step-title")).to_have_text(titles[n])
        expect(wall.locator("[data-bind=title]")).to_have_text(titles[n], timeout=3000)
        expect(phone.locator("[data-bind=title]")).to_have_text(titles[n], timeout=3000)
        expect(phone.locator("[data-bind=agenda] li")).to_have_count(n + 1, timeout=3000)

    # An extension of the third step re-plans the rest of the day on the console.
    before = leader.locator("#rest-heading + table tbody tr").first.inner_text()
    leader.get_by_label("Minutes").fill("60")
    leader.get_by_role("button", name="Extend").click()
    expect(leader.locator("#rest-heading + table tbody tr").first).not_to_have_text(before)
    expect(leader.locator("#rest-heading ~ table")).to_contain_text("planned")
    expect(wall.locator("[data-bind=countdown]")).to_have_text(
        re.compile(r"^(8[0-9]|90):\d\d$"), timeout=3000
    )


@pytest.mark.parametrize(("visibility", "expected"), [("open", 8), ("hidden", 0)])
def test_agenda_on_the_phone_obeys_visibility(
    browser, live_app, live_url, w2, visibility, expected
):
    from workshops.programme.models import Workshop

    with live_app.app_context():
        db.session.get(Workshop, w2["id"]).visibility = visibility
        db.session.commit()
    phone = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()

    phone.goto(f"{live_url}/j/{w2['code']}")

    expect(phone.locator("[data-bind=agenda] li")).to_have_count(expected)


def test_the_console_says_when_the_server_cannot_be_reached(browser, live_url, live_leader, w2):
    """Like the phones and the wall, the console tells the leader its polls fail, and stops
    saying so when they come through again."""
    leader = browser.new_context(locale="en-GB").new_page()
    log_in(leader, live_url, live_leader)
    leader.goto(f"{live_url}/projects/kanalbyen/workshops/{w2['id']}/console")
    notice = leader.locator("[data-bind=connection]")
    expect(notice).to_be_hidden()

    leader.route("**/state**", lambda route: route.abort())

    expect(notice).to_have_text("No connection to the server. Retrying…", timeout=20_000)
    leader.unroute("**/state**")
    expect(notice).to_be_hidden(timeout=20_000)
