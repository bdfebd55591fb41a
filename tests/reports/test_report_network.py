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
