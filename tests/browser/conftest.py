"""A real server in a thread and Debian's chromium driven by Playwright (never downloaded)."""

from __future__ import annotations

import shutil
import threading

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from app.extensions import db
from tests.conftest import PASSWORD, make_app

CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def static_closed(app):
    """app for werkzeug's development server, each static file's response read and closed at once.

    That server closes a response only after it has drained the request's socket; when the
    browser resets the connection just then, the close is skipped and the open static file is
    left to the garbage collector, whose ResourceWarning fails whatever test is running when it
    comes. Static files are small: reading one whole loses nothing here.
    """

    def serve(environ, start_response):
        body = app(environ, start_response)
        if "/static/" not in environ.get("PATH_INFO", ""):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return serve


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        pytest.fail("chromium is not installed: make test installs Debian's chromium package")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_app(tmp_path):
    """The app on a file database, served by a real HTTP server on a free local port."""
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/live.sqlite3")
    with app.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, static_closed(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.config["LIVE_URL"] = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_url(live_app) -> str:
    return live_app.config["LIVE_URL"]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors: {errors}"


@pytest.fixture
def live_leader(live_app):
    from app.auth.models import User

    with live_app.app_context():
        user = User(email="lea@example.org", name="Lea", can_create_projects=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return "lea@example.org"


@pytest.fixture
def started_w2(live_app, live_leader):
    """Workshop W2 of an English project led by the live leader, started now."""
    from app.auth.models import user_by_email
    from app.db import utcnow
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects

    with live_app.app_context():
        leader = user_by_email(live_leader)
        project = projects.create(
            projects.ProjectData(slug="kanalbyen", name="Kanalbyen", language="en"),
            leaders=[leader],
        )
        workshop = programme_builder.add_workshop(project, template="W2")
        live.start(workshop, utcnow())
        db.session.commit()
        return {"id": workshop.id, "code": workshop.join_code}
