"""A person finds a workshop in the calendar on a phone, registers, and cancels via the link."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from workshops import codes
from workshops.programme.models import Workshop
from workshops.projects import service as projects

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 740}


@pytest.fixture
def public_workshop(live_app) -> int:
    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(
                slug="slusedal", name="Slusedal 2027", municipality="Slusedal", language="en"
            )
        )
        workshop = Workshop(
            project_id=project.id,
            title="Workshop 1: Getting to know each other",
            starts_at=utcnow() + timedelta(days=10),
            place="Slusedal community hall",
            theme="Food and drink",
            capacity=20,
            join_code=codes.new_code(),
            is_public=True,
        )
        db.session.add(workshop)
        db.session.commit()
        return workshop.id


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_person_registers_on_a_phone_and_cancels_with_the_link(browser, live_url, public_workshop):
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_url}/calendar")
    expect(page.get_by_text("20 places left")).to_be_visible()
    assert fits(page)
    page.get_by_role("link", name=re.compile("^Register")).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Workshop 1: Getting to know each other"
    )
    assert fits(page)
    page.get_by_label("Your name").fill("Kari <b>Nordmann</b>")
    page.get_by_label("Business").fill("Kari's Kafé")
    page.get_by_label("E-mail").fill("kari@example.org")
    page.get_by_label("Dietary needs").fill("Vegetarian")
    page.get_by_label(re.compile("may contact me")).check()
    page.get_by_role("button", name="Register").click()

    expect(page.get_by_role("heading", name="You are registered")).to_be_visible()
    expect(page.get_by_text("Welcome, Kari <b>Nordmann</b>!")).to_be_visible()
    assert fits(page)
    confirmation_url = page.url

    page.get_by_role("link", name="Cancel my registration").click()
    expect(page.get_by_role("heading", name="Cancel your registration?")).to_be_visible()
    page.get_by_role("button", name="Yes, cancel").click()

    expect(page).to_have_url(confirmation_url)
    expect(page.get_by_role("heading", name="Your registration is cancelled")).to_be_visible()
    page.goto(f"{live_url}/calendar")
    expect(page.get_by_text("20 places left")).to_be_visible()  # the place is free again
    assert errors == []
    context.close()
