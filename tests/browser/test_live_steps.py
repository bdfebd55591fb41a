"""The step drives the room, in a real browser: a W2 run from the console alone, three phones
and the wall follow (the vote opened and revealed, a re-plan applied after an overrun, a close
undone and resumed)."""

import os
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from tests.browser.test_live_workshop import log_in

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("KRAFTVERK_SCREENSHOTS")  # a folder to keep screenshots in, if set


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


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
        workshop = programme_builder.add_workshop(project, template="W2", starts_at=utcnow())
        workshop.visibility = "open"
        db.session.commit()
        return {
            "id": workshop.id,
            "code": workshop.join_code,
            "titles": [s.title for s in workshop.steps],
            "collects": [list(s.collects or []) for s in workshop.steps],
            "minutes": [s.minutes for s in workshop.steps],
        }


def phone(browser, live_url, code):
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors
    page.goto(f"{live_url}/j/{code}")
    return page


def test_a_w2_runs_from_the_console_alone(browser, live_url, live_leader, w2, monkeypatch):
    leader = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 1000}
    ).new_page()
    log_in(leader, live_url, live_leader)
    wall = leader.context.new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    phones = [phone(browser, live_url, w2["code"]) for _ in range(3)]
    console = f"{live_url}/projects/kanalbyen/workshops/{w2['id']}/console"
    leader.goto(console)
    wall.goto(f"{live_url}/w/{w2['code']}/wall")

    # To the step that collects ideas and votes, from the console.
    voting = w2["collects"].index(["ideas", "votes"])
    leader.get_by_role("button", name="Start the workshop").click()
    for _ in range(voting):
        leader.get_by_role("button", name="Next step").click()
    expect(leader.locator(".console-step-title")).to_have_text(w2["titles"][voting])
    for n, page in enumerate(phones):
        expect(page.locator("[data-bind=title]")).to_have_text(w2["titles"][voting])
        for k in range(2):
            page.get_by_role("textbox", name="Your idea").fill(f"Idea {n}.{k}")
            page.get_by_role("button", name="Send").click()
        expect(page.locator(".queue li.is-sent")).to_have_count(2)

    # One press opens the vote: six ideas give the minimum of three dots each.
    panel = leader.locator(".console-panel[data-kind=votes]")
    expect(panel.get_by_label("Dots each")).to_have_value("3")
    panel.get_by_role("button", name="Open the vote").click()
    pick = phones[0].locator("#idea-pick")
    expect(pick).to_be_visible(timeout=4000)
    expect(pick.locator(".dots-left")).to_have_text("Dots left: 3")
    card = pick.locator("li").filter(has_text="Idea 1.0")
    for left in (2, 1, 0):
        card.get_by_role("button", name="Give a dot").click()
        expect(pick.locator(".dots-left")).to_have_text(f"Dots left: {left}")
    expect(card.locator(".my-dots")).to_have_text("Your dots: ●●●")
    expect(pick.get_by_role("button", name="Give a dot").first).to_be_disabled()
    card.get_by_role("button", name="Take back a dot").click()
    expect(pick.locator(".dots-left")).to_have_text("Dots left: 1")
    phones[1].locator("#idea-pick li").filter(has_text="Idea 1.0").get_by_role(
        "button", name="Give a dot"
    ).click()
    expect(phones[1].locator("#idea-pick .dots-left")).to_have_text("Dots left: 2")
    # A phone offline keeps its dot queued and sends it, once, when the network is back.
    offline = phones[2].locator("#idea-pick")
    expect(offline.locator(".dots-left")).to_have_text("Dots left: 3")
    phones[2].context.set_offline(True)
    offline.locator("li").filter(has_text="Idea 0.0").get_by_role(
        "button", name="Give a dot"
    ).click()
    expect(offline.locator(".pick-message")).to_have_text("Waiting to be sent (1)")
    expect(offline.locator(".dots-left")).to_have_text("Dots left: 2")
    phones[2].context.set_offline(False)
    phones[2].evaluate("window.dispatchEvent(new Event('online'))")
    expect(offline.locator(".pick-message")).to_have_text("", timeout=8000)
    expect(leader.locator("[data-count=votes]")).to_have_text("4", timeout=4000)
    # The panel's own lines follow what is collected, without a reload.
    expect(panel).to_contain_text("3 phones have voted.", timeout=6000)

    # Results stay hidden until the leader shows them from the console.
    expect(pick.locator(".vote-total")).to_have_count(0)
    panel.get_by_role("button", name="Show the results").click()
    expect(pick.locator("li").filter(has_text="Idea 1.0").locator(".vote-total")).to_have_text(
        "Dots: 3", timeout=4000
    )
    shot(phones[0], "phone-vote")
    shot(leader, "console-vote")

    # An overrun: the server's clock jumps so that the rest of the day no longer fits (half of
    # its minutes must go); the console proposes a re-plan.
    rest = sum(w2["minutes"][voting + 1 :])
    real = utcnow
    later = lambda: real() + timedelta(minutes=sum(w2["minutes"]) - rest // 2)  # noqa: E731
    for module in ("workshops.live.views", "workshops.live.api"):
        monkeypatch.setattr(f"{module}.utcnow", later)
    apply = leader.get_by_role("button", name="Apply the new plan")
    expect(apply).to_be_visible(timeout=5000)
    shot(leader, "console-replan")
    agenda_before = phones[2].locator("[data-bind=agenda]").inner_text()
    apply.click()
    expect(leader.get_by_role("button", name="Apply the new plan")).to_have_count(0)
    expect(phones[2].locator("[data-bind=agenda]")).not_to_have_text(agenda_before, timeout=4000)
    # Every display counts on the server's clock: the step is over time everywhere.
    expect(leader.locator(".console-countdown")).to_have_text(re.compile("^−"))
    expect(phones[0].locator("[data-bind=countdown]")).to_have_text(re.compile("^−"))

    # Closing ends the vote; reopening and resuming brings everyone back to the step.
    leader.once("dialog", lambda d: d.accept())
    leader.get_by_role("button", name="Close the workshop").click()
    expect(phones[0].locator("[data-bind=title]")).to_have_text(
        re.compile("closed", re.I), timeout=4000
    )
    expect(pick).to_be_hidden()
    leader.get_by_role("button", name="Reopen").click()
    expect(leader.get_by_role("button", name="Resume")).to_be_visible()
    expect(phones[0].locator("[data-bind=prompt]")).to_contain_text("(Paused)", timeout=4000)
    leader.get_by_role("button", name="Resume").click()
    expect(leader.get_by_role("button", name="Pause")).to_be_visible()
    for page in phones:
        expect(page.locator("[data-bind=title]")).to_have_text(w2["titles"][voting])
        expect(page.locator("[data-bind=prompt]")).not_to_contain_text("(Paused)", timeout=4000)
    expect(pick).to_be_visible()  # the vote the close ended is open again
    expect(pick.locator(".dots-left")).to_have_text("Dots left: 1")
    expect(wall.locator("[data-bind=title]")).to_have_text(w2["titles"][voting])
    shot(wall, "wall")
    shot(leader, "console-resumed")
    assert [page.errors for page in phones] == [[], [], []]


def test_the_evaluation_step_puts_the_workshops_own_form_on_phones_and_wall(
    browser, live_app, live_url, live_leader
):
    from app.auth.models import user_by_email
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug="slusedal", name="Slusedal", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        workshop = programme_builder.add_workshop(project, template="W5", starts_at=utcnow())
        live.start(workshop, utcnow())
        last = len(workshop.steps) - 1
        while live.step_index(workshop) < last - 1:
            live.advance(workshop, workshop.current_step_id, utcnow())
        db.session.commit()
        code, workshop_id, title = workshop.join_code, workshop.id, workshop.title
    leader = browser.new_context(locale="en-GB").new_page()
    log_in(leader, live_url, live_leader)
    wall = leader.context.new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    wall.goto(f"{live_url}/w/{code}/wall")
    phone_page = phone(browser, live_url, code)
    card = phone_page.locator("[data-bind=evaluation]")
    expect(card).to_be_hidden()

    leader.goto(f"{live_url}/projects/slusedal/workshops/{workshop_id}/console")
    leader.get_by_role("button", name="Next step").click()
    expect(leader.locator(".console-panel[data-kind=evaluation]")).to_contain_text(
        "The form is open on the phones and the wall."
    )
    expect(card).to_be_visible(timeout=4000)
    expect(wall.locator(".wall-collect-evaluation")).to_contain_text("0 answers so far.")
    qr = wall.locator(".wall-collect-qr")
    expect(qr).to_be_visible()
    # Asked through the driver, not by a predicate string: the page's CSP forbids the eval a
    # string predicate needs while it polls.
    expect(qr).to_have_js_property("complete", True)
    assert qr.evaluate("image => image.naturalWidth") > 0
    shot(wall, "wall-evaluation")
    shot(phone_page, "phone-evaluation")

    phones = [phone_page, phone(browser, live_url, code), phone(browser, live_url, code)]
    for n, page in enumerate(phones):
        page.locator("[data-bind=evaluation]").get_by_role(
            "link", name="Answer the evaluation"
        ).click()
        expect(page.locator("h1")).to_contain_text(title)
        for question in page.locator("fieldset.question").all():
            question.locator("input").nth(n % 2).check()
        page.get_by_role("button", name="Send answers").click()
        expect(page.locator("main")).not_to_contain_text("Send answers")
    expect(wall.locator(".wall-collect-evaluation")).to_contain_text(
        "3 answers so far.", timeout=6000
    )
    shot(wall, "wall-evaluation-answered")
    # Back on the workshop's page, the phone says it has answered (remembered on the phone only).
    phones[0].goto(f"{live_url}/j/{code}")
    expect(phones[0].locator("[data-bind=evaluation-link]")).to_have_text(
        "You have answered. Thank you!", timeout=6000
    )
    shot(phones[0], "phone-evaluation-answered")
    with live_app.app_context():
        from evaluations import responses
        from evaluations.models import EvaluationForm

        form = db.session.scalars(
            db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop_id)
        ).one()
        assert responses.receipt_count(form) == 3
    assert all(page.errors == [] for page in phones)


