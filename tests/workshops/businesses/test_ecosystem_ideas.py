"""The leader links an ecosystem's joint product to the ideas it grew from (report section 7)."""

import pytest

from tests.conftest import login
from workshops.businesses import pairing_service
from workshops.businesses import registry as businesses
from workshops.ideas.models import Idea
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def project(db, leader, make_project):
    project = make_project("nordvik", leaders=[leader], name="Nordvik", language="en")
    hut = businesses.save(project, businesses.BusinessData(name="Fjellstua", sector="55.10"))
    guide = businesses.save(project, businesses.BusinessData(name="Elv Guiding", sector="79.90"))
    workshop = programme_builder.add_workshop(project, "Ideas day", template="W1")
    db.session.flush()
    for text in ("Two nights with a guide", "A cheese shop", "Fjellhelg 🏔 <b>med</b> guide"):
        db.session.add(Idea(workshop_id=workshop.id, text=text))
    pairing_service.name_ecosystem(project, "Fjellhelg", "A weekend in the hills", [hut, guide])
    db.session.commit()
    return project


def ideas_by_text(db) -> dict[str, Idea]:
    return {idea.text: idea for idea in db.session.scalars(db.select(Idea))}


def test_leader_links_ideas_and_everyone_sees_them_verbatim(db, leader_client, project):
    ecosystem = pairing_service.ecosystems(project)[0]
    ideas = ideas_by_text(db)
    page = leader_client.get("/projects/nordvik/ecosystems").get_data(as_text=True)

    response = leader_client.post(
        f"/projects/nordvik/ecosystems/{ecosystem.id}/ideas",
        data={f"e{ecosystem.id}-ideas": [str(ideas["Two nights with a guide"].id),
                                          str(ideas["Fjellhelg 🏔 <b>med</b> guide"].id)]},
    )  # fmt: skip
    after = leader_client.get("/projects/nordvik/ecosystems").get_data(as_text=True)

    db.session.expire_all()
    assert "Link the ideas this product grew from" in page
    assert response.status_code == 302
    assert [i.text for i in ecosystem.ideas] == [
        "Two nights with a guide",
        "Fjellhelg 🏔 <b>med</b> guide",
    ]
    assert "Fjellhelg 🏔 &lt;b&gt;med&lt;/b&gt; guide" in after
    assert "<b>med</b>" not in after


def test_linking_again_replaces_the_ideas_and_none_clears_them(db, leader_client, project):
    ecosystem = pairing_service.ecosystems(project)[0]
    ideas = ideas_by_text(db)
    url = f"/projects/nordvik/ecosystems/{ecosystem.id}/ideas"

    leader_client.post(url, data={f"e{ecosystem.id}-ideas": [str(ideas["A cheese shop"].id)]})
    db.session.expire_all()
    one = [i.text for i in ecosystem.ideas]
    leader_client.post(url, data={})
    db.session.expire_all()

    assert one == ["A cheese shop"]
    assert ecosystem.ideas == []


def test_ideas_of_another_project_are_never_linked(
    db, leader, leader_client, make_project, project
):
    other = make_project("bergen", leaders=[leader], name="Bergen")
    workshop = programme_builder.add_workshop(other, "Bergen W1", template="W1")
    db.session.flush()
    foreign = Idea(workshop_id=workshop.id, text="Bergen's idea")
    db.session.add(foreign)
    db.session.commit()
    ecosystem = pairing_service.ecosystems(project)[0]

    leader_client.post(
        f"/projects/nordvik/ecosystems/{ecosystem.id}/ideas",
        data={f"e{ecosystem.id}-ideas": [str(foreign.id), "x"]},
    )

    db.session.expire_all()
    assert ecosystem.ideas == []


def test_only_the_leader_links_ideas(db, client, make_user, project):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    db.session.commit()
    login(client, viewer.email)
    ecosystem = pairing_service.ecosystems(project)[0]
    idea = next(iter(ideas_by_text(db).values()))

    page = client.get("/projects/nordvik/ecosystems").get_data(as_text=True)
    response = client.post(
        f"/projects/nordvik/ecosystems/{ecosystem.id}/ideas",
        data={f"e{ecosystem.id}-ideas": [str(idea.id)]},
    )

    db.session.expire_all()
    assert "Link the ideas this product grew from" not in page
    assert response.status_code in (403, 404)
    assert ecosystem.ideas == []


def test_an_ecosystem_of_another_project_is_404(db, leader, leader_client, make_project, project):
    other = make_project("bergen", leaders=[leader], name="Bergen")
    a = businesses.save(other, businesses.BusinessData(name="A", sector="55.10"))
    b = businesses.save(other, businesses.BusinessData(name="B", sector="79.90"))
    foreign = pairing_service.name_ecosystem(other, "Theirs", "", [a, b])
    db.session.commit()

    response = leader_client.post(f"/projects/nordvik/ecosystems/{foreign.id}/ideas", data={})

    assert response.status_code == 404
