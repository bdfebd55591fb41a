"""Projects: create, edit, list, roles, and the dashboard's counts."""

import pytest

from tests.conftest import csrf_token, login, make_app
from workshops.businesses.models import Business, Connection
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme.models import Workshop
from workshops.projects.models import Project

pytestmark = pytest.mark.db

FORM = {
    "name": "Kanalbyen 2027",
    "slug": "kanalbyen-2027",
    "municipality": "Kanalbyen kommune",
    "description": "",
    "language": "nb",
    "timezone": "Europe/Oslo",
    "target_attendees": "30",
    "target_businesses": "12",
    "target_ideas": "50",
    "target_connections": "10",
    "target_ecosystems": "2",
}


def test_leader_creates_a_project_and_leads_it(db, leader_client):
    response = leader_client.post("/projects/new", data=FORM)

    assert response.status_code == 302
    project = db.session.query(Project).one()
    assert (project.slug, project.target_ideas) == ("kanalbyen-2027", 50)
    assert leader_client.get("/projects/kanalbyen-2027/edit").status_code == 200


def test_duplicate_slug_is_refused_with_a_message(db, leader_client, leader, make_project):
    make_project("kanalbyen-2027", leaders=[leader])

    response = leader_client.post("/projects/new?lang=en", data=FORM)

    assert response.status_code == 400
    assert "Another project already uses this short name." in response.get_data(as_text=True)
    assert db.session.query(Project).count() == 1


def test_over_long_name_is_refused_and_nothing_changes(db, leader_client, leader, make_project):
    make_project("kanalbyen", leaders=[leader], name="Kanalbyen")

    response = leader_client.post(
        "/projects/kanalbyen/edit", data=FORM | {"slug": "kanalbyen", "name": "x" * 161}
    )

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.query(Project).one().name == "Kanalbyen"


def test_user_who_may_not_create_projects_gets_403(db, client, make_user):
    make_user("viewer@example.org", can_create=False)
    login(client, "viewer@example.org")

    assert client.post("/projects/new", data=FORM).status_code == 403
    assert db.session.query(Project).count() == 0


def test_viewer_reads_the_dashboard_but_cannot_change_anything(
    db, client, leader, make_user, make_project
):
    viewer = make_user("officer@example.org", can_create=False)
    make_project("kanalbyen", leaders=[leader], viewers=[viewer], name="Kanalbyen")
    login(client, viewer.email)

    assert client.get("/projects/kanalbyen").status_code == 200
    assert client.get("/projects/kanalbyen/edit").status_code == 403
    assert (
        client.post("/projects/kanalbyen/edit", data=FORM | {"slug": "kanalbyen"}).status_code
        == 403
    )
    assert (
        client.post(
            "/projects/kanalbyen/members", data={"email": viewer.email, "role": "leader"}
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.query(Project).one().name == "Kanalbyen"


def test_a_user_sees_only_their_own_projects(db, client, leader, make_user, make_project):
    other = make_user("other@example.org")
    make_project("mine", leaders=[leader], name="Mitt prosjekt")
    make_project("theirs", leaders=[other], name="Deres prosjekt")
    login(client, leader.email)

    listing = client.get("/projects").get_data(as_text=True)

    assert "Mitt prosjekt" in listing and "Deres prosjekt" not in listing
    assert client.get("/projects/theirs").status_code == 404
    assert client.get("/projects/theirs/members").status_code == 404
    assert client.get("/projects/no-such-project").status_code == 404


def test_leader_adds_a_viewer_and_cannot_remove_the_last_leader(
    db, leader_client, leader, make_user, make_project
):
    officer = make_user("officer@example.org", can_create=False)
    make_project("kanalbyen", leaders=[leader])

    added = leader_client.post(
        "/projects/kanalbyen/members", data={"email": officer.email, "role": "viewer"}
    )
    leader_client.post(f"/projects/kanalbyen/members/{leader.id}/remove")

    assert added.status_code == 302
    roles = {m.user_id: m.role for m in db.session.query(Project).one().memberships}
    assert roles == {leader.id: "leader", officer.id: "viewer"}


def test_dashboard_counts_what_happened(db, leader_client, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], target_ideas=4)
    workshop = Workshop(project=project, title="W1", join_code="ABCDEF")
    a = Business(project=project, name="A")
    b = Business(project=project, name="B")
    db.session.add_all([workshop, a, b])
    db.session.flush()
    db.session.add_all(
        [Idea(workshop_id=workshop.id, text=f"idé {n}") for n in range(3)]
        + [Participant(workshop_id=workshop.id, device=f"d{n}") for n in range(5)]
        + [Connection(project_id=project.id, a=a, b=b, status="met")]
    )
    db.session.commit()
    from workshops.projects import queries

    figures = {p.kind: (p.actual, p.target, p.percent) for p in queries.progress(project)}
    page = leader_client.get("/projects/kanalbyen").get_data(as_text=True)

    assert figures["ideas"] == (3, 4, 75)
    assert figures["attendees"][0] == 5
    assert figures["businesses"][0] == 2
    assert figures["connections"][0] == 1
    assert figures["ecosystems"][0] == 0
    assert "<strong>3</strong> / 4" in page


def test_suggested_connections_do_not_count_toward_the_target(db, leader, make_project):
    from workshops.projects import queries

    project = make_project("kanalbyen", leaders=[leader])
    a, b = Business(project=project, name="A"), Business(project=project, name="B")
    db.session.add_all([a, b])
    db.session.add(Connection(project_id=project.id, a=a, b=b, status="suggested"))
    db.session.commit()

    assert queries.actuals(project)["connections"] == 0


def test_edit_form_without_csrf_token_changes_nothing(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        from app.extensions import db
        from tests.conftest import PASSWORD
        from workshops.projects import service as projects

        db.create_all()
        from app.auth.models import User

        user = User(email="lea@example.org", can_create_projects=True)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        projects.create(projects.ProjectData(slug="kanalbyen", name="Kanalbyen"), leaders=[user])
        db.session.commit()
        client = app.test_client()
        token = csrf_token(client, "/login")
        client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})

        response = client.post("/projects/kanalbyen/edit", data=FORM | {"slug": "kanalbyen"})

        assert response.status_code == 400
        db.session.expire_all()
        assert db.session.query(Project).one().name == "Kanalbyen"
        db.session.remove()
        db.drop_all()
