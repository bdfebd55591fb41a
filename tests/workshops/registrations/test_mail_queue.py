"""Mail leaves outside the request: a queue in the database, claimed by one sender per message."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from app.db import utcnow
from tests.workshops.registrations.test_registrations import form, new_workshop
from workshops.registrations import mail
from workshops.registrations.models import QueuedMail

pytestmark = pytest.mark.db


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="en")


class SilentSMTP:
    """A mail server that takes connections and never says a word (a hung server)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.accepted: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self) -> None:
        """Refuse new connections (shutdown wakes the blocked accept) and drop the open ones."""
        for sock in (self.sock, *self.accepted):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.thread.join(timeout=5)


def test_a_hung_mail_server_delays_no_page(app, db, client, project, monkeypatch):
    server = SilentSMTP()
    monkeypatch.setattr(mail, "SMTP_TIMEOUT", 60)  # the sender stays stuck through the test
    app.config["SMTP_URL"] = f"smtp://127.0.0.1:{server.port}"
    workshop = new_workshop(db, project, capacity=5)
    url = f"/workshops/{workshop.id}/register"
    mail.start_sender(app, interval=0.1)
    try:
        first = client.post(url, data=form(name="Kari", email="kari@example.org"))
        deadline = time.monotonic() + 10
        while not server.accepted and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.accepted, "the sender never reached the mail server"

        # The sender is now waiting for the server's greeting; pages go on.
        second = app.test_client().post(url, data=form(name="Ola", email="ola@example.org"))
        calendar = app.test_client().get("/calendar")

        assert (first.status_code, second.status_code, calendar.status_code) == (303, 303, 200)
        assert app.extensions["kv_mail_sender"].is_alive()
        db.session.expire_all()
        queued = db.session.query(QueuedMail).order_by(QueuedMail.id).all()
        assert ["kari@" in queued[0].to_address, "ola@" in queued[1].to_address] == [True, True]
        assert queued[0].claimed_at is not None and queued[1].claimed_at is None
    finally:
        server.close()  # the sender's connection fails now: it goes on and then stops
        mail.stop_sender(app, timeout=10)
    assert not app.extensions["kv_mail_sender"].is_alive()


def test_several_senders_send_each_message_once(app, db, monkeypatch):
    app.config["SMTP_URL"] = "smtp://mail.example.org"
    for n in range(12):
        db.session.add(
            QueuedMail(
                project_slug="slusedal",
                to_address=f"p{n}@example.org",
                raw=f"To: p{n}@example.org\r\nSubject: {n}\r\n\r\nHello\r\n".encode(),
                created_at=utcnow(),
            )
        )
    db.session.commit()
    sent: list[str] = []
    lock = threading.Lock()

    def fake_send(_settings, message):
        time.sleep(0.02)
        with lock:
            sent.append(str(message["To"]))

    monkeypatch.setattr(mail, "_smtp_send", fake_send)
    start = threading.Barrier(3)

    def sender() -> None:
        with app.app_context():
            start.wait()
            mail.send_queued()
            from app.extensions import db as session_db

            session_db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(sent) == sorted(f"p{n}@example.org" for n in range(12))
    db.session.expire_all()
    assert db.session.query(QueuedMail).count() == 0


def test_erasing_a_person_deletes_their_queued_mail(app, db, project):
    from workshops.privacy import service as privacy

    app.config["SMTP_URL"] = "smtp://mail.example.org"
    for address in ("kari@example.org", "ola@example.org"):
        db.session.add(
            QueuedMail(
                project_slug="slusedal",
                to_address=f"Kari <{address}>",
                raw=b"To: x\r\n\r\nx\r\n",
                created_at=utcnow(),
            )
        )
    db.session.commit()

    privacy.erase_person(project, "KARI@example.org")
    db.session.commit()

    assert [q.to_address for q in db.session.query(QueuedMail)] == ["Kari <ola@example.org>"]
