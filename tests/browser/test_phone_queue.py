"""What a phone on a poor connection queued reaches the workshop as it was meant: an idea in the
step it was written in, also just after the close; a closed workshop's page sends what is left
and shows what it could not send; a refused dot is said; the keyboard keeps its place."""

import json

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.browser.test_phone_and_wall_follow_the_state import add_ideas, change, open_vote

pytestmark = pytest.mark.browser


def phone(browser, live_url, code):
    """A 390 px phone on the workshop's page, once it has polled the state (the step it shows)."""
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    state = f"{live_url}/api/v1/workshops/{code}"
    with page.expect_response(lambda r: r.url == state and r.status == 200):
        page.goto(f"{live_url}/j/{code}")
    page.wait_for_timeout(100)  # the state's event reaches ideas.js
    return page


def send(page, text):
    page.get_by_role("textbox", name="Your idea").fill(text)
    page.get_by_role("button", name="Send").click()


def steps_of(live_app, workshop_id):
    from workshops.programme.models import Workshop

    with live_app.app_context():
        return [step.id for step in db.session.get(Workshop, workshop_id).steps]


def stored(live_app):
    """(text, step id) of every idea stored."""
    from workshops.ideas.models import Idea

    with live_app.app_context():
        return sorted((idea.text, idea.step_id) for idea in db.session.query(Idea))


def advance(workshop, now, times=1):
    from workshops.live import clock as live

    for _ in range(times):
        live.advance(workshop, workshop.current_step_id, now)


def close(workshop, now):
    from workshops.live import clock as live

    live.close(workshop, now)


def test_an_idea_queued_offline_is_stored_in_the_step_it_was_written_in(
    browser, live_app, live_url, started_w2
):
    page = phone(browser, live_url, started_w2["code"])
    page.context.set_offline(True)
    send(page, "Written in the first step")
    expect(page.locator(".queue li.is-waiting")).to_have_count(1)
    change(live_app, started_w2["id"], lambda workshop, now: advance(workshop, now, times=2))

    page.context.set_offline(False)

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=10_000)
    first = steps_of(live_app, started_w2["id"])[0]
    assert stored(live_app) == [("Written in the first step", first)]
    assert page.errors == []


def test_an_idea_queued_before_the_close_is_stored_after_it(
    browser, live_app, live_url, started_w2
):
    page = phone(browser, live_url, started_w2["code"])
    page.context.set_offline(True)
    send(page, "Checkout on a slow line")
    change(live_app, started_w2["id"], close)

    page.context.set_offline(False)

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=10_000)
    first = steps_of(live_app, started_w2["id"])[0]
    assert stored(live_app) == [("Checkout on a slow line", first)]
    expect(page.get_by_role("button", name="Send again")).to_have_count(0)
    assert page.errors == []


def test_the_closed_page_sends_what_the_phone_still_had_queued(
    browser, live_app, live_url, started_w2
):
    page = phone(browser, live_url, started_w2["code"])
    page.context.set_offline(True)
    send(page, "Queued, then the page reloaded")
    change(live_app, started_w2["id"], close)
    page.route("**/ideas", lambda route: route.abort())  # not sent before the reload
    page.context.set_offline(False)
    page.reload()  # the closed workshop's page (410)
    expect(page.get_by_text("This workshop is closed.")).to_be_visible()
    page.unroute("**/ideas")

    sent = page.locator("#closed .queue li.is-sent")
    expect(sent).to_have_count(1, timeout=10_000)
    expect(sent).to_contain_text("Queued, then the page reloaded")
    first = steps_of(live_app, started_w2["id"])[0]
    assert stored(live_app) == [("Queued, then the page reloaded", first)]
    assert page.errors == []


