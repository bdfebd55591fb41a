"""Security headers on every page, cookies, CSRF on every form, login throttling, password hashing.

Every GET route of the authorization matrix is fetched by a role that may read it; every POST
route is sent without its CSRF token by a role that may use it.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import update

from app import create_app
from app.extensions import db
from tests.conftest import CSRF, PASSWORD, login
from tests.security.conftest import ROLES, build_world, snapshot
from tests.security.test_authorization_matrix import RULES, WHO, _request, _url

pytestmark = pytest.mark.db

HOUR = 3600


@pytest.fixture
def world(security_app):
    return build_world(security_app)


def _reader(endpoint: str, method: str = "GET") -> str:
    """The role to use a route as: the project's leader when allowed, else the first allowed."""
    allowed = WHO[RULES[endpoint][method]]
    return "leader" if "leader" in allowed else next(r for r in ROLES if r in allowed)


def _assert_security_headers(response, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    assert directives.get("script-src") == "'self'", f"{where}: script-src is {csp!r}"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp!r}"
    assert directives.get("frame-ancestors") == "'none'", f"{where}: {csp!r}"
    assert directives.get("object-src") == "'none'", f"{where}: {csp!r}"
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where


def test_every_get_route_sends_the_security_headers_and_no_hsts_over_http(world):
    checked = []
    for endpoint, row in sorted(RULES.items()):
        if "GET" not in row:
            continue
        for role in (_reader(endpoint), "anonymous"):
            response = _request(world, role, endpoint, "GET")
            where = f"GET {endpoint} as {role} ({response.status_code})"

            _assert_security_headers(response, where)
            assert "Strict-Transport-Security" not in response.headers, where
            checked.append(where)

    assert len(checked) == 2 * sum("GET" in row for row in RULES.values())


def test_pages_carry_no_inline_script_or_event_handler(world):
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)[^>]*>")
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
    for endpoint, row in sorted(RULES.items()):
        if "GET" not in row:
            continue
        response = _request(world, _reader(endpoint), endpoint, "GET")
        if "text/html" not in response.content_type:
            continue
        page = response.get_data(as_text=True)

        assert not inline_script.search(page), f"{endpoint}: inline <script>"
        assert not handler.search(page), f"{endpoint}: inline event handler"


def test_https_adds_hsts_and_every_cookie_is_secure_httponly_and_lax(security_app, make_user):
    client = security_app.test_client()
    with security_app.app_context():
        make_user("lead-a@aurora.example")
    https = "https://kraftverk.example"

    response = client.post(
        "/login",
        data={"email": "lead-a@aurora.example", "password": PASSWORD, "remember": "y"},
        base_url=https,
    )

    assert response.status_code == 302
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    cookies = response.headers.getlist("Set-Cookie")
    names = {cookie.split("=", 1)[0] for cookie in cookies}
    assert {"session", "remember_token"} <= names
    for cookie in cookies:
        assert "; Secure" in cookie, cookie
        assert "; HttpOnly" in cookie, cookie
        assert "; SameSite=Lax" in cookie, cookie


def test_cookies_over_plain_http_are_httponly_and_lax_but_not_secure(security_app, make_user):
    client = security_app.test_client()
    with security_app.app_context():
        make_user("lead-a@aurora.example")

    response = login(client, "lead-a@aurora.example")
    phone = security_app.test_client().get("/api/v1/openapi.json")  # no device cookie here

    session = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "; HttpOnly" in session and "; SameSite=Lax" in session
    assert "; Secure" not in session  # a venue LAN on plain HTTP must keep working
    assert "Set-Cookie" not in phone.headers


def test_device_cookie_is_httponly_lax_and_secure_over_https(world):
    code = world.ids["code"]
    plain = world.app.test_client().get(f"/j/{code}")
    secure = world.app.test_client().get(f"/j/{code}", base_url="https://kraftverk.example")

    device = next(c for c in plain.headers.getlist("Set-Cookie") if c.startswith("kv_device="))
    assert "; HttpOnly" in device and "; SameSite=Lax" in device and "; Secure" not in device
    device = next(c for c in secure.headers.getlist("Set-Cookie") if c.startswith("kv_device="))
    assert "; HttpOnly" in device and "; SameSite=Lax" in device and "; Secure" in device


# --- CSRF -------------------------------------------------------------------------------------


def _posts():
    return sorted(e for e, row in RULES.items() if "POST" in row)


def test_every_form_post_without_a_token_is_refused_and_changes_nothing(world):
    world.app.config["WTF_CSRF_ENABLED"] = True
    html_forms = [e for e in _posts() if not _url(world, e).startswith("/api/")]
    for endpoint in html_forms:
        role = _reader(endpoint, "POST")
        before = snapshot(world.app)

        response = _request(world, role, endpoint, "POST")

        assert response.status_code == 400, f"POST {endpoint} as {role}: {response.status_code}"
        assert snapshot(world.app) == before, f"POST {endpoint} as {role}: changed the data"
    assert len(html_forms) >= 50