def test_speed_meetings_and_a_product_sheet_on_the_phones(browser, live_app, live_url, live_leader):
    from app.auth.models import user_by_email
    from workshops.businesses.models import Business
    from workshops.live import clock as live
    from workshops.live import steps as collects
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug="verket", name="Verket", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        db.session.add_all([Business(project_id=project.id, name=n) for n in ("Smia", "Kaia")])
        w3 = programme_builder.add_workshop(project, template="W3", starts_at=utcnow())
        live.start(w3, utcnow())
        db.session.commit()
        w3_id, code = w3.id, w3.join_code
        pairing_step = next(n for n, s in enumerate(w3.steps) if "pairings" in collects.kinds_of(s))
    leader = browser.new_context(locale="en-GB").new_page()
    log_in(leader, live_url, live_leader)
    wall = leader.context.new_page()
    wall.set_viewport_size({"width": 1920, "height": 1080})
    wall.goto(f"{live_url}/w/{code}/wall")
    phones = [phone(browser, live_url, code) for _ in range(2)]
    for page, name in zip(phones, ("Smia", "Kaia"), strict=True):
        # The first step collects interests: the phone names its business once, in the page.
        page.get_by_label("The name of your business").fill(name)
        page.locator("#idea-pick").get_by_role("button", name="Save").click()
        expect(page.locator(".pick-business")).to_have_text(name)

    leader.goto(f"{live_url}/projects/verket/workshops/{w3_id}/console")
    for _ in range(pairing_step):
        leader.get_by_role("button", name="Next step").click()
    expect(leader.locator(".console-panel[data-kind=pairings]")).to_contain_text(
        "Round 1 of 3, 8 min: 1 table."
    )
    meeting = phones[0].locator("#meeting")
    # Each name between Unicode's isolates: a name's direction cannot reorder the sentence.
    expect(meeting).to_contain_text("Meet \u2068Kaia\u2069 at table 1.", timeout=4000)
    expect(wall.locator(".wall-tables")).to_contain_text(
        re.compile(
            "Table 1: (\u2068Smia\u2069 · \u2068Kaia\u2069|\u2068Kaia\u2069 · \u2068Smia\u2069)"
        )
    )
    meeting.get_by_role("button", name="We met").click()
    expect(meeting.get_by_role("button", name="Met")).to_be_disabled()
    shot(phones[0], "phone-meeting")
    shot(wall, "wall-meeting")
    assert [page.errors for page in phones] == [[], []]