def test_the_closed_page_shows_a_queued_idea_it_could_not_send(
    browser, live_app, live_url, started_w2
):
    """An idea queued before the phone knew its step (an older page) is refused once closed."""
    code = started_w2["code"]
    change(live_app, started_w2["id"], close)
    old = {"key": "ab" * 16, "id": "ab" * 16, "text": "Keep me, please", "state": "waiting"}
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    context.add_init_script(
        f"window.localStorage.setItem('kraftverk-queue-{code}', {json.dumps(json.dumps([old]))})"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{live_url}/j/{code}")

    failed = page.locator("#closed .queue li.is-failed")
    expect(failed).to_have_count(1, timeout=10_000)
    expect(failed).to_contain_text("Keep me, please")
    expect(failed).to_contain_text("Copy the text")
    expect(page.locator("#closed button")).to_have_count(0)
    assert stored(live_app) == []
    assert errors == []


def test_the_phone_offers_no_send_again_that_can_only_fail_while_closed(
    browser, live_app, live_url, started_w2
):
    """An idea queued by an older page, without its step, is refused by the closed workshop."""
    code = started_w2["code"]
    old = {"key": "cd" * 16, "id": "cd" * 16, "text": "Without its step", "state": "waiting"}
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    context.add_init_script(
        f"window.localStorage.setItem('kraftverk-queue-{code}', {json.dumps(json.dumps([old]))})"
    )
    context.route("**/ideas", lambda route: route.abort())  # not sent while the workshop is open
    page = context.new_page()
    page.goto(f"{live_url}/j/{code}")
    change(live_app, started_w2["id"], close)
    expect(page.locator("#idea-capture form")).to_be_hidden(timeout=6000)  # the close is heard

    context.unroute("**/ideas")
    page.evaluate("window.dispatchEvent(new Event('online'))")

    failed = page.locator(".queue li.is-failed")
    expect(failed).to_have_count(1, timeout=6000)
    expect(failed).to_contain_text("Without its step")
    expect(failed).to_contain_text("Copy the text")
    expect(failed.get_by_role("button", name="Send again")).to_have_count(0)
    assert stored(live_app) == []


def test_a_dot_refused_once_the_vote_closed_is_said_in_sight(
    browser, live_app, live_url, started_w2
):
    from workshops.ideas import votes

    add_ideas(live_app, started_w2["code"], "Canal weekend")
    open_vote(live_app, started_w2["id"])
    page = phone(browser, live_url, started_w2["code"])
    card = page.locator("#idea-pick li").filter(has_text="Canal weekend")
    expect(card).to_be_visible(timeout=6000)
    page.context.set_offline(True)
    card.get_by_role("button", name="Give a dot").click()
    change(live_app, started_w2["id"], votes.close_open)

    page.context.set_offline(False)

    notice = page.locator("#pick-notice")
    expect(notice).to_be_visible(timeout=10_000)
    expect(notice).to_contain_text("Your dot was not counted. No vote is open right now.")
    expect(page.locator("#idea-pick")).to_be_hidden(timeout=12_000)
    notice.get_by_role("button", name="OK").click()
    expect(notice).to_be_hidden()
    assert page.errors == []


def test_the_keyboard_stays_on_give_a_dot_after_a_press_and_a_refresh(
    browser, live_app, live_url, started_w2
):
    add_ideas(live_app, started_w2["code"], "First idea", "Second idea", "Third idea")
    open_vote(live_app, started_w2["id"])
    page = phone(browser, live_url, started_w2["code"])
    card = page.locator("#idea-pick li").filter(has_text="Second idea")
    button = card.get_by_role("button", name="Give a dot")
    expect(button).to_be_enabled(timeout=6000)
    button.focus()

    page.keyboard.press("Space")

    expect(card.locator(".my-dots")).to_contain_text("●", timeout=6000)
    assert page.evaluate("document.activeElement.textContent") == "Give a dot"
    assert page.evaluate("document.activeElement.closest('li').textContent").startswith(
        "Second idea"
    )
    add_ideas(live_app, started_w2["code"], "Fourth idea")  # the list is drawn anew
    expect(page.locator("#idea-pick li")).to_have_count(4, timeout=8000)
    assert page.evaluate("document.activeElement.closest('li').textContent").startswith(
        "Second idea"
    )
    page.keyboard.press("Space")
    page.keyboard.press("Space")  # the last dot: "Give a dot" is disabled, "Take back" has it
    expect(card.locator(".my-dots")).to_contain_text("●●●", timeout=6000)
    assert page.evaluate("document.activeElement.textContent") == "Take back a dot"
    assert page.errors == []


def test_the_keyboard_stays_with_an_idea_sent_again(browser, live_app, live_url, started_w2):
    page = phone(browser, live_url, started_w2["code"])
    page.route("**/ideas", lambda route: route.fulfill(status=422, json={"error": "x"}))
    send(page, "Refused once")
    again = page.get_by_role("button", name="Send again")
    expect(again).to_be_visible()
    page.unroute("**/ideas")
    again.focus()

    page.keyboard.press("Enter")

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=6000)
    assert page.evaluate("document.activeElement.closest('li') !== null")
    assert page.evaluate("document.activeElement.textContent").startswith("Refused once")
    assert page.errors == []


def test_the_keyboard_stays_with_the_idea_after_i_want_to_work_on_this(
    browser, live_app, live_url, live_leader
):
    from app.auth.models import user_by_email
    from app.db import utcnow
    from workshops.ideas.models import Idea
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug="torget", name="Torget", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        w3 = programme_builder.add_workshop(project, template="W3", starts_at=utcnow())
        live.start(w3, utcnow())  # W3 opens on a step that collects interests
        db.session.add_all([Idea(workshop_id=w3.id, text=t) for t in ("Boat trip", "Farm dinner")])
        db.session.commit()
        code = w3.join_code
    page = phone(browser, live_url, code)
    pick = page.locator("#idea-pick")
    boat = pick.locator("li").filter(has_text="Boat trip")
    boat.get_by_role("button", name="I want to work on this").focus()
    page.keyboard.press("Enter")  # asks for the business first
    page.keyboard.type("Smia")

    page.keyboard.press("Enter")

    expect(boat.get_by_role("button", name="You want to work on this")).to_be_disabled()
    assert page.evaluate("document.activeElement.textContent").startswith("Boat trip")
    farm = pick.locator("li").filter(has_text="Farm dinner")
    farm.get_by_role("button", name="I want to work on this").focus()
    page.keyboard.press("Enter")
    expect(farm.get_by_role("button", name="You want to work on this")).to_be_disabled()
    assert page.evaluate("document.activeElement.textContent").startswith("Farm dinner")
    assert page.errors == []
