"""Faults (issue 9) in a real browser: while the server answers 503 the phone keeps the idea."""

import json

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.test_ideas import phone, send

pytestmark = pytest.mark.browser


@pytest.fixture
def w2(live_app):
    from app.db import utcnow
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(projects.ProjectData(slug="faults", name="Faults", language="en"))
        workshop = programme_builder.add_workshop(project, template="W2")
        live.start(workshop, utcnow())
        db.session.commit()
        return {"id": workshop.id, "code": workshop.join_code}


def test_phone_keeps_the_idea_while_the_server_is_busy_and_sends_it_once_after(
    browser, live_app, live_url, w2
):
    from workshops.ideas.models import Idea

    page = phone(browser, live_url, w2["code"])
    busy: list[str] = []

    def unavailable(route):
        if route.request.method != "POST":
            route.continue_()
            return
        busy.append(route.request.headers.get("idempotency-key", ""))
        route.fulfill(
            status=503,
            headers={"Retry-After": "1", "Content-Type": "application/json"},
            body=json.dumps({"error": "unavailable", "message": "The service is busy."}),
        )

    page.route("**/ideas", unavailable)
    send(page, "Sent while the database was busy")
    expect(page.locator(".queue li.is-waiting")).to_have_count(1)
    for _ in range(100):  # the phone retries after Retry-After: wait for two refused tries
        if len(busy) >= 3:
            break
        page.wait_for_timeout(100)
    assert len(busy) >= 3, busy
    assert len(set(busy)) == 1, "a retry must use the same Idempotency-Key"
    expect(page.locator(".queue li.is-waiting")).to_have_count(1)
    expect(page.locator(".queue li.is-failed")).to_have_count(0)
    with live_app.app_context():
        assert db.session.query(Idea).count() == 0

    page.unroute("**/ideas")

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=15_000)
    expect(page.locator(".queue li.is-waiting")).to_have_count(0)
    with live_app.app_context():
        assert [i.text for i in db.session.query(Idea)] == ["Sent while the database was busy"]
    page.context.close()
