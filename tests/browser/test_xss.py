"""The XSS corpus in Chromium: every payload in every field, every page that shows them.

One world is built through the app's own forms and API (see tests/security/xss_world.py), then
each page is opened once and checked for everything at the same time: no dialog, no JavaScript
error, no console error, no Content-Security-Policy violation, no element or attribute that a
payload would have made, only the app's own script files, and the payloads shown as typed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from app.extensions import db
from tests.browser.conftest import static_closed
from tests.browser.test_live_workshop import log_in
from tests.security.xss_payloads import BROKEN, PAYLOADS, collapse, fit, has_c0, has_control
from tests.security.xss_world import ACCOUNT_NAME, FIRMS, IMPORTED, LEADER, MAIN, app_on_copy

pytestmark = [
    pytest.mark.browser,
    # The network figure draws names in a font without CJK, emoji or control characters.
    pytest.mark.filterwarnings("ignore:Glyph .* missing from font"),
]

# Runs before any page script: records what the Content-Security-Policy had to stop.
CSP_RECORDER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + e.blockedURI + " " + (e.sample || ""));
});
"""

# Everything a payload could have made, looked for at once; plus the text and the field values.
INSPECT = r"""() => {
  const bad = [];
  const own = /^\/(static|public\/static|evaluations\/static|reports\/static)\//;
  for (const s of document.querySelectorAll("script")) {
    if (s.type === "application/json") continue;
    const src = s.getAttribute("src");
    if (!src) { bad.push("inline script: " + s.textContent.slice(0, 80)); continue; }
    const url = new URL(src, location.href);
    if (url.origin !== location.origin || !own.test(url.pathname)) bad.push("script src " + src);
  }
  const urlAttr = /^(href|src|action|formaction|data|xlink:href|poster|background|srcdoc)$/i;
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name)) { bad.push(el.localName + "[" + a.name + "]"); continue; }
      if (!urlAttr.test(a.name)) continue;
      const v = a.value.replace(/[\x00-\x20]+/g, "").toLowerCase();
      const image = el.localName === "img" && v.startsWith("data:image/");
      if (/^(javascript|vbscript):/.test(v) || (v.startsWith("data:") && !image)) {
        bad.push(el.localName + "[" + a.name + "=" + a.value.slice(0, 60) + "]");
      }
      if (/^(https?:)?\/\/127\.0\.0\.1:/.test(v) && !v.startsWith(location.origin)) {
        bad.push(el.localName + "[" + a.name + "] points at " + a.value.slice(0, 60));
      }
    }
  }
  const made = "iframe, object, embed, base, meta[http-equiv], foreignObject, math, marquee, " +
    "body body, body style, body link, svg script, video, audio, source, template, " +
    "img[src='x'], noscript img, form[action^='javascript']";
  for (const el of document.querySelectorAll(made)) bad.push("element " + el.outerHTML.slice(0, 80));
  const values = [...document.querySelectorAll("input, textarea, select")].map((e) => e.value);
  return {
    bad: bad,
    text: document.title + "\n" + (document.body ? document.body.textContent : ""),
    values: values,
    csp: window.__csp || [],
  };
}"""


@dataclass
class Figures:
    pages: set = field(default_factory=set)
    shown: int = 0


FIGURES = Figures()


