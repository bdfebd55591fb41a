"""The wall on a 1920x1080 projector: every idea card shown lies inside the screen.

The screenshots are kept in pytest's temporary folder (wall-5.png, wall-30.png, ...) to look at.
"""

import re

import pytest
from playwright.sync_api import expect

from app.db import utcnow
from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

SCREEN = {"width": 1920, "height": 1080}
WORDS = [
    "sykkelbuss",
    "kajakk",
    "kanalhelg",
    "padling",
    "lokalmat",
    "sauna",
    "fortelling",
    "lysløype",
]


@pytest.fixture
def w2(started_w2):
    return started_w2


def add_ideas(live_app, code, count, start=0, long_every=0):
    from workshops.ideas import capture

    with live_app.app_context():
        for n in range(start, start + count):
            words = " ".join(WORDS[(n + k) % len(WORDS)] for k in range(3 + n % 9))
            text = f"{n}: {words}"
            if long_every and n % long_every == 0:
                text = f"{n}: " + ("Et langt forslag om kanalbyen og sommeren. " * 14)[:600]
            capture.submit(code, text, device=f"wall-device-{n}")


def wall_page(browser, live_url, email, code):
    page = browser.new_context(locale="en-GB", viewport=SCREEN).new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_url}/login?lang=en")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/projects$"))
    page.goto(f"{live_url}/w/{code}/wall")
    return page, errors


def shown_cards(page):
    """Boxes of every idea card on the wall, and the page's scroll size."""
    return page.evaluate(
        """() => ({
            cards: [...document.querySelectorAll('.wall-idea')].map(c => {
                const r = c.getBoundingClientRect();
                return {left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                        size: parseFloat(getComputedStyle(c).fontSize)};
            }),
            scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
        })"""
    )


def assert_inside(found):
    assert found["scroll"] == [SCREEN["width"], SCREEN["height"]]  # nothing to scroll
    for box in found["cards"]:
        assert box["left"] >= 0 and box["top"] >= 0
        assert box["right"] <= SCREEN["width"] and box["bottom"] <= SCREEN["height"], box


def test_every_card_lies_inside_the_screen_at_5_30_and_300_ideas(
    browser, live_app, live_url, live_leader, w2, tmp_path
):
    page, errors = wall_page(browser, live_url, live_leader, w2["code"])
    sizes = {}
    total = 0
    for count in (5, 30, 300):
        add_ideas(live_app, w2["code"], count - total, start=total, long_every=7)
        total = count
        newest = f"{count - 1}: "
        expect(page.locator(".wall-idea").first).to_contain_text(newest, timeout=5000)
        page.wait_for_timeout(400)  # the fit settles after the band on top shrinks
        found = shown_cards(page)
        page.screenshot(path=str(tmp_path / f"wall-{count}.png"))
        assert_inside(found)
        sizes[count] = (len(found["cards"]), min(c["size"] for c in found["cards"]))
        assert min(c["size"] for c in found["cards"]) >= 32

    assert sizes[5][0] == 5 and sizes[30][0] == 30  # all of them, bigger text for fewer
    assert sizes[5][1] > sizes[30][1]
    assert 10 <= sizes[300][0] < 300  # the newest that fit; the rest rotate in pages
    expect(page.locator(".wall-page")).to_contain_text("of 300")
    assert errors == []


def test_a_long_idea_is_cut_on_its_card_and_whole_in_the_spotlight(
    browser, live_app, live_url, live_leader, w2, tmp_path
):
    from workshops.ideas import capture
    from workshops.programme.models import Workshop

    long_text = (
        "Start. " + "Kanalbyen kan samle alle båtene til en stor sommerfest. " * 30 + "Slutt."
    )
    with live_app.app_context():
        stored = capture.submit(w2["code"], long_text[:2000], device="long-device")
    page, errors = wall_page(browser, live_url, live_leader, w2["code"])
    card = page.locator(".wall-idea").first
    expect(card).to_contain_text("Start.")
    # Measured in one call: every poll may re-render the list, detaching the card a
    # locator found a moment before.
    height = page.evaluate(
        "() => document.querySelector('.wall-idea').getBoundingClientRect().height"
    )
    assert height < 400  # cut to a few lines

    with live_app.app_context():
        workshop = db.session.get(Workshop, w2["id"])
        workshop.spotlight_idea_id = stored.id
        workshop.state_version += 1
        db.session.commit()
    spot = page.locator(".wall-spotlight")
    expect(spot).to_contain_text("Slutt.", timeout=5000)
    page.wait_for_timeout(300)
    fits = page.evaluate(
        """() => { const s = document.querySelector('.wall-spotlight');
                   return s.scrollHeight <= s.clientHeight + 1 && s.getBoundingClientRect().bottom <= 1080; }"""
    )
    page.screenshot(path=str(tmp_path / "wall-spotlight.png"))
    assert fits
    assert errors == []


