"""A process leader logs in, creates a project, switches language and reads the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_leader_logs_in_creates_a_project_and_switches_language(page, live_url, live_leader):
    page.goto(f"{live_url}/login")
    page.get_by_label("E-post").fill(live_leader)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page).to_have_url(re.compile(r"/projects$"))

    page.get_by_role("link", name="Nytt prosjekt").click()
    page.get_by_label("Navn", exact=True).fill("Elvedal <b>2027</b>")
    page.get_by_label("Kortnavn i nettadresser").fill("elvedal-2027")
    page.get_by_label("Kommune eller region").fill("Elvedal kommune")
    page.get_by_label("Idéer", exact=True).fill("45")
    page.get_by_role("button", name="Lagre").click()

    expect(page).to_have_url(re.compile(r"/projects/elvedal-2027$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Elvedal <b>2027</b>")
    expect(page.locator(".target").filter(has_text="Idéer")).to_contain_text("0 / 45")

    page.get_by_role("link", name=re.compile("^EN")).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Targets")).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Targets")).to_be_visible()


def test_keyboard_user_can_skip_to_content(page, live_url):
    page.goto(f"{live_url}/")
    page.keyboard.press("Tab")

    skip = page.get_by_role("link", name="Gå til innholdet")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#main$"))


def test_front_page_fits_a_phone(browser, live_url):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="sv-SE")
    page = context.new_page()
    page.goto(f"{live_url}/")

    width = page.evaluate("document.documentElement.scrollWidth")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert width <= 360
    context.close()


def test_front_page_reflows_at_200_percent_zoom_on_a_phone(browser, live_url):
    """A 390 px phone zoomed to 200 % lays out 195 CSS px: joining needs no sideways scroll."""
    context = browser.new_context(viewport={"width": 195, "height": 422}, locale="nb-NO")
    page = context.new_page()
    page.goto(f"{live_url}/")

    button = page.locator(".join-form button").first.bounding_box()
    assert page.evaluate("document.documentElement.scrollWidth") <= 195
    assert button["x"] + button["width"] <= 195
    context.close()
