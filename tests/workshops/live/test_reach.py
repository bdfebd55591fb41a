"""The address phones join at, and the warning when the leader opened a loopback address."""

import pytest

from workshops.live import reach
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    db.session.commit()
    return workshop


@pytest.fixture(autouse=True)
def fresh_cache(monkeypatch):
    monkeypatch.setattr(reach, "_cache", {})


def console(workshop):
    return f"/projects/kanalbyen/workshops/{workshop.id}/console"


@pytest.mark.parametrize(
    ("name", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("192.168.1.20", False),
        ("kraftverk.example", False),
        ("0.0.0.0", False),
    ],
)
def test_loopback_addresses_are_recognised(name, loopback):
    assert reach.is_loopback(name) is loopback


def test_a_loopback_address_warns_on_the_console_and_the_wall(leader_client, w2, monkeypatch):
    monkeypatch.setattr(reach, "lan_addresses", lambda: ["192.0.2.7"])
    monkeypatch.setattr(reach, "_listening", lambda address, port: False)
    base = {"base_url": "http://127.0.0.1:5077"}

    pages = [
        leader_client.get(console(w2), **base).get_data(as_text=True),
        leader_client.get(f"/w/{w2.join_code}/wall", **base).get_data(as_text=True),
    ]

    for page in pages:
        assert "127.0.0.1:5077" in page and "HOST=0.0.0.0 make run" in page
        assert "http://192.0.2.7:5077" in page
        assert (
            f"http://127.0.0.1:5077/j/{w2.join_code}" in page or "127.0.0.1:5077</strong>" in page
        )


def test_phones_are_sent_to_a_network_address_that_answers(leader_client, w2, monkeypatch):
    monkeypatch.setattr(reach, "lan_addresses", lambda: ["192.0.2.7"])
    monkeypatch.setattr(
        reach, "_listening", lambda address, port: (address, port) == ("192.0.2.7", 5077)
    )

    page = leader_client.get(console(w2), base_url="http://localhost:5077").get_data(as_text=True)

    assert f"http://192.0.2.7:5077/j/{w2.join_code}" in page
    assert "HOST=0.0.0.0" not in page


def test_public_url_wins_and_a_network_host_gets_no_warning(app, leader_client, w2, monkeypatch):
    monkeypatch.setattr(reach, "lan_addresses", lambda: ["192.0.2.7"])
    monkeypatch.setattr(reach, "_listening", lambda address, port: True)
    from_lan = leader_client.get(console(w2), base_url="http://192.0.2.7:5077").get_data(
        as_text=True
    )
    app.config["PUBLIC_URL"] = "https://kraftverk.example/"
    public = leader_client.get(console(w2), base_url="http://127.0.0.1:5077").get_data(as_text=True)

    assert "reach-warning" not in from_lan and f"http://192.0.2.7:5077/j/{w2.join_code}" in from_lan
    assert "reach-warning" not in public and f"https://kraftverk.example/j/{w2.join_code}" in public


def test_lan_addresses_leave_out_loopback_and_link_local(monkeypatch):
    monkeypatch.setattr(
        reach.socket,
        "getaddrinfo",
        lambda *a, **k: [(2, 1, 6, "", (ip, 0)) for ip in ("127.0.1.1", "169.254.3.4", "10.0.0.5")],
    )

    found = reach.lan_addresses()

    assert "10.0.0.5" in found
    assert not {"127.0.1.1", "169.254.3.4"} & set(found)
