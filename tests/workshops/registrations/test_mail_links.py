"""Links in registration mail come from a configured address, never from a forged Host header."""

import logging
from email import policy
from email.parser import BytesParser

import pytest

from tests.workshops.registrations.test_registrations import form, new_workshop
from workshops.registrations import mail
from workshops.registrations.models import OutboxMail, Registration

pytestmark = pytest.mark.db


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="en")


def register_with_host(client, workshop, host: str):
    return client.post(
        f"/workshops/{workshop.id}/register",
        data=form(),
        headers={"Host": host},
    )


def the_message(db) -> str:
    """The one message in the outbox as readable text: headers, body and calendar attachment."""
    row = db.session.query(OutboxMail).one()
    message = BytesParser(policy=policy.default).parsebytes(row.raw)
    headers = "".join(f"{name}: {value}\n" for name, value in message.items())
    parts = [part.get_content() for part in message.walk() if not part.is_multipart()]
    return headers + "\n".join(parts)


def test_a_forged_host_puts_no_link_in_the_mail(app, db, client, project, caplog):
    workshop = new_workshop(db, project)
    app.extensions.pop("kraftverk.warned_public_url", None)  # said once per app: say it again

    with caplog.at_level(logging.WARNING, logger=mail.log.name):
        response = register_with_host(client, workshop, "evil.example")

    assert response.status_code == 303
    message = the_message(db)
    assert "evil.example" not in message
    assert "You are registered for the workshop" in message
    assert "/registrations/" not in message  # no link at all rather than one to another site
    assert "PUBLIC_URL is not set" in caplog.text


def test_a_forged_host_does_not_change_a_configured_public_url(app, db, client, project):
    app.config["PUBLIC_URL"] = "https://kraftverk.example.org"
    workshop = new_workshop(db, project)

    register_with_host(client, workshop, "evil.example")

    token = db.session.query(Registration).one().token
    message = the_message(db)
    assert "evil.example" not in message
    assert f"https://kraftverk.example.org/registrations/{token}/cancel" in message


def test_a_trusted_host_is_used_for_the_links(app, db, client, project):
    app.config["TRUSTED_HOSTS"] = ["kraftverk.example.org"]
    workshop = new_workshop(db, project)

    register_with_host(client, workshop, "kraftverk.example.org")

    token = db.session.query(Registration).one().token
    assert f"http://kraftverk.example.org/registrations/{token}" in the_message(db)


def test_a_laptop_reached_at_its_own_address_keeps_its_links(app, db, client, project):
    workshop = new_workshop(db, project)

    register_with_host(client, workshop, "127.0.0.1:5000")

    token = db.session.query(Registration).one().token
    assert f"/registrations/{token}/cancel" in the_message(db)


def test_server_name_gives_the_links_outside_a_request(app, db, project):
    app.config["SERVER_NAME"] = "kraftverk.example.org"
    app.config["PREFERRED_URL_SCHEME"] = "https"

    assert mail.link("public.register", workshop_id=7) == (
        "https://kraftverk.example.org/workshops/7/register"
    )


def test_the_calendar_feed_still_answers_with_the_address_it_was_asked_at(db, client, project):
    workshop = new_workshop(db, project)

    feed = client.get(f"/workshops/{workshop.id}/calendar.ics", headers={"Host": "kv.example"})

    assert f"http://kv.example/workshops/{workshop.id}/register" in feed.get_data(as_text=True)
