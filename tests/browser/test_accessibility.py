"""axe-core over every page a person can open, in all five languages: 0 WCAG 2.1 AA violations.

The demo project is loaded, then a live workshop (ideas, an open vote, an open evaluation form)
and a public workshop with a registration are added. Each language gets its own browser tabs:
first the public pages as a visitor and a participant, then the leader's pages after logging in.
axe-core comes from a pinned package (requirements-dev.txt) and is added to each page by the
browser's automation, which the Content-Security-Policy does not block. A GET route that is
neither audited here nor listed as a file or JSON answer fails the test: new pages join the audit.
"""

from __future__ import annotations

import functools
import importlib.resources
import re
import time
from datetime import timedelta

import pytest

from app.extensions import db
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LANGUAGES = ("nb", "sv", "da", "fi", "en")
DEMO_PASSWORD = "slusedal demo passord"
LIVE_SETTLE_MS = 400
TABS = 3
# WCAG 2.0 and 2.1, levels A and AA, and axe's best practices (landmarks, heading order).
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Started without waiting, so the next page loads in the other tab meanwhile.
AXE_START = """options => {
  window.axeViolations = new Promise(resolve => setTimeout(resolve, 0))
    .then(() => axe.run(document, options))
    .then(result => result.violations.map(v => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map(n => n.target.join(" ") + " | " + n.failureSummary),
    })));
}"""

# GET routes that answer with something other than an HTML page (files, JSON, feeds, redirects
# to files). Every other GET route must be in the audited pages below.
NOT_HTML = {
    "static",
    "public.static",
    "evaluations.static",
    "reports.static",
    "main.healthz",
    "api.openapi",
    "live.leader_state",
    "ideas.export_ideas",
    "public.calendar_feed",
    "public.project_feed",
    "public.workshop_feed",
    "public.registrations_csv",
    "businesses.network",
    "live.collect_qr",
    "evaluations.chart",
    "evaluations.export_csv",
    "evaluations.export_xlsx",
    "evaluations.charts_zip",
    "reports.report_pdf",
    "reports.export_json",
    "reports.export_xlsx",
    "reports.method_pdf",
    "privacy.business_export",
    "privacy.person_export",
}
NOT_HTML_PREFIXES = (
    "workshops_api.",
    "ideas_api.",
    "meetings_api.",
    "products_api.",
    "evaluations_api.",
)

CSV = (
    "Name;Sector;Offers;Needs;Municipality\n"
    "Fjellstua;55.10;rom for overnatting, middag;guida turar, lokal mat;Slusedal\n"
    "Ny Bedrift;kafé;lunsj og kaker;kortreiste råvarer;Slusedal\n"
)


@functools.cache
def axe_script() -> str:
    return (importlib.resources.files("axe_playwright_python") / "axe.min.js").read_text("utf-8")


AXE_VERSION = re.search(r"axe v([\d.]+)", axe_script()[:200]).group(1)