def test_the_first_press_of_i_want_to_work_on_this_is_kept_while_the_phone_names_its_business(
    browser, live_app, live_url, live_leader
):
    from app.auth.models import user_by_email
    from workshops.ideas.models import Idea, Interest
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
        db.session.add(Idea(workshop_id=w3.id, text="Canal boat with dinner"))
        db.session.commit()
        code, w3_id = w3.join_code, w3.id
    leader = browser.new_context(locale="en-GB").new_page()
    log_in(leader, live_url, live_leader)
    leader.goto(f"{live_url}/projects/torget/workshops/{w3_id}/console")
    assert leader.locator('[data-count="interests"]').count() == 0  # none yet: no tile
    page = phone(browser, live_url, code)
    pick = page.locator("#idea-pick")
    pick.get_by_role("button", name="I want to work on this").click()

    pick.get_by_label("The name of your business").fill("Smia")
    pick.get_by_role("button", name="Save").click()

    expect(pick.locator(".pick-business")).to_have_text("Smia")
    expect(pick.get_by_role("button", name="You want to work on this")).to_be_disabled()
    with live_app.app_context():
        for _ in range(40):  # the phone's queue sends it at once; allow the request its time
            found = db.session.scalars(db.select(Interest.business_name)).all()
            if found:
                break
            db.session.remove()
            page.wait_for_timeout(100)
        assert found == ["Smia"]
    # The console's tile appears with the first interest, without a reload.
    expect(leader.locator('[data-count="interests"]')).to_have_text("1", timeout=6000)
    expect(leader.locator(".counts")).to_contain_text("Interest in ideas")
    assert page.errors == []


