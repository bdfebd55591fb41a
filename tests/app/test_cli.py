"""The operator's commands: create-project, create-user, demo."""

import pytest

from app.auth.models import User
from workshops.ideas.models import Idea
from workshops.projects.models import Membership, Project

pytestmark = pytest.mark.db


def test_create_project_with_leader_and_targets(runner, db, leader):
    result = runner.invoke(
        args=[
            "create-project",
            "elvedal",
            "--name",
            "Elvedal",
            "--municipality",
            "Elvedal kommune",
            "--lang",
            "sv",
            "--leader",
            leader.email,
            "--target",
            "ideas=40",
        ]
    )

    assert result.exit_code == 0, result.output
    project = db.session.query(Project).one()
    assert (project.name, project.language, project.target_ideas) == ("Elvedal", "sv", 40)
    assert [(m.user_id, m.role) for m in project.memberships] == [(leader.id, "leader")]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create-project", "Bad Slug", "--name", "X"], "lower-case letters"),
        (["create-project", "ok-slug", "--name", "X", "--lang", "de"], "offered languages"),
        (["create-project", "ok-slug", "--name", "X", "--timezone", "Mars/Olympus"], "time zone"),
        (["create-project", "ok-slug", "--name", "X", "--leader", "nobody@x.no"], "no user"),
        (["create-project", "ok-slug", "--name", "X", "--target", "ideas=many"], "KIND=NUMBER"),
    ],
)
def test_create_project_bad_input_exits_1_with_one_line(runner, db, args, message):
    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert db.session.query(Project).count() == 0


def test_create_project_refuses_a_duplicate_slug(runner, db, leader, make_project):
    make_project("elvedal", leaders=[leader])

    result = runner.invoke(args=["create-project", "elvedal", "--name", "Again"])

    assert result.exit_code == 1
    assert "already uses" in result.output


def test_create_user_gives_a_role_in_one_project(runner, db, leader, make_project):
    project = make_project("elvedal", leaders=[leader])

    result = runner.invoke(
        args=["create-user", "officer@elvedal.example", "--project", "elvedal", "--role", "viewer"],
        input="longenough\n",
    )

    assert result.exit_code == 0, result.output
    user = db.session.query(User).filter_by(email="officer@elvedal.example").one()
    assert db.session.get(Membership, (user.id, project.id)).role == "viewer"
    assert user.can_create_projects is False


def test_create_user_for_unknown_project_exits_1(runner, db):
    result = runner.invoke(
        args=["create-user", "a@b.no", "--project", "nope", "--role", "viewer"],
        input="longenough\n",
    )

    assert result.exit_code == 1
    assert "no project with the slug 'nope'" in result.output
    assert db.session.query(User).count() == 0


def test_demo_loads_once_and_prints_the_login(runner, db):
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])

    assert first.exit_code == 0, first.output
    assert "Demo login: leader@demo.example " in first.output
    assert "Loaded" not in second.output
    project = db.session.query(Project).filter_by(slug="demo").one()
    assert project.municipality == "Slusedal kommune"
    assert len(project.businesses) == 14
    assert len(project.workshops) == 7  # five held, the practice one today, the follow-up


def test_demo_reset_replaces_only_the_demo_project(runner, db, leader, make_project):
    make_project("mine", leaders=[leader])
    runner.invoke(args=["demo"])
    demo = db.session.query(Project).filter_by(slug="demo").one()
    db.session.add(Idea(workshop_id=demo.workshops[0].id, text="added by hand"))
    db.session.commit()

    result = runner.invoke(args=["demo", "--reset"])

    assert result.exit_code == 0, result.output
    assert db.session.query(Project).filter_by(slug="mine").count() == 1
    assert db.session.query(Idea).filter_by(text="added by hand").count() == 0
    assert db.session.query(Project).filter_by(slug="demo").count() == 1


def test_demo_if_empty_skips_a_database_with_projects(runner, db, leader, make_project):
    make_project("mine", leaders=[leader])

    result = runner.invoke(args=["demo", "--if-empty"])

    assert result.exit_code == 0
    assert db.session.query(Project).filter_by(slug="demo").count() == 0


def test_demo_password_comes_from_the_environment_setting(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, DEMO_PASSWORD="demo-secret-1")
    with app.app_context():
        from app.extensions import db

        db.create_all()
        result = app.test_cli_runner().invoke(args=["demo"])

        assert "Demo login: leader@demo.example demo-secret-1" in result.output
        client = app.test_client()
        response = client.post(
            "/login", data={"email": "leader@demo.example", "password": "demo-secret-1"}
        )
        assert response.status_code == 302
        db.session.remove()
        db.drop_all()