@pytest.fixture
def world(live_app):
    """The demo, a live workshop at its voting step, and a public workshop with a registration."""
    from app.db import utcnow
    from evaluations import builder
    from evaluations.models import EvaluationForm
    from workshops import codes
    from workshops.businesses.models import Business
    from workshops.ideas import capture as ideas
    from workshops.ideas import votes
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.programme.models import Workshop
    from workshops.projects.models import Project
    from workshops.registrations import service as registrations

    live_app.config["DEMO_PASSWORD"] = DEMO_PASSWORD
    with live_app.app_context():
        result = live_app.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        project = db.session.scalar(db.select(Project).where(Project.slug == "demo"))
        closed = project.workshops[0]
        closed_form = db.session.scalar(
            db.select(EvaluationForm).where(
                EvaluationForm.workshop_id == closed.id, EvaluationForm.status == "closed"
            )
        )
        draft = db.session.scalar(db.select(EvaluationForm).where(EvaluationForm.status == "draft"))

        workshop = programme_builder.add_workshop(project, template="W2")
        workshop.visibility = "open"
        db.session.flush()
        now = utcnow()
        live.start(workshop, now)
        for n in range(4):  # to W2.5, where ideas get dots
            live.advance(workshop, workshop.steps[n].id, now)
        db.session.commit()
        for n, text in enumerate(["Kanalhelg med padling", "Spøkelsesvandring i Verket"]):
            ideas.submit(workshop.join_code, text, device=f"device-{n}", name="Kari")
        votes.start_round(workshop, 3, now)
        form = db.session.scalar(
            db.select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
        )
        builder.set_status(form, "open")

        public = Workshop(
            project=project,
            position=len(project.workshops),
            title="Åpent verksted om mat",
            starts_at=now + timedelta(days=10),
            place="Slusedal samfunnshus",
            theme="Mat",
            capacity=20,
            join_code=codes.new_code(),
            is_public=True,
        )
        db.session.add(public)
        db.session.flush()
        registration = registrations.register(
            public, registrations.Applicant(name="Kari Nordmann", email="kari@example.org")
        )
        db.session.commit()
        business = db.session.scalar(db.select(Business).where(Business.project_id == project.id))
        return {
            "live_id": workshop.id,
            "live_code": workshop.join_code,
            "step_id": workshop.steps[1].id,
            "open_token": form.token,
            "closed_token": closed_form.token,
            "closed_code": closed.join_code,
            "closed_form_id": closed_form.id,
            "draft_form_id": draft.id,
            "public_id": public.id,
            "public_code": public.join_code,
            "registration": registration.token,
            "registration_id": registration.id,
            "business_id": business.id,
        }


def visitor_pages(w) -> list[str]:
    """Pages anyone opens: the front page, the calendar, a phone, an evaluation form."""
    return [
        "/",
        "/join?code=ZZZZZZ",
        "/login",
        "/calendar",
        "/method",
        f"/workshops/{w['public_id']}/register",
        f"/registrations/{w['registration']}",
        f"/registrations/{w['registration']}/cancel",
        f"/j/{w['live_code']}",
        f"/j/{w['live_code']}/profile",
        f"/j/{w['public_code']}",
        f"/j/{w['closed_code']}",
        "/j/ZZZZZZ",
        f"/e/{w['open_token']}",
        f"/e/{w['open_token']}/thanks",
        f"/e/{w['closed_token']}",
        "/no-such-page",
    ]


def leader_pages(w) -> list[str]:
    """Pages the demo leader opens, from the project list to the wall."""
    demo = "/projects/demo"
    live = f"{demo}/workshops/{w['live_id']}"
    return [
        "/account",
        "/projects",
        "/projects/new",
        demo,
        f"{demo}/edit",
        f"{demo}/members",
        f"{demo}/workshops",
        live,
        f"{live}/steps/{w['step_id']}",
        f"{live}/agenda",
        f"{live}/guide",
        f"{live}/console",
        f"/w/{w['live_code']}/wall",
        f"{live}/ideas",
        f"{live}/speed-meeting",
        f"{demo}/workshops/{w['public_id']}/registrations",
        f"{demo}/outbox",
        f"{demo}/businesses",
        f"{demo}/businesses/new",
        f"{demo}/businesses/{w['business_id']}",
        f"{demo}/businesses/{w['business_id']}/privacy",
        f"{demo}/registrations/{w['registration_id']}/privacy",
        f"{demo}/businesses/import",
        f"{demo}/businesses/words",
        f"{demo}/pairings",
        f"{demo}/ecosystems",
        f"{demo}/evaluations",
        f"{demo}/evaluations/{w['draft_form_id']}",
        f"{demo}/evaluations/{w['closed_form_id']}/show",
        f"{demo}/evaluations/{w['closed_form_id']}/results",
        f"{demo}/evaluations/compare",
        f"{demo}/report",
    ]