def test_theme_layout_shows_groups_with_counts_and_a_closed_wall_keeps_its_ideas(
    browser, live_app, live_url, live_leader, w2, tmp_path
):
    from workshops.ideas import capture
    from workshops.ideas.models import Idea
    from workshops.live import clock as live
    from workshops.programme.models import Workshop

    add_ideas(live_app, w2["code"], 6)
    with live_app.app_context():
        workshop = db.session.get(Workshop, w2["id"])
        water = capture.create_theme(workshop, "Vann")
        db.session.flush()
        for idea in db.session.query(Idea).filter(Idea.workshop_id == workshop.id).limit(4):
            capture.set_theme(idea, water, None, utcnow())
        workshop.wall_layout = "theme"
        workshop.state_version += 1
        db.session.commit()
    page, errors = wall_page(browser, live_url, live_leader, w2["code"])

    groups = page.locator(".wall-group")
    expect(groups).to_have_text(["Vann · 4", "No theme yet · 2"], timeout=5000)
    page.screenshot(path=str(tmp_path / "wall-themes.png"))
    assert_inside(shown_cards(page))

    with live_app.app_context():
        live.close(db.session.get(Workshop, w2["id"]), utcnow())
        db.session.commit()
    page.reload()
    expect(page.locator("[data-bind=title]")).to_have_text("Thank you!")
    expect(page.locator(".wall-idea")).to_have_count(6, timeout=5000)
    assert errors == []


def test_a_phone_keeps_the_ideas_queued_by_older_javascript(browser, live_app, live_url, w2):
    """Static URLs carry the file's version; the new ideas.js sends what the old one queued."""
    from workshops.ideas.models import Idea

    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_url}/j/{w2['code']}")
    script = page.locator("script[src*='js/ideas.js']").get_attribute("src")
    queued = [{"key": "old-js-key-0001", "text": "Queued before the update", "state": "waiting"}]
    page.evaluate(
        "([key, queue]) => localStorage.setItem(key, JSON.stringify(queue))",
        [f"kraftverk-queue-{w2['code']}", queued],
    )
    page.reload()

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=5000)
    assert re.search(r"/static/js/ideas\.js\?v=[0-9a-f]+$", script)
    with live_app.app_context():
        assert [i.text for i in db.session.query(Idea)] == ["Queued before the update"]


def test_the_join_code_stands_on_one_line_inside_its_box(browser, live_url, live_leader, w2):
    """People type what they read: a code broken over two lines was read as five characters."""
    page, errors = wall_page(browser, live_url, live_leader, w2["code"])
    for width, height in ((1920, 1080), (1280, 720), (1024, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(300)
        code = page.locator(".wall-code").first
        expect(code).to_have_text(w2["code"])
        lines = code.evaluate(
            "e => Math.round(e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight))"
        )
        box, join = code.bounding_box(), page.locator(".wall-join").first.bounding_box()
        assert lines == 1, (width, lines)
        assert box["x"] + box["width"] <= join["x"] + join["width"], width
    assert errors == []


def test_the_step_title_keeps_its_descenders_once_ideas_are_shown(
    browser, live_app, live_url, live_leader, w2
):
    """With ideas on the wall the title is clamped to two lines; its box must hold the tails of
    g, j and y (a walk saw "Dristige" cut at the baseline on the projector)."""
    from workshops.programme.models import Workshop

    with live_app.app_context():
        workshop = db.session.get(Workshop, w2["id"])
        workshop.steps[0].title = "Dristige og gjestfrie ygg"
        workshop.state_version += 1
        db.session.commit()
    add_ideas(live_app, w2["code"], 5)
    page, errors = wall_page(browser, live_url, live_leader, w2["code"])
    expect(page.locator(".wall-idea")).to_have_count(5, timeout=6000)
    title = page.locator(".wall-grid.has-ideas h1")
    expect(title).to_have_text("Dristige og gjestfrie ygg")
    # The line box as tall as the font's ascent and descent: nothing of a glyph overflows it.
    clipped = title.evaluate("e => e.scrollHeight - e.clientHeight")
    assert clipped <= 0, clipped
    assert errors == []
