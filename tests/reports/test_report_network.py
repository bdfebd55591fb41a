"""The report's network of suggested ties is the pairing pages' network: same profiles, same ties."""

import pytest

from app.extensions import db
from app.reports import data
from workshops.businesses import pairing_service
from workshops.businesses.models import Business
from workshops.ideas.models import Idea, Interest
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


def test_report_suggestions_are_the_ties_of_the_pairing_pages(leader, make_project):
    project = make_project("fjordby", leaders=[leader], language="en")
    workshop = programme_builder.add_workshop(project, "Ideas", template="W2")
    firms = [
        Business(project=project, name="Fjord Hotel", sector="55.10", offers=["accommodation"],
                 needs=["guided_tour", "local_food"]),
        Business(project=project, name="Kayak Guides", sector="79.90", offers=["guided_tour"],
                 needs=["accommodation"]),
        Business(project=project, name="Farm Shop", sector="47.29", offers=["local_food"],
                 needs=["visitors"]),
        Business(project=project, name="Wool Studio", sector="13.99", offers=["workshops_courses"],
                 needs=["venue"]),
        Business(project=project, name="Boat House", sector="93.29", offers=["venue"],
                 needs=["marketing"]),
    ]  # fmt: skip
    db.session.add_all(firms)
    idea = Idea(workshop_id=workshop.id, text="Wool and boats weekend")
    db.session.add(idea)
    db.session.flush()
    # A shared interest in one idea: a reason the pairing weighs, the report must too.
    db.session.add_all(
        [
            Interest(
                idea_id=idea.id, device="d3", business_id=firms[3].id, business_name=firms[3].name
            ),
            Interest(
                idea_id=idea.id, device="d4", business_id=firms[4].id, business_name=firms[4].name
            ),
        ]
    )
    db.session.commit()

    network = data.assemble(project, "en").network
    ties = pairing_service.strongest_ties(project, 3)

    assert network is not None and network.kind == "suggested"
    assert {frozenset((a, b)) for a, b, _w in network.edges} == {
        frozenset(edge) for edge in ties.edges()
    }
    assert {frozenset((str(firms[0].id), str(firms[1].id)))} <= {
        frozenset((a, b)) for a, b, _w in network.edges
    }
    profiles = {p.id: p for p in pairing_service.profiles(project)}
    assert profiles[str(firms[3].id)].interests == frozenset({str(idea.id)})


def test_the_figures_alt_text_says_suggestions_are_suggestions_and_names_the_pairs(
    leader, make_project
):
    """A walk read "The network at the end: 5 ties" to a screen reader in a project with no
    connection at all: the lines were the pairing's suggestions."""
    from flask_babel import force_locale

    from app.reports import render

    project = make_project("fjordalt", leaders=[leader], language="en")
    db.session.add_all(
        [
            Business(project=project, name="Fjord Hotel", sector="55.10",
                     offers=["accommodation"], needs=["guided_tour"]),
            Business(project=project, name="Kayak Guides", sector="79.90",
                     offers=["guided_tour"], needs=["accommodation"]),
        ]
    )  # fmt: skip
    db.session.commit()
    network = data.assemble(project, "en").network

    with force_locale("en"):
        [(_caption, image)] = render.network_figures(network, "en")

    names = {node_id: name for node_id, name, _group in network.nodes}
    [(a, b, _weight)] = network.edges
    assert network.kind == "suggested"
    # By the names the figure draws: neutral ones, as neither business agreed to be named.
    assert sorted(names.values()) == ["Business 1", "Business 2"]
    assert (
        f'alt="No connections yet; the partners Kraftverk suggests: 1 pair: '
        f'{names[a]} – {names[b]}"'
    ) in str(image)
