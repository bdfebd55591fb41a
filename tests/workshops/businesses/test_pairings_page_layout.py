"""The pairings page in the reader's language: scores with the locale's decimal sign, a search
label that says what it searches, and a connections table whose columns match its headers
(walk 3, smaller issues)."""

import re

import pytest

from workshops.businesses import pairing_service
from workshops.businesses import registry as businesses

pytestmark = pytest.mark.db

CSV = (
    "name;sector;offers;needs\n"
    "Fjellstua;55.10;overnatting, middag;guidede turer, konserter\n"
    "Elvestrand Guiding;79.90;guidede turer;overnatting\n"
    "Huskygården;hundekjøring;hundekjøring, guidede turer;overnatting\n"
)


@pytest.fixture
def project(db, leader, make_project):
    project = make_project("fjell", leaders=[leader], name="Fjell", language="nb")
    businesses.import_file(project, CSV.encode("utf-8-sig"))
    db.session.commit()
    return project


def test_scores_use_the_decimal_sign_of_the_reader_s_language(leader_client, project):
    nb = leader_client.get("/projects/fjell/pairings?lang=nb").text
    en = leader_client.get("/projects/fjell/pairings?lang=en").text

    assert re.findall(r'<span class="muted">\d+,\d</span>', nb)
    assert not re.findall(r'<span class="muted">\d+\.\d</span>', nb)
    assert re.findall(r'<span class="muted">\d+\.\d</span>', en)


def test_the_search_says_it_finds_needs_too(leader_client, project):
    page = leader_client.get("/projects/fjell/pairings?lang=en&q=overnatting").text

    assert "Find a business by name, sector, offer or need" in page
    assert ">Elvestrand Guiding</h2>" in page  # needs accommodation, offers none


def test_each_connection_field_sits_under_its_own_header(db, leader_client, project):
    hut, guide = (businesses.find_by_name(project, n) for n in ("Fjellstua", "Elvestrand Guiding"))
    connection = pairing_service.connect(project, hut, guide)
    db.session.commit()

    page = leader_client.get("/projects/fjell/pairings?lang=en").text
    table = page[page.index('id="connections"') :]
    head = table[table.index("<thead>") : table.index("</thead>")]
    row = table[table.index("<tbody>") : table.index("</tr>", table.index("<tbody>"))]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)

    assert head.count("<th ") == len(cells) == 4
    assert "colspan" not in row
    assert "<select" in cells[1] and "<textarea" in cells[2] and "<button" in cells[3]
    form_id = f"connection-{connection.id}"
    assert f'form="{form_id}"' in cells[1] and f'form="{form_id}"' in cells[2]
    assert f'id="{form_id}"' in cells[3]


def test_a_connection_saves_from_its_table_row(db, leader_client, project):
    hut, guide = (businesses.find_by_name(project, n) for n in ("Fjellstua", "Elvestrand Guiding"))
    connection = pairing_service.connect(project, hut, guide)
    db.session.commit()

    answer = leader_client.post(
        f"/projects/fjell/connections/{connection.id}",
        data={f"c{connection.id}-status": "met", f"c{connection.id}-notes": "Coffee"},
    )

    assert answer.status_code == 302
    assert (connection.status, connection.notes) == ("met", "Coffee")


def test_long_names_may_wrap_in_the_cards(db, leader_client, project):
    long_name = "Nordlysfotograferingsopplevelsesselskapet" * 2
    hut = businesses.find_by_name(project, "Fjellstua")
    hut.name = long_name
    db.session.commit()

    pairings = leader_client.get("/projects/fjell/pairings").text
    cards = re.findall(r'<section class="([^"]*)" aria-labelledby="b\d+">', pairings)

    assert f">{long_name}</h2>" in pairings and f"<strong>{long_name}</strong>" in pairings
    assert len(cards) == 3 and all("wrap-anywhere" in c.split() for c in cards)
