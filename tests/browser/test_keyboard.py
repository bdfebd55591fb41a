"""Keyboard-only journeys: Tab, Shift+Tab, Enter, Space and typing, never the mouse.

Every control reached on the way must show where the focus is (an outline or a box shadow).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

MAX_TABS = 80

FOCUS_STYLE = """() => {
  const element = document.activeElement;
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  let marked = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
  // A check box or radio button inside its label shows the focus on the label.
  const label = element.closest("label");
  if (!marked && label) {
    const outer = getComputedStyle(label);
    marked = outer.outlineStyle !== "none" || outer.boxShadow !== "none";
  }
  return {
    tag: element.tagName.toLowerCase(),
    text: (element.innerText || element.value || element.name || "").trim().slice(0, 60),
    marked,
  };
}"""


def focus(page) -> dict | None:
    return page.evaluate(FOCUS_STYLE)


def tab_to(page, test: str, *, backwards: bool = False, arg=None) -> dict:
    """Press Tab (or Shift+Tab) until the focused element passes the JavaScript `test`.

    Every element the focus lands on must show a visible focus indicator.
    """
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        page.keyboard.press(key)
        focused = focus(page)
        if focused is None:
            continue
        assert focused["marked"], f"no visible focus on {focused}"
        if page.evaluate(f"arg => {{ const el = document.activeElement; return {test}; }}", arg):
            return focused
    raise AssertionError(f"{key} never reached an element where {test}")


def keyboard_log_in(page, live_url: str, email: str) -> None:
    page.goto(f"{live_url}/login?lang=en")
    tab_to(page, "el.name === 'email'")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/projects$"))


@pytest.fixture
def project(live_app, live_leader):
    from app.auth.models import user_by_email
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug="kanalbyen", name="Kanalbyen", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        db.session.commit()
        return project.id


def new_workshop(live_app, project_id: int, *, started: bool) -> dict:
    from app.db import utcnow
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects.models import Project

    with live_app.app_context():
        project = db.session.get(Project, project_id)
        workshop = programme_builder.add_workshop(project, template="W2")
        workshop.visibility = "open"
        if started:
            live.start(workshop, utcnow())
        db.session.commit()
        return {
            "id": workshop.id,
            "code": workshop.join_code,
            "steps": [s.id for s in workshop.steps],
            "titles": [s.title for s in workshop.steps],
        }


def test_participant_joins_with_the_code_and_sends_an_idea(browser, live_app, live_url, project):
    from workshops.ideas.models import Idea

    workshop = new_workshop(live_app, project, started=True)
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_url}/?lang=en")

    tab_to(page, "el.id === 'join-code'")
    page.keyboard.type(workshop["code"].lower())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"/j/{workshop['code']}$"))

    tab_to(page, "el.id === 'idea-text'")
    page.keyboard.type("Lantern walk along the canal")
    sent = tab_to(page, "el.type === 'submit'")
    assert sent["text"] == "Send"
    page.keyboard.press("Enter")

    expect(page.locator(".queue li.is-sent")).to_have_count(1, timeout=5000)
    with live_app.app_context():
        assert [i.text for i in db.session.query(Idea)] == ["Lantern walk along the canal"]


def test_respondent_answers_an_evaluation_form(browser, live_app, live_url, project):
    from evaluations import builder, store
    from evaluations.models import EvaluationForm

    workshop = new_workshop(live_app, project, started=False)
    with live_app.app_context():
        form = db.session.scalar(
            db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop["id"])
        )
        builder.set_status(form, "open")
        db.session.commit()
        token = form.token
    page = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844}).new_page()
    page.goto(f"{live_url}/e/{token}?lang=en")

    # Tab through the form: Space picks the first choice of every group, text gets typed.
    answered: set[str] = set()
    while True:
        focused = tab_to(page, "el.closest('form.answer-form') !== null")
        kind = page.evaluate("() => document.activeElement.type")
        name = page.evaluate("() => document.activeElement.name")
        if kind == "submit":
            break
        if kind in ("radio", "checkbox") and name not in answered:
            page.keyboard.press("Space")
            answered.add(name)
        elif kind == "textarea":
            page.keyboard.type("Met the cider makers")
            answered.add(name)
    assert focused["text"] == "Send answers"
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(r"/thanks$"))
    with live_app.app_context():
        assert store.count(form.id) == 1
    assert len(answered) >= 5


def test_leader_starts_a_workshop_and_moves_to_the_next_step(
    browser, live_app, live_url, live_leader, project
):
    from workshops.programme.models import Workshop

    workshop = new_workshop(live_app, project, started=False)
    page = browser.new_context(locale="en-GB").new_page()
    keyboard_log_in(page, live_url, live_leader)
    page.goto(f"{live_url}/projects/kanalbyen/workshops/{workshop['id']}/console")

    tab_to(page, "el.innerText.trim() === arg", arg="Start the workshop")
    page.keyboard.press("Enter")
    expect(page.locator(".console-step-title")).to_have_text(workshop["titles"][0])

    tab_to(page, "el.innerText.trim() === arg", arg="Next step")
    page.keyboard.press("Space")
    expect(page.locator(".console-step-title")).to_have_text(workshop["titles"][1])
    with live_app.app_context():
        assert db.session.get(Workshop, workshop["id"]).current_step_id == workshop["steps"][1]


def test_leader_adds_a_step_and_moves_it_up(browser, live_app, live_url, live_leader, project):
    from workshops.programme.models import Workshop

    workshop = new_workshop(live_app, project, started=False)
    page = browser.new_context(locale="en-GB").new_page()
    keyboard_log_in(page, live_url, live_leader)
    page.goto(f"{live_url}/projects/kanalbyen/workshops/{workshop['id']}")

    tab_to(page, "el.innerText.trim() === arg", arg="Add a step")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a step")
    tab_to(page, "el.name === 'title'")
    page.keyboard.type("Coffee with the cider makers")
    page.keyboard.press("Tab")
    page.keyboard.press("Control+A")
    page.keyboard.type("20")
    tab_to(page, "el.type === 'submit'")
    page.keyboard.press("Enter")
    expect(page.locator(".step-list > li").last).to_contain_text("Coffee with the cider makers")

    # The new step is last; move it up twice. Shift+Tab from the details form finds its button.
    for _ in range(2):
        tab_to(page, "el.name === 'title'")
        tab_to(
            page,
            "el.innerText.includes('Move up') && el.innerText.includes(arg)",
            backwards=True,
            arg="Coffee with the cider makers",
        )
        with page.expect_navigation():
            page.keyboard.press("Enter")

    with live_app.app_context():
        titles = [s.title for s in db.session.get(Workshop, workshop["id"]).steps]
    assert titles[-3:] == ["Coffee with the cider makers", *workshop["titles"][-2:]]
    expect(page.locator(".step-list > li").nth(len(titles) - 3)).to_contain_text(
        "Coffee with the cider makers"
    )
