"""Registration is limited per client address and per workshop, so nobody can make the app mail
any address at will or take every place; the counts live in the database."""

from datetime import timedelta

import pytest

from app.db import utcnow
from tests.conftest import make_app
from tests.workshops.registrations.test_registrations import form, new_workshop
from workshops.registrations import service as registrations
from workshops.registrations.models import OutboxMail, Registration
from workshops.registrations.service import Applicant, RegistrationError

pytestmark = pytest.mark.db


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="en")


def post(client, workshop, n: int, address: str = "198.51.100.7", **headers):
    return client.post(
        f"/workshops/{workshop.id}/register",
        data=form(name=f"Person {n}", email=f"p{n}@example.org"),
        environ_base={"REMOTE_ADDR": address},
        headers=headers,
    )


def test_one_address_registers_a_few_times_then_gets_429_in_its_language(app, db, client, project):
    app.config["REGISTRATIONS_PER_CLIENT"] = 3
    workshop = new_workshop(db, project, capacity=50)
    other = new_workshop(db, project, title="Verksted 2")

    answers = [post(client, workshop, n).status_code for n in range(3)]
    refused = post(client, other, 3)  # the limit counts across workshops

    assert answers == [303, 303, 303]
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "900"
    assert "Many registrations have come from your network" in refused.get_data(as_text=True)
    assert db.session.query(OutboxMail).count() == 3  # no mail for the refused one
    assert post(client, other, 4, address="203.0.113.9").status_code == 303


def test_the_refusal_is_in_the_projects_language(app, db, client, make_project, leader):
    app.config["REGISTRATIONS_PER_CLIENT"] = 1
    project = make_project("elvedal", leaders=[leader], language="nb")
    workshop = new_workshop(db, project)
    post(client, workshop, 1)

    refused = post(client, workshop, 2)

    assert refused.status_code == 429
    assert '<html lang="nb"' in refused.get_data(as_text=True)


def test_a_workshop_takes_only_so_many_registrations_in_a_while(app, db, client, project):
    app.config["REGISTRATIONS_PER_WORKSHOP"] = 2
    workshop = new_workshop(db, project, capacity=40)
    other = new_workshop(db, project, title="Verksted 2")

    answers = [post(client, workshop, n, address=f"192.0.2.{n}").status_code for n in range(3)]

    assert answers == [303, 303, 429]
    assert "Very many people are registering" in post(client, workshop, 9, "192.0.2.9").text
    assert post(client, other, 10, address="192.0.2.10").status_code == 303
    assert db.session.query(Registration).filter_by(workshop_id=workshop.id).count() == 2


def test_a_forged_forwarded_for_header_is_not_a_new_client(app, db, client, project):
    app.config["REGISTRATIONS_PER_CLIENT"] = 1
    workshop = new_workshop(db, project)

    first = post(client, workshop, 1, **{"X-Forwarded-For": "192.0.2.1"})
    second = post(client, workshop, 2, **{"X-Forwarded-For": "192.0.2.2"})

    assert (first.status_code, second.status_code) == (303, 429)


def test_behind_a_trusted_proxy_each_forwarded_client_counts_apart(tmp_path, db, project):
    url = db.engine.url.render_as_string(hide_password=False)
    proxied = make_app(
        tmp_path / "proxied",
        SQLALCHEMY_DATABASE_URI=url,
        TRUSTED_PROXIES=1,
        REGISTRATIONS_PER_CLIENT=1,
    )
    workshop = new_workshop(db, project)
    browser = proxied.test_client()

    answers = [
        post(browser, workshop, n, address="10.0.0.1", **{"X-Forwarded-For": ip}).status_code
        for n, ip in enumerate(["192.0.2.1", "192.0.2.2", "192.0.2.1"])
    ]

    assert answers == [303, 303, 429]


def test_the_count_is_shared_by_every_app_server(tmp_path, db, client, project):
    """Two apps on one database stand for two workers or hosts."""
    url = db.engine.url.render_as_string(hide_password=False)
    second = make_app(tmp_path / "second", SQLALCHEMY_DATABASE_URI=url, REGISTRATIONS_PER_CLIENT=2)
    client.application.config["REGISTRATIONS_PER_CLIENT"] = 2
    workshop = new_workshop(db, project)

    answers = [
        post(server, workshop, n).status_code
        for n, server in enumerate([client, second.test_client(), client])
    ]

    assert answers == [303, 303, 429]


def test_the_deployed_configuration_limits_registrations(app, db, client, project):
    from config import Config

    app.config["REGISTRATIONS_PER_CLIENT"] = Config.REGISTRATIONS_PER_CLIENT
    app.config["REGISTRATIONS_PER_WORKSHOP"] = Config.REGISTRATIONS_PER_WORKSHOP
    workshop = new_workshop(db, project)

    answers = [
        post(client, workshop, n).status_code for n in range(Config.REGISTRATIONS_PER_CLIENT + 1)
    ]

    assert answers[-2:] == [303, 429]


def test_the_address_is_kept_only_while_it_counts(app, db, project):
    app.config["REGISTRATIONS_PER_CLIENT"] = 5
    workshop = new_workshop(db, project)
    client = registrations.client_key("198.51.100.7")
    long_ago = utcnow() - registrations.LIMIT_WINDOW - timedelta(minutes=1)
    old = registrations.register(
        workshop, Applicant("Old", "old@example.org"), client=client, now=long_ago
    )
    new = registrations.register(workshop, Applicant("New", "new@example.org"), client=client)
    db.session.commit()
    db.session.expire_all()

    assert (old.client, new.client) == (None, client)
    registrations.anonymise(new, utcnow())
    assert new.client is None


def test_the_daily_purge_clears_addresses_that_no_longer_count(app, db, project):
    workshop = new_workshop(db, project)
    client = registrations.client_key("198.51.100.7")
    registration = registrations.register(
        workshop, Applicant("Kari", "kari@example.org"), client=client
    )
    db.session.commit()

    registrations.purge_registrations(now=utcnow() + registrations.LIMIT_WINDOW * 2)
    db.session.commit()
    db.session.expire_all()

    assert registration.client is None


def test_an_ipv6_client_is_one_64_network(app):
    key = registrations.client_key

    assert key("2001:db8:1:2::1") == key("2001:db8:1:2:ffff::9")
    assert key("2001:db8:1:2::1") != key("2001:db8:1:3::1")
    assert key("::ffff:192.0.2.1") == key("192.0.2.1")
    assert key(None) is None and key("not an address") is None


def test_the_service_refuses_without_a_request(app, db, project):
    app.config["REGISTRATIONS_PER_WORKSHOP"] = 1
    workshop = new_workshop(db, project)
    registrations.register(workshop, Applicant("One", "one@example.org"))

    with pytest.raises(RegistrationError) as refused:
        registrations.register(workshop, Applicant("Two", "two@example.org"))

    assert refused.value.code == "workshop_limit"


def test_zero_means_no_limit_and_the_projects_leaders_are_not_limited_per_address(
    app, db, client, project, leader
):
    from tests.conftest import login

    app.config["REGISTRATIONS_PER_CLIENT"] = 0
    workshop = new_workshop(db, project, capacity=40)
    assert [post(client, workshop, n).status_code for n in range(3)] == [303, 303, 303]

    app.config["REGISTRATIONS_PER_CLIENT"] = 1
    login(client, leader.email)
    assert [post(client, workshop, n).status_code for n in range(3, 6)] == [303, 303, 303]