class Inspector:
    """One browser tab that records dialogs, errors and console errors, and checks each page."""

    def __init__(self, context, base: str) -> None:
        self.base = base
        self.page = context.new_page()
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.problems: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        self.page.on("console", self._console)
        self.page.on("response", self._response)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{self.page.url}: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def _console(self, message) -> None:
        # Failed loads are reported with their address by _response.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"{self.page.url}: console: {message.text[:200]}")

    def _response(self, response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.errors.append(f"{self.page.url}: {response.url} answered {response.status}")

    def open(self, path: str, *, shows=(), ready: str | None = None, status=(200,)) -> dict:
        """Open `path`, wait for `ready` (a JS condition), check the page; return what it found."""
        response = self.page.goto(self.base + path, wait_until="load")
        if response is None or response.status not in status:
            self.problems.append(f"{path}: HTTP {response.status if response else '-'}")
        if ready:
            self.page.wait_for_function(f"() => {ready}", timeout=15_000)
        found = self.page.evaluate(INSPECT)
        self.problems += [f"{path}: {item}" for item in found["bad"]]
        self.problems += [f"{path}: CSP stopped {item}" for item in found["csp"]]
        haystack = collapse(found["text"] + "\n" + "\n".join(found["values"]))
        for text in shows:
            if collapse(text) and collapse(text) not in haystack:
                self.problems.append(f"{path}: not shown as typed: {text[:70]!r}")
        FIGURES.pages.add(path.split("?")[0])
        FIGURES.shown += len(shows)
        return found

    def assert_clean(self) -> None:
        self.page.wait_for_timeout(300)  # late image errors and handlers
        assert self.dialogs == [], f"dialogs opened: {self.dialogs[:10]}"
        assert self.errors == [], f"errors: {self.errors[:10]}"
        assert self.problems == [], f"{len(self.problems)} problems: {self.problems[:20]}"


def accepted(payloads: list[str]) -> list[str]:
    """The payloads a form takes: one with a C0 control is refused with 400, naming the field."""
    return [p for p in payloads if not has_c0(p)]


def some(items: list, payloads: list[str]) -> list[tuple]:
    """Pages of one payload each: every third, every markup breaker, and the listener's one.

    (Every one of them is read as HTML by tests/security/test_xss_outputs.py.)
    """
    last = len(payloads) - 1
    return [
        (item, payload)
        for n, (item, payload) in enumerate(zip(items, payloads, strict=True))
        if n % 3 == 0 or payload in BROKEN or n == last
    ]


def plain(limit: int, payloads=None) -> list[str]:
    """The payloads without control characters, as a field of `limit` characters keeps them."""
    return [fit(p, limit) for p in (payloads or PAYLOADS) if not has_control(p)]


@pytest.fixture(scope="module")
def xss(tmp_path_factory):
    app, world, listener = app_on_copy(PAYLOADS, tmp_path_factory.mktemp("xss-browser"))
    server = make_server("127.0.0.1", 0, static_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    world.url = f"http://127.0.0.1:{server.server_port}"
    world.listener = listener
    yield world
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def leader_context(browser, xss):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_RECORDER)
    page = context.new_page()
    log_in(page, xss.url, LEADER)
    page.close()
    yield context
    context.close()


@pytest.fixture
def leader(leader_context, xss):
    inspector = Inspector(leader_context, xss.url)
    yield inspector
    inspector.page.close()


@pytest.fixture
def visitor(browser, xss):
    """Someone without an account, on a phone; here the CSP is off, so escaping alone must hold."""
    context = browser.new_context(
        locale="en-GB", viewport={"width": 390, "height": 844}, bypass_csp=True
    )
    context.add_init_script(CSP_RECORDER)
    inspector = Inspector(context, xss.url)
    yield inspector
    context.close()


def test_world_took_every_payload(xss):
    assert xss.failures == []
    assert len(xss.payloads) == len(PAYLOADS) + 1  # and the one aimed at the local listener
    assert len(xss.fields) >= 40


def test_projects_dashboards_and_project_forms(leader, xss):
    leader.open("/projects", shows=plain(160))
    leader.open("/account", shows=[ACCOUNT_NAME])
    leader.open(f"/projects/{MAIN}/members", shows=[ACCOUNT_NAME])
    # The world makes no project and no business of a payload with a C0 control: it is refused.
    for slug, payload in some(xss.projects, accepted(xss.payloads)):
        texts = [] if has_control(payload) else [fit(payload, 160), fit(payload, 120)]
        leader.open(f"/projects/{slug}", shows=[*texts, *([payload] if texts else [])])
        leader.open(f"/projects/{slug}/edit", shows=texts)
    leader.assert_clean()


def test_programme_workshops_and_steps(leader, xss):
    base = f"/projects/{MAIN}/workshops"
    leader.open(f"/projects/{MAIN}", shows=plain(160))
    leader.open(base, shows=plain(160))
    for workshop_id, payload in some(xss.planned, xss.payloads):
        shows = [] if has_control(payload) else [fit(payload, 160), fit(payload, 200)]
        leader.open(f"{base}/{workshop_id}", shows=shows)
    leader.open(f"{base}/{xss.live_id}", shows=plain(120))
    for step_id, payload in some(xss.steps, xss.payloads):
        shows = [] if has_control(payload) else [fit(payload, 120), fit(payload, 1000)]
        leader.open(f"{base}/{xss.live_id}/steps/{step_id}", shows=shows)
    leader.open(f"{base}/{xss.live_id}/agenda", shows=plain(120))
    leader.open(f"{base}/{xss.live_id}/guide", shows=plain(120))
    leader.assert_clean()


def test_console_wall_board_and_phone(leader, visitor, xss):
    ideas = xss.ideas
    base = f"/projects/{MAIN}/workshops/{xss.live_id}"
    leader.open(f"{base}/console", shows=plain(120)[:1])
    # The wall shows the newest ideas that fit 1920x1080 and pages through the rest, so it is
    # checked for what it shows (inert, no injected element); the board below shows every idea.
    # This world's wall has an idea in the spotlight, shown whole: it may take all the room.
    wall = leader.open(
        f"/w/{xss.code}/wall",
        ready="document.querySelector('.wall-idea, .wall-spotlight:not([hidden])')",
    )
    assert "wall-idea" not in wall["text"]
    leader.open(f"{base}/ideas", shows=[*plain(2000), *plain(120)])
    leader.open(f"{base}/speed-meeting", shows=plain(160)[:20])
    visitor.open(
        f"/j/{xss.code}",
        ready=f"document.querySelectorAll('[data-bind=agenda] li').length >= {len(set(xss.steps))}",
        shows=plain(120),
    )
    visitor.page.wait_for_function(
        f"() => document.querySelectorAll('#idea-pick li').length >= {ideas - 1}", timeout=15_000
    )
    visitor.open(f"/j/{xss.code}/profile")
    leader.assert_clean()
    visitor.assert_clean()


def test_evaluation_pages(leader, visitor, xss):
    base = f"/projects/{MAIN}/evaluations"
    leader.open(base, shows=[fit(xss.payloads[0], 500)])
    for form_id in xss.forms:
        leader.open(f"{base}/{form_id}", shows=plain(500)[:20])
        leader.open(f"{base}/{form_id}/show")
    leader.open(f"{base}/{xss.forms[0]}/results", shows=plain(2000))
    for form_id in xss.forms[1:]:
        leader.open(f"{base}/{form_id}/results")
    leader.open(f"{base}/compare")
    for token in xss.tokens:
        visitor.open(f"/e/{token}", status=(200,))
    leader.assert_clean()
    visitor.assert_clean()


def test_business_and_pairing_pages(leader, xss):
    shown = plain(160)
    leader.open(f"/projects/{MAIN}/businesses", shows=shown)
    leader.open(f"/projects/{FIRMS}/businesses", shows=shown)
    leader.open(f"/projects/{IMPORTED}/businesses", shows=shown)
    for business_id, payload in some(xss.firms, accepted(xss.payloads)):
        shows = [] if has_control(payload) else [fit(payload, 160), fit(payload, 5000)]
        leader.open(f"/projects/{FIRMS}/businesses/{business_id}", shows=shows)
    leader.open(
        f"/projects/{IMPORTED}/businesses/import/{xss.import_token}", status=(200, 422), shows=shown
    )
    for slug in (MAIN, FIRMS, IMPORTED):
        leader.open(f"/projects/{slug}/businesses/words")
        leader.open(f"/projects/{slug}/pairings")
    leader.open(f"/projects/{FIRMS}/ecosystems", shows=plain(160))
    leader.assert_clean()


def test_public_calendar_registration_and_outbox(leader, visitor, xss):
    visitor.open("/calendar", shows=[*plain(160), *plain(80)])
    for workshop_id, _payload in some(xss.planned, xss.payloads):
        visitor.open(f"/workshops/{workshop_id}/register")
    for token in xss.registrations[::8]:
        visitor.open(f"/registrations/{token}")
        visitor.open(f"/registrations/{token}/cancel")
    first = xss.planned[0]
    leader.open(
        f"/projects/{MAIN}/workshops/{first}/registrations",
        shows=[*(collapse(p) for p in plain(120)), *plain(300)],
    )
    leader.open(f"/projects/{MAIN}/outbox")
    leader.assert_clean()
    visitor.assert_clean()


def test_report_previews(leader, xss):
    leader.open(f"/projects/{MAIN}/report", shows=plain(2000))
    leader.open(f"/projects/{FIRMS}/report", shows=plain(160))
    for slug in xss.projects[::6]:
        leader.open(f"/projects/{slug}/report")
    leader.assert_clean()


def test_payloads_typed_on_a_phone_stay_text_on_the_board_and_the_wall(leader, visitor, xss):
    typed = [p for p in PAYLOADS if not has_control(p) and len(p) < 80][::9]
    phone = visitor.page
    phone.goto(f"{xss.url}/j/{xss.code}")
    for text in typed:
        phone.get_by_role("textbox", name="Your idea").fill(text)
        phone.get_by_role("button", name="Send").click()
    expect(phone.locator(".queue li.is-sent")).to_have_count(len(typed), timeout=10_000)
    visitor.open(f"/j/{xss.code}", shows=typed)
    # The ideas reach the wall's data; with an idea in the spotlight the list may have no room,
    # so the typed ones are checked in the board, which lists every idea.
    leader.open(
        f"/w/{xss.code}/wall", ready="document.querySelector('.wall-spotlight:not([hidden])')"
    )
    base = f"/projects/{MAIN}/workshops/{xss.live_id}"
    leader.open(f"{base}/ideas", shows=typed)
    leader.assert_clean()
    visitor.assert_clean()


def test_no_page_and_no_renderer_fetched_from_the_payloads_address(xss):
    # Runs last: the pages and the previews above had every chance to fetch it.
    assert xss.listener.connections == []
    print(
        f"\nXSS corpus: {len(PAYLOADS)} payloads (+1 aimed at a local listener), "
        f"{len(xss.fields)} fields, {len(FIGURES.pages)} pages opened, "
        f"{FIGURES.shown} shown-as-typed checks, {xss.requests} requests to build the world"
    )
