"""A leader imports businesses from a CSV, checks the preview, sees suggestions and connects two."""

import re

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import PASSWORD
from workshops.projects import service as projects

pytestmark = pytest.mark.browser

CSV = (
    "Name;Sector;Offers;Needs;Municipality\n"
    "Fjellstua;55.10;rom for overnatting, middag;guida turar, lokal mat;Nordvik\n"
    "Elvestrand Guiding;79.90;fjellturer med guide;overnatting til gjestene;Nordvik\n"
    "Sørli Ysteri;10.51;geitost, ostesmaking;utsalgssteder, restauranter;Nordvik\n"
    "Kafé Kvernhuset;kafé;lunsj og kaker, lokale;kortreiste råvarer;Nordvik\n"
)


@pytest.fixture
def nordvik(live_app, live_leader):
    from app.auth.models import user_by_email

    with live_app.app_context():
        projects.create(
            projects.ProjectData(slug="nordvik", name="Nordvik", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        db.session.commit()
    return "nordvik"


def test_leader_imports_a_csv_sees_reasons_and_records_a_connection(
    page, live_url, live_leader, nordvik, tmp_path
):
    csv_file = tmp_path / "bedrifter.csv"
    csv_file.write_text(CSV, encoding="utf-8-sig")
    page.goto(f"{live_url}/login?lang=en")
    page.get_by_label("E-mail").fill(live_leader)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_url}/projects/nordvik/businesses")
    page.get_by_role("link", name="Import a file").click()
    page.get_by_label("CSV or XLSX file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("4 to create, 0 to update.")).to_be_visible()
    expect(page.get_by_role("cell", name="Elvestrand Guiding")).to_be_visible()
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    page.get_by_role("button", name="Import all rows").click()
    expect(page.get_by_text("4 created, 0 updated.")).to_be_visible()

    page.get_by_role("link", name="Pairings").first.click()
    card = page.locator("section.card", has=page.get_by_role("heading", name="Fjellstua"))
    expect(
        card.get_by_text("Fjellstua needs guided tours; Elvestrand Guiding offers it.")
    ).to_be_visible()
    page.screenshot(path=str(tmp_path / "pairings.png"), full_page=True)
    card.locator("li", has_text="Elvestrand Guiding").first.get_by_role(
        "button", name="Make it a connection"
    ).click()

    expect(
        page.get_by_text(re.compile("Fjellstua and Elvestrand Guiding are now a connection"))
    ).to_be_visible()
    row = page.get_by_role(
        "row", name=re.compile("Elvestrand Guiding – Fjellstua|Fjellstua – Elvestrand Guiding")
    )
    row.get_by_label("Status").select_option("introduced")
    row.get_by_label("Notes").fill("Met at the first workshop")
    row.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The connection is updated.")).to_be_visible()
    page.screenshot(path=str(tmp_path / "connections.png"), full_page=True)


VALLEY = (
    "name;sector;offers;needs;municipality\n"
    "Fjellstua;55.10;overnatting, middag;guidede turer, konserter;Nordvik\n"
    "Hyttegrenda;hytteutleie;hytter;guidede turer, friluftsaktiviteter;Nordvik\n"
    "Elvestrand Guiding;79.90;guidede turer;overnatting;Nordvik\n"
    "Huskygården;hundekjøring;hundekjøring, guidede turer;overnatting;Nordvik\n"
)


# WCAG's contrast ratio of an element's text colour against its card's white background.
CONTRAST = """element => {
  const channels = getComputedStyle(element).color.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = channels.map(c => c / 255).map(c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  return 1.05 / (luminance + 0.05);
}"""


def contrast(locator) -> float:
    return locator.evaluate(CONTRAST)


def test_leader_marks_suggestions_and_the_ranking_learns_and_unlearns(
    page, live_app, live_url, live_leader, nordvik, tmp_path
):
    from workshops.businesses import registry
    from workshops.projects.models import Project

    with live_app.app_context():
        project = db.session.scalar(db.select(Project).where(Project.slug == nordvik))
        registry.import_file(project, VALLEY.encode("utf-8-sig"))
        db.session.commit()
    page.goto(f"{live_url}/login?lang=en")
    page.get_by_label("E-mail").fill(live_leader)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_url}/projects/nordvik/pairings")

    def card(name):
        return page.locator("section.card", has=page.get_by_role("heading", name=name, exact=True))

    expect(card("Fjellstua").get_by_text("Huskygården", exact=True)).to_be_visible()
    # The marks are buttons drawn as links: readable on the white card (they were white on it).
    good = card("Hyttegrenda").get_by_role("button", name="Good: Hyttegrenda – Elvestrand Guiding")
    assert contrast(good) >= 4.5
    # A good mark: the alike pair (the hotel and the other guide) says why it moved up.
    card("Hyttegrenda").get_by_role("button", name="Good: Hyttegrenda – Elvestrand Guiding").click()
    expect(page.get_by_text("Hyttegrenda and Elvestrand Guiding are marked.")).to_be_visible()
    expect(card("Fjellstua").get_by_text("Like the pairs you marked good.").first).to_be_visible()
    # Not relevant: the pair is gone from both cards, and listed under the marks.
    card("Fjellstua").get_by_role("button", name="Not relevant: Fjellstua – Huskygården").click()
    expect(page.get_by_text("Fjellstua and Huskygården are marked.")).to_be_visible()
    expect(card("Fjellstua").get_by_text("Huskygården", exact=True)).to_have_count(0)
    expect(card("Huskygården").get_by_text("Fjellstua", exact=True)).to_have_count(0)
    marks = page.locator("#marks")
    expect(marks.get_by_role("row", name=re.compile("Fjellstua – Huskygården"))).to_be_visible()
    page.screenshot(path=str(tmp_path / "marks.png"), full_page=True)
    # Reversible: taking the mark back brings the pair back.
    marks.get_by_role("button", name="Take the mark back: Fjellstua – Huskygården").click()
    expect(page.get_by_text("The mark on Fjellstua and Huskygården is taken back.")).to_be_visible()
    expect(card("Fjellstua").get_by_text("Huskygården", exact=True)).to_be_visible()
