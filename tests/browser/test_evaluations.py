"""Two phones answer Form A in Norwegian and English; the leader then sees pies and tables."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Until the lead adds the new strings to the catalogues, the page may show the English source.
SEND = re.compile("^(Send svar|Send answers)$")


@pytest.fixture
def open_form_a(live_app, live_leader):
    """A project led by the live leader, a workshop with steps, and its Form A opened."""
    from app.auth.models import User
    from evaluations import builder
    from evaluations.models import EvaluationForm
    from workshops.events import workshop_created
    from workshops.programme.models import Step, Workshop
    from workshops.projects import service as projects

    with live_app.app_context():
        leader = db.session.scalar(db.select(User).where(User.email == live_leader))
        project = projects.create(
            projects.ProjectData(slug="elvedal", name="Elvedal"), leaders=[leader]
        )
        workshop = Workshop(project=project, title="Hvem er vi", join_code="QWE234")
        workshop.steps.append(Step(position=0, key="W1.1", title="Velkommen"))
        workshop.steps.append(Step(position=1, key="W1.2", title="Møt noen nye"))
        db.session.add(workshop)
        db.session.flush()
        workshop_created(workshop)
        form = db.session.scalar(
            db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
        )
        builder.set_status(form, "open")
        db.session.commit()
        return form.id, form.token


def _answer(browser, url, locale, picks):
    context = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True)
    phone = context.new_page()
    phone.goto(url)
    for label in picks:
        phone.get_by_label(label, exact=True).first.check()
    width = phone.evaluate("document.documentElement.scrollWidth")
    return context, phone, width


def test_two_phones_answer_form_a_and_the_leader_sees_the_pies(
    browser, page, live_url, live_leader, open_form_a, tmp_path
):
    form_id, token = open_form_a
    url = f"{live_url}/e/{token}"

    # Norwegian: first sent with a required answer missing, then completed.
    context, phone, width = _answer(
        browser, url, "nb-NO", ["Overnatting", "4 Nyttig", "5 Svært mye", "Ja, en ny", "1–2"]
    )
    assert width <= PHONE["width"]
    phone.get_by_role("button", name=SEND).click()
    expect(phone.locator(".error-summary")).to_be_visible()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Evaluering etter workshop")
    for label in ["Velkommen", "Passe", "4 Sannsynlig", "4 Fornøyd", "Ja"]:
        phone.get_by_label(label, exact=True).first.check()
    phone.get_by_label("Hva tar du med deg hjem?").fill("Nye kontakter <b>og</b> kaffe")
    phone.screenshot(path=str(tmp_path / "phone-nb.png"), full_page=True)
    phone.get_by_role("button", name=SEND).click()
    expect(phone).to_have_url(re.compile(r"/thanks$"))
    expect(phone.get_by_role("heading", level=1)).to_have_text(re.compile("Takk|Thank you"))
    phone.goto(url)
    expect(phone.get_by_role("heading", level=1)).to_contain_text(re.compile("allerede|already"))
    context.close()

    # English, and three more phones so the charts pass the threshold of five.
    for n, locale in enumerate(["en-GB", "en-US", "nb-NO", "en-GB"]):
        english = locale.startswith("en")
        picks = (
            [
                "Food and drink",
                "5 Very useful",
                "3 Somewhat",
                "No",
                "3–5",
                "Møt noen nye",
                "About right",
                "3 Unsure",
                "5 Very satisfied",
                "Yes",
            ]
            if english
            else [
                "Mat og drikke",
                "3 Ganske nyttig",
                "4 Mye",
                "Usikker",
                "0",
                "Velkommen",
                "For raskt",
                "5 Svært sannsynlig",
                "3 Nøytral",
                "Vet ikke",
            ]
        )
        context, phone, _width = _answer(browser, url, locale, picks)
        if n == 0:
            expect(phone.get_by_role("heading", level=1)).to_contain_text(
                "Evaluation after the workshop"
            )
        phone.get_by_role("button", name=SEND).click()
        expect(phone).to_have_url(re.compile(r"/thanks$"))
        context.close()

    page.goto(f"{live_url}/login")
    page.get_by_label("E-post").fill(live_leader)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.goto(f"{live_url}/projects/elvedal/evaluations/{form_id}/results?lang=en")

    useful = page.locator("section.result").filter(has_text="How useful was this workshop?")
    expect(useful.locator("img")).to_be_visible()
    assert useful.locator("img").evaluate("img => img.naturalWidth") > 300
    expect(useful.locator("table").get_by_role("row", name=re.compile("Very useful"))).to_have_text(
        re.compile(r"Very useful\s*3\s*60 %")
    )
    expect(page.locator(".figures")).to_contain_text("5")
    expect(
        page.locator("section.result").filter(has_text="What do you take home?")
    ).to_contain_text("Too few answers to show")
    assert page.locator("section.result img").count() == 10
    page.screenshot(path=str(tmp_path / "results.png"), full_page=True)


def test_the_form_reflows_at_200_percent_zoom_on_a_phone(browser, live_url, open_form_a):
    _form_id, token = open_form_a
    context = browser.new_context(viewport={"width": 195, "height": 422}, locale="nb-NO")
    phone = context.new_page()
    phone.goto(f"{live_url}/e/{token}")

    assert phone.evaluate("document.documentElement.scrollWidth") <= 195
    context.close()
