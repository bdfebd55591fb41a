"""E-mail to registrants: the outbox when no SMTP is set up, SMTP when it is, never lost."""

import socket
from datetime import datetime, timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest

from tests.conftest import login
from tests.workshops.registrations.test_registrations import new_workshop
from workshops.registrations import mail
from workshops.registrations import service as registrations
from workshops.registrations.models import OutboxMail, QueuedMail
from workshops.registrations.service import Applicant

pytestmark = pytest.mark.db

MARCH = datetime(2030, 3, 12, 8, 0)  # a Tuesday; 09:00 in Oslo


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="nb")


def kept(db) -> list:
    """The outbox's messages, oldest first, parsed."""
    rows = db.session.query(OutboxMail).order_by(OutboxMail.id).all()
    return [BytesParser(policy=policy.default).parsebytes(row.raw) for row in rows]


def parse(row: OutboxMail):
    return BytesParser(policy=policy.default).parsebytes(row.raw)


def registered(db, workshop, email="kari@example.org", name="Kari Nordmann"):
    registration = registrations.register(workshop, Applicant(name, email))
    db.session.commit()
    return registration


def test_without_smtp_the_message_goes_to_the_outbox_in_the_project_language(
    app, db, client, project
):
    workshop = new_workshop(db, project, title="Verksted 1", starts_at=MARCH, capacity=5)

    client.post(
        f"/workshops/{workshop.id}/register?lang=en",
        data={"name": "Kari Nordmann", "email": "kari@example.org"},
    )

    (message,) = kept(db)
    assert message["To"].addresses[0].addr_spec == "kari@example.org"
    assert message["To"].addresses[0].display_name == "Kari Nordmann"
    assert message["Content-Language"] == "nb"  # the project's, not the visitor's
    assert message["X-Kraftverk-Kind"] == "confirmation"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "tirsdag 12. mars 2030 09:00" in body
    token = db.session.query(registrations.Registration).one().token
    assert f"http://localhost/registrations/{token}/cancel" in body
    ics = next(part for part in message.iter_attachments())
    assert ics.get_content_type() == "text/calendar"
    assert "DTSTART;TZID=Europe/Oslo:20300312T090000" in ics.get_content()


def test_message_of_an_english_project_is_in_english(app, db, make_project, leader):
    project = make_project("riverside", leaders=[leader], language="en")
    workshop = new_workshop(db, project, title="Workshop 1", starts_at=MARCH)

    mail.notify(registered(db, workshop), "confirmation")

    message = kept(db)[0]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert message["Subject"] == "You are registered: Workshop 1"
    assert "Tuesday, March 12, 2030" in body and "You are registered for the workshop" in body


def test_the_outbox_keeps_the_whole_message_in_the_database_and_nothing_in_the_instance(
    app, db, project
):
    workshop = new_workshop(db, project, starts_at=MARCH)
    before = sorted(str(p) for p in Path(app.instance_path).rglob("*"))

    message = mail.registration_message(registered(db, workshop), "reminder")
    row = mail.write_to_outbox(message)
    db.session.commit()

    assert row.raw == message.as_bytes()
    assert (row.project_slug, row.kind) == ("slusedal", "reminder")
    assert parse(row)["X-Kraftverk-Kind"] == "reminder"
    assert sorted(str(p) for p in Path(app.instance_path).rglob("*")) == before


class FakeSMTP:
    sent: list = []
    calls: list = []

    def __init__(self, host, port, timeout=None):
        self.calls.append(("connect", host, port))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self, context=None):
        self.calls.append(("starttls",))

    def login(self, user, password):
        self.calls.append(("login", user, password))

    def send_message(self, message):
        self.sent.append(message)


def test_with_smtp_url_the_message_is_sent_and_not_kept(app, db, project, monkeypatch):
    FakeSMTP.sent, FakeSMTP.calls = [], []
    monkeypatch.setattr(mail.smtplib, "SMTP", FakeSMTP)
    app.config["SMTP_URL"] = "smtp+starttls://kraft%40verk:p%3Ass@mail.example.org"
    workshop = new_workshop(db, project, starts_at=MARCH)

    result = mail.notify(registered(db, workshop), "confirmation")

    assert result == "queued" and FakeSMTP.calls == []  # the request never talks to the server
    assert mail.send_queued() == 1  # the sender thread's work
    assert db.session.query(QueuedMail).count() == 0
    assert FakeSMTP.calls == [
        ("connect", "mail.example.org", 587),
        ("starttls",),
        ("login", "kraft@verk", "p:ss"),
    ]
    assert FakeSMTP.sent[0]["To"].addresses[0].addr_spec == "kari@example.org"
    assert kept(db) == []


