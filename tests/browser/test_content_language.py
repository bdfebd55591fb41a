"""On a wall shown in another language, the ideas carry the project's language (WCAG 3.1.2)."""

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from tests.browser.test_wall import wall_page

pytestmark = pytest.mark.browser


def _workshop(live_app, live_leader, language):
    from app.auth.models import user_by_email
    from workshops.ideas import capture
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug=f"sluse-{language}", name="Slusedal", language=language),
            leaders=[user_by_email(live_leader)],
        )
        workshop = programme_builder.add_workshop(project, template="W2")
        live.start(workshop, utcnow())
        db.session.commit()
        capture.submit(workshop.join_code, "Padletur med middag", device="lang-device-1")
        return workshop.join_code


def test_ideas_on_an_english_wall_of_a_norwegian_project_are_marked_nb(
    browser, live_app, live_url, live_leader
):
    code = _workshop(live_app, live_leader, "nb")
    page, errors = wall_page(browser, live_url, live_leader, code)  # the page is in English
    idea = page.locator(".wall-idea-text").first

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(idea).to_have_text("Padletur med middag", timeout=5000)
    expect(idea).to_have_attribute("lang", "nb")
    assert errors == []


def test_ideas_on_a_wall_in_the_projects_own_language_carry_no_extra_lang(
    browser, live_app, live_url, live_leader
):
    code = _workshop(live_app, live_leader, "en")
    page, errors = wall_page(browser, live_url, live_leader, code)
    idea = page.locator(".wall-idea-text").first

    expect(idea).to_have_text("Padletur med middag", timeout=5000)
    assert idea.get_attribute("lang") is None and errors == []