def test_api_writes_take_only_json_so_a_cross_site_form_changes_nothing(world):
    world.app.config["WTF_CSRF_ENABLED"] = True
    api = [e for e in _posts() if _url(world, e).startswith("/api/")]
    for endpoint in api:
        role = _reader(endpoint, "POST")
        form = {"text": "Cross-site zq", "idea": "1", "dots": "1", "answers": "1"}
        before = snapshot(world.app)

        response = world.clients[role].post(_url(world, endpoint), data=form)

        assert response.status_code == 415, f"POST {endpoint}: {response.status_code}"
        assert response.json["error"] == "unsupported_media_type", endpoint
        assert snapshot(world.app) == before, f"POST {endpoint}: changed the data"
    assert sorted(api) == [
        "evaluations_api.post_answers",
        "ideas_api.post_idea",
        "ideas_api.post_interest",
        "ideas_api.post_vote",
        "meetings_api.met_api",
        "products_api.save_product_api",
        "workshops_api.join",
    ]


def _board_token(world) -> str:
    ids = world.ids
    page = world.clients["leader"].get(
        f"/projects/{ids['slug']}/workshops/{ids['workshop_id']}/ideas"
    )
    return CSRF.search(page.get_data(as_text=True)).group(1)


def _theme_post(world, token: str):
    ids = world.ids
    url = f"/projects/{ids['slug']}/workshops/{ids['workshop_id']}/themes"
    return world.clients["leader"].post(url, data={"name": "Late theme zq", "csrf_token": token})


def _csrf_tokens_signed(*, hours_ago: float):
    """Make the CSRF tokens of the pages fetched meanwhile carry a time `hours_ago` in the past.

    Only the CSRF serializer is backdated: the session cookie keeps the real time.
    """
    then = int(time.time() - hours_ago * HOUR)

    class Backdated(URLSafeTimedSerializer):
        def make_signer(self, salt=None):
            signer = super().make_signer(salt)
            signer.get_timestamp = lambda: then
            return signer

    return mock.patch("flask_wtf.csrf.URLSafeTimedSerializer", Backdated)


def test_a_form_token_lasts_a_workshop_day(world):
    world.app.config["WTF_CSRF_ENABLED"] = True
    assert world.app.config["WTF_CSRF_TIME_LIMIT"] >= 12 * HOUR
    with _csrf_tokens_signed(hours_ago=11):
        morning = _board_token(world)  # signed at breakfast
    before = snapshot(world.app)

    response = _theme_post(world, morning)

    assert response.status_code == 302
    assert snapshot(world.app) != before


def test_a_form_token_from_yesterday_is_refused(world):
    world.app.config["WTF_CSRF_ENABLED"] = True
    limit = world.app.config["WTF_CSRF_TIME_LIMIT"]
    with _csrf_tokens_signed(hours_ago=limit / HOUR + 1):
        stale = _board_token(world)
    before = snapshot(world.app)

    response = _theme_post(world, stale)

    assert response.status_code == 400
    assert snapshot(world.app) == before


# --- logging in -------------------------------------------------------------------------------


def test_a_burst_of_wrong_passwords_locks_the_address_until_the_window_passes(
    security_app, make_user
):
    from app.auth.models import LoginAttempt

    with security_app.app_context():
        make_user("lead-a@aurora.example")
    client = security_app.test_client()
    attempts = security_app.config["LOGIN_ATTEMPTS"]

    wrong = [
        login(client, "lead-a@aurora.example", "wrong guess").status_code for _ in range(attempts)
    ]
    right = login(client, "lead-a@aurora.example")
    after_lockout = client.get("/projects")

    assert wrong == [401] * attempts
    assert right.status_code == 429
    assert after_lockout.status_code == 302 and "/login" in after_lockout.headers["Location"]

    # The window passes: age the stored attempts as the clock would.
    with security_app.app_context():
        window = security_app.config["LOGIN_WINDOW"] + timedelta(seconds=1)
        db.session.execute(update(LoginAttempt).values(at=LoginAttempt.at - window))
        db.session.commit()
    assert login(client, "lead-a@aurora.example").status_code == 302
    assert client.get("/projects").status_code == 200


def test_the_lockout_also_refuses_more_guesses_without_checking_them(security_app, make_user):
    with security_app.app_context():
        make_user("lead-a@aurora.example")
    client = security_app.test_client()
    for _ in range(security_app.config["LOGIN_ATTEMPTS"]):
        login(client, "lead-a@aurora.example", "wrong guess")

    assert login(client, "LEAD-A@aurora.example ", "another guess").status_code == 429


def test_production_settings_hash_passwords_with_scrypt(tmp_path):
    from app.auth.models import User
    from config import Config

    class Production(Config):
        INSTANCE_PATH = tmp_path / "instance"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path}/production.sqlite3"
        SECRET_KEY = "a-key-made-up-for-this-test-only"  # noqa: S105 - not a real secret

    assert "PASSWORD_HASH_METHOD" not in vars(Config)
    app = create_app(Production)
    with app.app_context():
        user = User(email="x@example.org")
        user.set_password("correct horse battery")

        assert user.password_hash.startswith("scrypt:")
        assert user.check_password("correct horse battery")
        assert not user.check_password("correct horse batterY")
