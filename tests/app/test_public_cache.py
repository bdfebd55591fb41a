"""Public pages and files: made once, then served from memory; the cap on expensive work."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import g

from app.db import utcnow
from app.reports import routes as report_routes
from tests.conftest import login
from workshops import heavy, public_cache
from workshops.registrations import views as registration_views


@pytest.fixture
def made(monkeypatch):
    """Count the PDFs and pages made (the PDF itself is a stand-in: no WeasyPrint here)."""
    counts = {"pdf": [], "page": 0, "calendar": 0}

    def fake_pdf(kind, lang, html, **_kw):
        counts["pdf"].append(lang)
        return f"%PDF-1.7 method {lang}".encode()

    real_method_html = report_routes.render.method_html

    def method_html(lang, *, standalone):
        if not standalone:
            counts["page"] += 1
        return real_method_html(lang, standalone=standalone)

    real_calendar = registration_views._calendar_page

    def calendar_page(*args):
        counts["calendar"] += 1
        return real_calendar(*args)

    monkeypatch.setattr(report_routes.cache, "html_pdf", fake_pdf)
    monkeypatch.setattr(report_routes.render, "method_html", method_html)
    monkeypatch.setattr(registration_views, "_calendar_page", calendar_page)
    return counts


def test_the_method_pdf_is_made_once_per_language_whatever_the_query(client, made):
    first = client.get("/method.pdf?lang=fi")
    again = [
        client.get("/method.pdf?lang=fi&x=1"),
        client.get("/method.pdf?x=2&lang=fi"),
        client.get("/method.pdf", headers={"Accept-Language": "fi"}),
    ]
    swedish = client.get("/method.pdf?lang=sv")

    assert made["pdf"] == ["fi", "sv"]
    assert all(r.data == first.data == b"%PDF-1.7 method fi" for r in again)
    assert swedish.data == b"%PDF-1.7 method sv"
    assert first.headers["ETag"] and first.headers["Content-Type"] == "application/pdf"
    assert "kraftverk-method-fi.pdf" in again[0].headers["Content-Disposition"]


def test_an_etag_sent_back_gets_304_without_a_body(client, made):
    etag = client.get("/method.pdf?lang=da").headers["ETag"]

    response = client.get("/method.pdf?lang=da", headers={"If-None-Match": etag})

    assert response.status_code == 304 and response.data == b""
    assert made["pdf"] == ["da"]


def test_the_method_page_is_shared_by_anonymous_visitors_only(app, client, made, leader):
    anonymous = [client.get("/method?lang=nb").get_data(as_text=True) for _ in range(3)]
    assert made["page"] == 1
    assert "csrf_token" not in anonymous[0]

    login(client, leader.email)
    logged_in = client.get("/method?lang=nb").get_data(as_text=True)
    assert made["page"] == 2  # made for this request, never from or into the store
    assert "csrf_token" in logged_in and logged_in != anonymous[0]

    g.pop("_login_user", None)  # the test's app context outlives a request (not so in production)
    stranger = app.test_client().get("/method?lang=nb").get_data(as_text=True)
    assert stranger == anonymous[0] and "csrf_token" not in stranger
    assert made["page"] == 2


def test_a_page_with_a_flashed_message_is_neither_shared_nor_stored(app, client, made):
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Only for you")]

    page = client.get("/method?lang=en").get_data(as_text=True)
    other = app.test_client().get("/method?lang=en").get_data(as_text=True)

    assert made["page"] == 2
    assert "Only for you" not in other
    assert "Only for you" in page


def test_the_calendar_is_made_once_per_filter_and_unknown_parameters_are_not_stored(
    app, client, made, make_project, leader
):
    from app.extensions import db
    from workshops.programme.models import Workshop

    project = make_project("fjord", leaders=[leader])
    db.session.add(
        Workshop(
            project=project,
            title="Kajakk og kaffe",
            join_code="KAJ234",
            is_public=True,
            visibility="open",
            starts_at=utcnow() + timedelta(days=3),
        )
    )
    db.session.commit()

    client.get("/calendar?lang=nb&utm_source=x")
    client.get("/calendar?lang=nb&utm_source=x")
    assert made["calendar"] == 2  # a parameter the page does not read: served, never stored
    pages = [client.get("/calendar?lang=nb").get_data(as_text=True) for _ in range(3)]
    assert made["calendar"] == 3 and "Kajakk og kaffe" in pages[0]
    client.get("/calendar?lang=nb&theme=")
    client.get("/calendar?lang=nb&utm_source=y")
    assert made["calendar"] == 3  # an empty filter is the same page; the stored one is served
    feed = client.get("/calendar.ics")
    assert feed.status_code == 200 and feed.headers["ETag"]
    assert (
        client.get("/calendar.ics", headers={"If-None-Match": feed.headers["ETag"]}).status_code
        == 304
    )


def test_the_store_keeps_at_most_its_size():
    store = public_cache.Store(size=2)
    for n in range(3):
        store.put((n,), public_cache.Entry(b"x", (), "e", None))

    assert list(store.entries) == [(1,), (2,)]


def test_expensive_work_beyond_the_cap_gets_503_with_retry_after(
    app, leader_client, make_project, leader, client, made
):
    make_project("fjord", leaders=[leader])
    app.config["HEAVY_WORK_LIMIT"] = 1
    semaphore = heavy._semaphore(app)
    assert semaphore.acquire(blocking=False)  # someone else renders now
    try:
        busy = leader_client.get("/projects/fjord/export.json")
        pdf_busy = client.get("/method.pdf?lang=nb")
    finally:
        semaphore.release()
    served = leader_client.get("/projects/fjord/export.json")

    assert busy.status_code == 503 and busy.headers["Retry-After"] == str(heavy.RETRY_AFTER)
    assert pdf_busy.status_code == 503 and made["pdf"] == []
    assert served.status_code == 200
    assert client.get("/method.pdf?lang=nb").status_code == 200 and made["pdf"] == ["nb"]
    semaphore.acquire(blocking=False)
    try:  # a file already made is served even when the cap is reached
        assert client.get("/method.pdf?lang=nb").status_code == 200
    finally:
        semaphore.release()