def test_when_smtp_fails_the_message_is_kept_with_the_reason(app, db, project):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    workshop = new_workshop(db, project, starts_at=MARCH)

    result = mail.notify(registered(db, workshop), "confirmation")

    assert result == "queued"
    for attempt in range(1, mail.MAX_ATTEMPTS):
        assert mail.send_queued() == 0 and kept(db) == []
        assert db.session.query(QueuedMail).one().attempts == attempt
    mail.send_queued()  # the last attempt: kept in the outbox with the server's answer
    (message,) = kept(db)
    assert message["X-Kraftverk-Unsent"].startswith("ConnectionRefusedError")
    assert db.session.query(OutboxMail).one().unsent_reason.startswith("ConnectionRefusedError")
    assert db.session.query(QueuedMail).count() == 0


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", None),
        ("smtp://mail.example.org", mail.SmtpSettings("mail.example.org", 25, "plain")),
        (
            "smtps://u:p@mail.example.org",
            mail.SmtpSettings("mail.example.org", 465, "tls", "u", "p"),
        ),
        (
            "starttls://mail.example.org:2525",
            mail.SmtpSettings("mail.example.org", 2525, "starttls"),
        ),
    ],
)
def test_smtp_url_is_read(url, expected):
    assert mail.smtp_settings(url) == expected


def test_unknown_smtp_scheme_keeps_the_message(app, db, project):
    app.config["SMTP_URL"] = "http://mail.example.org"
    workshop = new_workshop(db, project, starts_at=MARCH)

    assert mail.notify(registered(db, workshop), "confirmation") == "outbox"
    assert "SMTP_URL" in kept(db)[0]["X-Kraftverk-Unsent"]


def test_a_line_break_in_a_name_cannot_add_mail_headers(app, db, project):
    workshop = new_workshop(db, project, starts_at=MARCH)
    registration = registered(db, workshop)
    registration.name = "Kari\r\nBcc: evil@example.org"  # as if it had slipped past the form

    message = parse(mail.write_to_outbox(mail.registration_message(registration, "waiting")))

    assert message["Bcc"] is None
    assert [a.addr_spec for a in message["To"].addresses] == ["kari@example.org"]


def test_links_use_public_url_when_set(app, db, project):
    app.config["PUBLIC_URL"] = "https://kraftverk.example.org"
    workshop = new_workshop(db, project, starts_at=MARCH)
    registration = registered(db, workshop)

    body = mail.registration_message(registration, "confirmation").get_body().get_content()

    assert f"https://kraftverk.example.org/registrations/{registration.token}/cancel" in body


def test_outbox_page_lists_the_projects_messages_only(
    app, db, client, leader, project, make_project
):
    other = make_project("elvedal", leaders=[leader])
    mail.notify(registered(db, new_workshop(db, project, title="Slusedal 1")), "confirmation")
    mail.notify(registered(db, new_workshop(db, other, title="Elvedal 1")), "confirmation")
    login(client, leader.email)

    page = client.get("/projects/slusedal/outbox?lang=en").get_data(as_text=True)

    assert "Slusedal 1" in page and "kari@example.org" in page
    assert "Elvedal 1" not in page
    assert "No mail server is set up" in page


def test_reminders_go_once_to_those_with_a_place_in_workshops_starting_soon(app, db, project):
    now = datetime(2030, 3, 11, 10, 0)
    soon = new_workshop(db, project, title="Soon", starts_at=now + timedelta(hours=20), capacity=1)
    later = new_workshop(db, project, title="Later", starts_at=now + timedelta(days=5))
    registered(db, soon, "a@example.org")
    registered(db, soon, "waiting@example.org")
    registered(db, later, "b@example.org")

    first = mail.send_reminders(now=now)
    second = mail.send_reminders(now=now)

    assert (first, second) == (1, 0)
    (message,) = kept(db)
    assert message["To"].addresses[0].addr_spec == "a@example.org"
