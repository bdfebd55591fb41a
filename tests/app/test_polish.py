"""Small things a leader and a participant notice: times, links, headers, icons, script versions."""

import re
from datetime import datetime

import pytest
from flask import url_for

from app import assets, i18n
from app.db import utcnow
from workshops.ideas import capture
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    db.session.commit()
    return workshop


@pytest.mark.parametrize(
    ("lang", "shown"), [("nb", "14. jan. 2027, 08:30"), ("en", "Jan 14, 2027, 8:30")]
)
def test_dates_and_times_are_shown_without_seconds(app, lang, shown):
    with app.test_request_context(f"/?lang={lang}"):
        app.preprocess_request()
        text = i18n.when(datetime(2027, 1, 14, 7, 30))  # UTC; Oslo is an hour ahead in winter

    assert text.replace("\u202f", " ").startswith(shown)
    assert not re.search(r"\d:\d\d:\d\d", text)


def test_the_reports_times_have_no_seconds():
    from zoneinfo import ZoneInfo

    from app.reports import render

    text = render.datetime_text(
        datetime(2027, 1, 14, 8, 30, 15, tzinfo=ZoneInfo("Europe/Oslo")), "nb"
    )

    assert text.replace("\u202f", " ") == "14. jan. 2027, 08:30"


def test_a_closed_workshops_builder_has_no_now_and_no_run_it_live(db, leader_client, w2):
    live.start(w2, utcnow())
    live.close(w2, utcnow())
    db.session.commit()

    page = leader_client.get(f"/projects/kanalbyen/workshops/{w2.id}?lang=en").get_data(
        as_text=True
    )

    assert "Run it live" not in page and ">Now<" not in page
    assert "Held" in page and f"/workshops/{w2.id}/console" in page


def test_participants_pages_have_no_log_in_link(client, w2):
    phone = client.get(f"/j/{w2.join_code}?lang=en").get_data(as_text=True)
    unknown = client.get("/j/ZZZZZZ?lang=en").get_data(as_text=True)
    home = client.get("/?lang=en").get_data(as_text=True)

    assert "/login" not in phone and "/login" not in unknown
    assert "/login" in home


@pytest.mark.parametrize("page", ["guide", "agenda"])
def test_the_guide_and_agenda_have_navigation_print_and_pdf(leader_client, w2, page):
    html = leader_client.get(f"/projects/kanalbyen/workshops/{w2.id}/{page}?lang=en").get_data(
        as_text=True
    )

    nav = html[html.index('<nav class="screen-nav"') : html.index("</nav>")]
    assert f'href="/projects/kanalbyen/workshops/{w2.id}"' in nav
    assert f"/{page}?format=pdf" in nav and "data-print" in nav
    other = "agenda" if page == "guide" else "guide"
    assert f"/workshops/{w2.id}/{other}" in nav
    assert "favicon.svg" in html


def test_the_ideas_csv_names_its_charset_once(db, leader_client, w2):
    capture.submit(w2.join_code, "Sauna boat", device="polish-device")

    response = leader_client.get(f"/projects/kanalbyen/workshops/{w2.id}/ideas.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_the_wall_links_the_favicon(leader_client, w2):
    page = leader_client.get(f"/w/{w2.join_code}/wall").get_data(as_text=True)

    assert re.search(r'<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]+"', page)


def test_static_urls_carry_the_files_version(app, client, tmp_path):
    with app.test_request_context():
        script = url_for("static", filename="js/ideas.js")
    (tmp_path / "a.js").write_text("one")
    first = assets.file_version(str(tmp_path), "a.js", {})
    (tmp_path / "a.js").write_text("two")
    second = assets.file_version(str(tmp_path), "a.js", {})

    assert re.fullmatch(r"/static/js/ideas\.js\?v=[0-9a-f]{10}", script)
    with client.get(script) as served:
        assert served.status_code == 200
    assert first != second
    assert assets.file_version(str(tmp_path), "../etc/passwd", {}) is None


def test_a_static_file_asked_for_by_its_version_is_kept_for_a_year(app, client):
    with app.test_request_context():
        script = url_for("static", filename="js/ideas.js")

    with client.get(script) as current:
        kept = current.headers["Cache-Control"]
    with client.get("/static/js/ideas.js") as unversioned:
        plain = unversioned.headers.get("Cache-Control", "")
    with client.get("/static/js/ideas.js?v=0000000000") as older:
        stale = older.headers.get("Cache-Control", "")

    assert "immutable" in kept and "max-age=31536000" in kept and "no-cache" not in kept
    assert "immutable" not in plain and "max-age=31536000" not in plain
    assert "immutable" not in stale and "max-age=31536000" not in stale
