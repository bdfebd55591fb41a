"""The report preview shows what the PDF shows: goal bars as wide as their shares, under the CSP."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def project_with_goals(live_app, live_leader):
    from app.auth.models import user_by_email
    from app.extensions import db
    from workshops.businesses import registry as businesses
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(
                slug="kanalbyen",
                name="Kanalbyen",
                language="en",
                targets={"businesses": 4, "ideas": 10},
            ),
            leaders=[user_by_email(live_leader)],
        )
        businesses.save(project, businesses.BusinessData(name="Kro", sector="56.10"))
        db.session.commit()
    return "kanalbyen"


def test_goal_bars_are_as_wide_as_their_share_and_nothing_is_blocked(
    page, live_url, live_leader, project_with_goals
):
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto(f"{live_url}/login")
    page.get_by_label("E-post").fill(live_leader)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()

    page.goto(f"{live_url}/projects/{project_with_goals}/report?lang=en")
    expect(page.locator(".progress-table")).to_be_visible()
    shares = page.eval_on_selector_all(
        ".progress-table .bar",
        "bars => bars.map(b => [b.querySelector('.fill').getBoundingClientRect().width"
        " / b.getBoundingClientRect().width, b.parentElement.textContent.trim()])",
    )

    assert blocked == []
    assert shares, "no goal bars"
    for ratio, text in shares:
        percent = int(text.split("%")[0].split()[-1])
        assert abs(ratio * 100 - min(percent, 100)) <= 5, (ratio, text)
    assert any(0 < ratio < 1 for ratio, _text in shares)


def test_the_preview_fits_a_phone_screen(browser, live_url, live_leader, project_with_goals):
    """At 390 px nothing widens the page: facts stack, the contents are one column, and a wide
    table scrolls inside the page."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_url}/login?lang=en")
    page.get_by_label("E-mail").fill(live_leader)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_url}/projects/{project_with_goals}/report?lang=en")
    expect(page.locator(".report-preview")).to_be_visible()

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator(".toc ol").evaluate("ol => getComputedStyle(ol).columnCount") == "1"
    context.close()