def test_a_phone_left_on_the_closed_page_goes_back_when_the_workshop_is_reopened(
    browser, live_app, live_url, started_w2
):
    from workshops.live import clock as live
    from workshops.programme.models import Workshop

    with live_app.app_context():
        live.close(db.session.get(Workshop, started_w2["id"]), utcnow())
        db.session.commit()
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.clock.install()
    page.goto(f"{live_url}/j/{started_w2['code']}")
    expect(page.get_by_text("This workshop is closed.")).to_be_visible()
    with live_app.app_context():
        live.reopen(db.session.get(Workshop, started_w2["id"]), utcnow())
        db.session.commit()

    page.clock.fast_forward(16_000)  # the page asks every 15 s

    expect(page.locator("#idea-capture")).to_be_visible(timeout=5000)


def test_a_steps_parallel_groups_come_and_go_on_an_open_phone(
    browser, live_app, live_url, started_w2
):
    from workshops.live import clock as live
    from workshops.programme.models import Workshop

    with live_app.app_context():
        workshop = db.session.get(Workshop, started_w2["id"])
        workshop.steps[1].tracks = [
            {"key": "mat", "title": "Mat", "prompt": "Hva har maten gitt deg?"},
            {"key": "tur", "title": "Tur", "prompt": "Hvor gikk turen?"},
        ]
        db.session.commit()
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_url}/j/{started_w2['code']}")
    prompts = page.locator("[data-bind=tracks] .track-prompt")
    expect(prompts).to_have_count(0)

    with live_app.app_context():
        workshop = db.session.get(Workshop, started_w2["id"])
        live.advance(workshop, workshop.current_step_id, utcnow())
        db.session.commit()
    expect(prompts).to_have_count(2, timeout=6000)
    expect(prompts.first).to_have_text("Mat Hva har maten gitt deg?")

    with live_app.app_context():
        workshop = db.session.get(Workshop, started_w2["id"])
        live.advance(workshop, workshop.current_step_id, utcnow())
        db.session.commit()
    expect(prompts).to_have_count(0, timeout=6000)


def test_a_hidden_button_stays_hidden_whatever_its_display_rule(browser, live_url, started_w2):
    page = browser.new_context(locale="en-GB").new_page()
    page.goto(f"{live_url}/j/{started_w2['code']}")
    page.evaluate(
        """() => { const b = document.createElement("button"); b.id = "probe"; b.hidden = true;
                   b.textContent = "Write on this phone instead"; document.body.appendChild(b); }"""
    )
    expect(page.locator("#probe")).to_be_hidden()


def test_two_tabs_of_one_phone_keep_each_others_queued_dots(browser, live_url, live_leader, w2):
    """Dots queued offline in two tabs of one phone: the tab that is closed first does not take
    the other's dot with it, nor does the other drop it; both arrive once, back online."""
    leader = browser.new_context(
        locale="en-GB", viewport={"width": 1280, "height": 1000}
    ).new_page()
    log_in(leader, live_url, live_leader)
    leader.goto(f"{live_url}/projects/kanalbyen/workshops/{w2['id']}/console")
    voting = w2["collects"].index(["ideas", "votes"])
    leader.get_by_role("button", name="Start the workshop").click()
    for _ in range(voting):
        leader.get_by_role("button", name="Next step").click()
    first = phone(browser, live_url, w2["code"])
    for text in ("Canal weekend", "Smithy evening"):
        first.get_by_role("textbox", name="Your idea").fill(text)
        first.get_by_role("button", name="Send").click()
    expect(first.locator(".queue li.is-sent")).to_have_count(2)
    leader.locator(".console-panel[data-kind=votes]").get_by_role(
        "button", name="Open the vote"
    ).click()
    second = first.context.new_page()
    second.errors = []
    second.on("pageerror", lambda error: second.errors.append(str(error)))
    second.goto(f"{live_url}/j/{w2['code']}")
    for page in (first, second):
        expect(page.locator("#idea-pick .dots-left")).to_have_text("Dots left: 3", timeout=4000)

    first.context.set_offline(True)
    for page, idea in ((first, "Canal weekend"), (second, "Smithy evening")):
        page.locator("#idea-pick li").filter(has_text=idea).get_by_role(
            "button", name="Give a dot"
        ).click()
    expect(second.locator("#idea-pick .pick-message")).to_have_text("Waiting to be sent (2)")
    first.close()
    second.context.set_offline(False)
    second.evaluate("window.dispatchEvent(new Event('online'))")

    expect(second.locator("#idea-pick .pick-message")).to_have_text("", timeout=8000)
    expect(second.locator("#idea-pick .dots-left")).to_have_text("Dots left: 1", timeout=8000)
    expect(leader.locator("[data-count=votes]")).to_have_text("2", timeout=6000)
    assert second.errors == []
