"""A business the privacy erase replaced by a neutral name is left out of new suggestions,
ecosystem proposals and speed meetings; its connections stay (walk 3, bug 11)."""

import pytest

from workshops.businesses import pairing_service
from workshops.businesses import registry as businesses
from workshops.privacy import service as privacy
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db

CSV = (
    "name;sector;offers;needs;municipality\n"
    "Fjellstua;55.10;overnatting, middag;guidede turer, konserter;Nordvik\n"
    "Hyttegrenda;hytteutleie;hytter;guidede turer, friluftsaktiviteter;Nordvik\n"
    "Elvestrand Guiding;79.90;guidede turer;overnatting;Nordvik\n"
    "Huskygården;hundekjøring;hundekjøring, guidede turer;overnatting;Nordvik\n"
    "Spelemannslaget;90.01;konserter;overnatting, lokale;Nordvik\n"
    "Bygdebutikken;47.11;butikk, lokal mat;besøkende;Nordvik\n"
)


@pytest.fixture
def project(db, leader, make_project):
    project = make_project("fjell", leaders=[leader], name="Fjell", language="nb")
    businesses.import_file(project, CSV.encode("utf-8-sig"))
    db.session.commit()
    return project


@pytest.fixture
def erased(db, project):
    """Elvestrand Guiding, with a connection to Fjellstua, erased entirely."""
    guide = businesses.find_by_name(project, "Elvestrand Guiding")
    hut = businesses.find_by_name(project, "Fjellstua")
    pairing_service.connect(project, hut, guide)
    db.session.commit()
    pairing_service.suggestions(project)  # a cached result from before the erase
    privacy.erase_business(guide, entirely=True)
    db.session.commit()
    assert guide.name == f"Slettet bedrift {guide.id}"
    return guide


def every_partner(project):
    return {
        p.business.id for _b, found in pairing_service.suggestions(project, k=10) for p in found
    }


def test_an_erased_business_is_no_one_s_partner_nor_listed_for_pairing(project, erased):
    page = pairing_service.pairings_page(project, "", "nb", 1, 20, k=10)

    assert erased.id not in every_partner(project)
    assert erased.id not in {b.id for b, _found in pairing_service.suggestions(project)}
    assert erased.id not in {b.id for b, _found in page.rows}
    assert page.found == 5
    assert erased.id not in {p.business.id for _b, found in page.rows for p in found}


def test_an_erased_business_is_in_no_new_ecosystem_proposal(project, erased):
    proposals = pairing_service.ecosystem_proposals(project)

    assert proposals
    assert all(erased.id not in {m.id for m in members} for _e, members in proposals)


def test_an_erased_business_meets_no_one_in_a_speed_meeting(db, project, erased):
    workshop = programme_builder.add_workshop(project, "W1", template="W1")
    db.session.commit()

    every = pairing_service.speed_round(project, workshop)
    chosen = pairing_service.speed_round(project, workshop, [str(b.id) for b in project.businesses])

    for meeting in (every, chosen):
        assert erased not in meeting.chosen
        assert all(erased not in group for group in meeting.groups)
    assert len(every.chosen) == 5


def test_an_erased_business_keeps_its_connection_and_stays_in_the_registry(
    db, leader_client, project, erased
):
    hut = businesses.find_by_name(project, "Fjellstua")

    registry = pairing_service.search(project, "slettet", "nb", 1, 100)
    pairings = leader_client.get("/projects/fjell/pairings").get_data(as_text=True)

    assert pairing_service.connection_between(project, hut, erased) is not None
    assert registry.ids == [erased.id]
    assert f">Slettet bedrift {erased.id}</strong>" not in pairings  # no one's partner
    assert f">Slettet bedrift {erased.id}</h2>" not in pairings
    assert f"Fjellstua – Slettet bedrift {erased.id}" in pairings  # the connection


def test_the_erased_label_is_known_in_any_language_but_only_with_its_own_number(project):
    hut, cabins, guide = (
        businesses.find_by_name(project, n)
        for n in ("Fjellstua", "Hyttegrenda", "Elvestrand Guiding")
    )
    hut.name = f"Poistettu yritys {hut.id}"  # the project's language changed since the erase
    cabins.name = f"Erased business {cabins.id + 1}"  # another business's number: a real name

    assert pairing_service.erased_ids([hut, cabins, guide]) == {hut.id}