def with_lang(path: str, lang: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


class Auditor:
    """A few browser tabs taken in turn: axe runs in some while the next page loads in another.

    Each tab has its own context, and so its own renderer process.
    """

    def __init__(self, browser, found: dict, tabs: int = TABS):
        self.contexts = [
            browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
            for _ in range(tabs)
        ]
        for context in self.contexts:
            context.add_init_script(script=axe_script())
        self.pages = [context.new_page() for context in self.contexts]
        self.errors: list[str] = []
        for page in self.pages:
            page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.found = found
        self.turn = 0
        self.running: list = []
        self.count = 0

    def next_page(self):
        """The tab to use next, once the audit running in it (if any) is collected."""
        page = self.pages[self.turn]
        self.turn = (self.turn + 1) % len(self.pages)
        self.collect(page)
        return page

    def start(self, page) -> None:
        """Start axe on the page as it stands; its result is collected later."""
        if page.locator("script[src*=live], script[src*=wall], script[src*=ideas]").count():
            page.wait_for_timeout(LIVE_SETTLE_MS)  # the live pages draw their first state
        page.evaluate(AXE_START, AXE_OPTIONS)
        self.running.append(page)
        self.count += 1

    def open(self, url: str) -> None:
        page = self.next_page()
        page.goto(url, wait_until="load")
        self.start(page)

    def collect(self, page=None) -> None:
        """Wait for the audit running in `page` (or in every tab) and record its violations."""
        for running in [page] if page is not None else list(self.running):
            if running in self.running:
                self.running.remove(running)
                violations = running.evaluate("() => window.axeViolations")
                if violations:
                    self.found[running.url] = violations

    def share_login(self) -> None:
        """Give every tab the cookies (session, language) of the first."""
        self.collect()
        for context in self.contexts[1:]:
            context.add_cookies(self.contexts[0].cookies())

    def close(self) -> None:
        self.collect()
        for context in self.contexts:
            context.close()


def log_in(page, live_url: str, lang: str) -> None:
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("input[name=email]", "leader@demo.example")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/projects")


def error_states(auditor: Auditor, live_url: str, w, lang: str) -> None:
    """Forms sent empty or wrong, so their error messages are audited too."""
    page = auditor.next_page()
    page.goto(f"{live_url}/login?lang={lang}")
    page.fill("input[name=email]", "leader@demo.example")
    page.fill("input[name=password]", "wrong password")
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state("load")
    auditor.start(page)
    for path in (f"/workshops/{w['public_id']}/register", f"/e/{w['open_token']}"):
        page = auditor.next_page()
        page.goto(with_lang(f"{live_url}{path}", lang))
        page.evaluate("document.querySelectorAll('main form').forEach(f => f.noValidate = true)")
        page.locator("main form [type=submit]").last.click()
        page.wait_for_load_state("load")
        auditor.start(page)


def import_preview(auditor: Auditor, live_url: str, lang: str, tmp_path) -> None:
    """Upload a small CSV and audit the preview that follows."""
    csv_file = tmp_path / f"bedrifter-{lang}.csv"
    csv_file.write_text(CSV, encoding="utf-8-sig")
    page = auditor.next_page()
    page.goto(f"{live_url}/projects/demo/businesses/import?lang={lang}")
    page.locator("main input[type=file]").set_input_files(str(csv_file))
    page.locator("main form [type=submit]").first.click()
    page.wait_for_url("**/businesses/import/*")
    auditor.start(page)


@pytest.mark.slow
def test_every_page_in_every_language_has_no_wcag_violations(
    browser, live_app, live_url, world, tmp_path, capsys
):
    started = time.monotonic()
    audited: set[str] = set()
    found: dict[str, list] = {}
    errors: list[str] = []
    checks = 0
    for lang in LANGUAGES:
        auditor = Auditor(browser, found)
        for path in visitor_pages(world):
            auditor.open(with_lang(f"{live_url}{path}", lang))
            audited.add(path)
        error_states(auditor, live_url, world, lang)
        auditor.collect()
        log_in(auditor.pages[0], live_url, lang)
        auditor.share_login()
        for path in leader_pages(world):
            auditor.open(with_lang(f"{live_url}{path}", lang))
            audited.add(path)
        import_preview(auditor, live_url, lang, tmp_path)
        auditor.close()
        checks += auditor.count
        errors += auditor.errors

    # The preview's address holds a fresh token; it is audited above.
    audited.add("/projects/demo/businesses/import/token")
    adapter = live_app.url_map.bind("localhost")
    covered = {adapter.match(path.split("?")[0])[0] for path in audited if path != "/no-such-page"}
    get_routes = {
        rule.endpoint
        for rule in live_app.url_map.iter_rules()
        if "GET" in rule.methods
        and rule.endpoint not in NOT_HTML
        and not rule.endpoint.startswith(NOT_HTML_PREFIXES)
    }
    missing = sorted(get_routes - covered)
    with capsys.disabled():  # the figure for the closing note, shown in every run
        print(
            f"\naxe-core {AXE_VERSION}: {checks // len(LANGUAGES)} pages × {len(LANGUAGES)} "
            f"languages = {checks} audits, {sum(len(v) for v in found.values())} violations, "
            f"{time.monotonic() - started:.0f} s"
        )
    report = "\n".join(
        f"{url}\n"
        + "\n".join(
            f"  [{v['impact']}] {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
            for v in violations
        )
        for url, violations in found.items()
    )
    assert not found, f"axe-core found violations:\n{report}"
    assert not missing, f"GET routes with no audited page: {missing}"
    assert errors == [], f"JavaScript errors: {errors}"


def test_the_audit_reports_a_violation(browser, live_url):
    """The harness itself: an image without a text alternative is found."""
    found: dict[str, list] = {}
    auditor = Auditor(browser, found, tabs=1)
    page = auditor.next_page()
    page.goto(f"{live_url}/?lang=en")
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    auditor.start(page)
    auditor.close()
    assert [v["id"] for v in found[page.url]] == ["image-alt"]


# At a projector's 1280 × 720, the smallest text the wall may show, and its main parts.
WALL_MIN_PX = 16
WALL_PARTS_MIN_PX = {
    "h1": 48,
    ".wall-prompt": 32,
    ".wall-countdown": 64,
    ".wall-code": 40,
    ".wall-idea": 18,
}
TEXT_SIZES = """() => [...document.querySelectorAll("body *")]
  .filter(el => el.offsetParent !== null
    && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
  .map(el => [
    el.tagName.toLowerCase() + "." + el.className,
    parseFloat(getComputedStyle(el).fontSize),
  ])"""


def test_the_wall_has_high_contrast_and_large_type(browser, live_app, live_url, live_leader):
    """The wall is read from the back of a room: AAA contrast (7:1) and large type."""
    from app.auth.models import user_by_email
    from app.db import utcnow
    from workshops.ideas import capture as ideas
    from workshops.ideas import votes
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        project = projects.create(
            projects.ProjectData(slug="kanalbyen", name="Kanalbyen", language="en"),
            leaders=[user_by_email(live_leader)],
        )
        workshop = programme_builder.add_workshop(project, template="W2")
        now = utcnow()
        live.start(workshop, now)
        db.session.commit()
        code = workshop.join_code
        for n, text in enumerate(["Lantern walk along the canal", "Cider at the lock"]):
            ideas.submit(code, text, device=f"device-{n}")
        vote_round = votes.start_round(workshop, 2, now)
        db.session.commit()
        first = ideas.visible(workshop)[0]
        votes.cast(workshop, first.id, 1, "device-0", now)
        votes.reveal(vote_round)
        db.session.commit()

    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(f"{live_url}/login?lang=en")
    page.fill("input[name=email]", live_leader)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form [type=submit]").click()
    page.wait_for_url("**/projects")
    page.goto(f"{live_url}/w/{code}/wall")
    page.locator(".wall-idea .votes").first.wait_for()
    page.evaluate(axe_script())
    enhanced = page.evaluate(
        """() => axe.run(document, {runOnly: {type: "rule", values: ["color-contrast-enhanced"]}})
          .then(r => r.violations.flatMap(v => v.nodes.map(n => n.failureSummary)))"""
    )
    sizes = page.evaluate(TEXT_SIZES)
    parts = {
        selector: page.locator(selector).first.evaluate(
            "e => parseFloat(getComputedStyle(e).fontSize)"
        )
        for selector in WALL_PARTS_MIN_PX
    }
    context.close()

    assert enhanced == []
    assert [(what, px) for what, px in sizes if px < WALL_MIN_PX] == []
    assert {s: px for s, px in parts.items() if px < WALL_PARTS_MIN_PX[s]} == {}
