"""A realistic world for the security tests: two projects, five kinds of visitor, real ids.

Project A has a leader and a viewer, a live W2 workshop with an idea, a theme, a vote, an
interest, businesses with a connection and an ecosystem, registrations and a check-in, its Form A
(open, with one response), a draft form to edit, and an uploaded import file waiting for its
preview. Project B has its own leader and a live workshop that a phone has joined. Every URL
parameter of the authorization matrix is filled with project A's ids, so a missing check would
show (or change) project A's real data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from app.db import utcnow
from app.extensions import db as _db
from tests.conftest import PASSWORD, login, make_app

ROLES = ("anonymous", "participant", "viewer", "other_leader", "leader")

# Words only project A holds: a page that shows one of them to a role that may not see
# project A has leaked its data.
MARKERS = (
    "Aurora Fjordbygd",
    "Aurora kommune",
    "Sauna boat on the fjord",
    "Water life zq",
    "Aurora Kajakk",
    "Aurora Gjestegard",
    "Rita Registrant",
    "rita@aurora.example",
    "lead-a@aurora.example",
    "viewer-a@aurora.example",
)

IMPORT_CSV = (
    b"name;sector;offers;needs\nAurora Bakeri;10.71;local food;visitors\n"
    b"Aurora Kajakk;93.29;guided tours;accommodation\n"
)


@dataclass
class World:
    """Project A's and B's ids, and a test client per role."""

    app: Flask
    ids: dict[str, object] = field(default_factory=dict)
    clients: dict[str, object] = field(default_factory=dict)


def snapshot(app: Flask) -> dict[str, tuple[int, str]]:
    """Every table's row count and a hash of its rows, and the instance folder's files."""
    state: dict[str, tuple[int, str]] = {}
    with app.app_context():
        for table in _db.metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in _db.session.execute(select(table)))
            state[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
        _db.session.remove()
    instance = Path(app.instance_path)
    files = sorted(
        f"{path.relative_to(instance)}:{path.stat().st_size}"
        for path in instance.rglob("*")
        if path.is_file() and "cache" not in path.relative_to(instance).parts
    )
    state["instance files"] = (len(files), hashlib.sha256("\n".join(files).encode()).hexdigest())
    return state


def _answers_for(form) -> dict[str, object]:
    """A complete, valid answer to every question of `form`."""
    answers: dict[str, object] = {}
    for question in form.questions:
        if question.type == "text":
            answers[str(question.id)] = "Good day zq"
        elif question.type == "scale":
            answers[str(question.id)] = 4
        elif question.type == "multiple":
            answers[str(question.id)] = [str(question.options[0].id)]
        else:
            answers[str(question.id)] = str(question.options[0].id)
    return answers


def build_world(app: Flask) -> World:
    """Fill the database with projects A and B, and log each role in."""
    world = World(app)
    with app.app_context():
        _fill(world)
    _log_in(world)
    return world


def _fill(world: World) -> None:
    from app.auth.models import User
    from evaluations import builder, responses
    from evaluations.models import EvaluationForm
    from workshops.businesses import pairing_service
    from workshops.businesses import registry as business_service
    from workshops.ideas import capture as ideas
    from workshops.ideas import votes
    from workshops.live import clock as live
    from workshops.programme import builder as programme_builder
    from workshops.projects import service as projects
    from workshops.registrations import service as registration_service

    def user(email: str, *, can_create: bool) -> User:
        found = User(email=email, name=email.split("@")[0], can_create_projects=can_create)
        found.set_password(PASSWORD)
        _db.session.add(found)
        _db.session.flush()
        return found

    ids = world.ids
    now = utcnow()
    leader = user("lead-a@aurora.example", can_create=True)
    viewer = user("viewer-a@aurora.example", can_create=False)
    other = user("lead-b@bergen.example", can_create=True)
    member = user("member-a@aurora.example", can_create=False)

    project = projects.create(
        projects.ProjectData(
            slug="aurora",
            name="Aurora Fjordbygd",
            municipality="Aurora kommune",
            targets={"ideas": 20},
        ),
        leaders=[leader],
    )
    projects.set_role(project, viewer, "viewer")
    projects.set_role(project, member, "viewer")
    workshop = programme_builder.add_workshop(
        project, "Aurora W2", template="W2", starts_at=now + timedelta(hours=1)
    )
    workshop.is_public = True
    workshop.visibility = "open"
    _db.session.flush()
    live.start(workshop, now)
    _db.session.commit()

    idea = ideas.submit(workshop.join_code, "Sauna boat on the fjord", device="device-a-0001")
    theme = ideas.create_theme(workshop, "Water life zq")
    theme_2 = ideas.create_theme(workshop, "Food zq")
    _db.session.flush()
    from workshops.ideas.models import Idea

    ideas.set_theme(_db.session.get(Idea, idea.id), theme, leader.id, now)
    votes.start_round(workshop, 3, now)
    _db.session.commit()
    votes.mark_interest(workshop, idea.id, "Aurora Kajakk", "device-a-0001", now)

    kayak = business_service.save(
        project,
        business_service.BusinessData(
            name="Aurora Kajakk", sector="93.29", offers="guided tours", needs="accommodation"
        ),
    )
    inn = business_service.save(
        project,
        business_service.BusinessData(
            name="Aurora Gjestegard", sector="55.10", offers="accommodation", needs="guided tours"
        ),
    )
    smithy = business_service.save(
        project,
        business_service.BusinessData(name="Aurora Smie", sector="25.50", offers="zqunknownword"),
    )
    _db.session.flush()
    connection = pairing_service.connect(project, kayak, inn)
    ecosystem = pairing_service.name_ecosystem(project, "Fjord weekend", "A weekend", [kayak, inn])

    registration = registration_service.register(
        workshop,
        registration_service.Applicant(name="Rita Registrant", email="rita@aurora.example"),
    )
    _db.session.flush()
    check_in = registration_service.check_in(registration)
    second = registration_service.register(
        workshop,
        registration_service.Applicant(name="Sigurd Second", email="sigurd@aurora.example"),
    )

    form_a = _db.session.scalar(
        select(EvaluationForm).where(EvaluationForm.workshop_id == workshop.id)
    )
    builder.set_status(form_a, "open")
    _db.session.flush()
    checked, problems = responses.check(form_a, _answers_for(form_a))
    assert not problems, problems
    responses.submit(form_a, checked, "device-a-0002", now.date())
    chart_question = next(q for q in form_a.questions if q.type in ("single", "scale", "yesno"))

    draft = builder.empty(project, "Aurora draft form", workshop=workshop, language="en")
    builder.add_question(draft, "single", "Which day?", required=True)
    question = draft.questions[0]
    option = builder.add_option(question, "Monday")
    builder.add_option(question, "Tuesday")

    project_b = projects.create(
        projects.ProjectData(slug="bergen", name="Bergen Bryggelag"), leaders=[other]
    )
    workshop_b = programme_builder.add_workshop(project_b, "Bergen W1", template="W1")
    _db.session.flush()
    live.start(workshop_b, now)
    _db.session.commit()

    ids.update(
        slug=project.slug,
        workshop_id=workshop.id,
        code=workshop.join_code,
        step_id=workshop.current_step_id,
        idea_id=idea.id,
        theme_id=theme.id,
        theme_2_id=theme_2.id,
        form_answers=_answers_for(form_a),
        import_file=lambda: BytesIO(IMPORT_CSV),
        business_id=kayak.id,
        business_ids=(kayak.id, inn.id, smithy.id),
        connection_id=connection.id,
        ecosystem_id=ecosystem.id,
        registration_id=second.id,
        registration_token=registration.token,
        check_in_id=check_in.id,
        form_id=form_a.id,
        form_token=form_a.token,
        chart_question_id=chart_question.id,
        draft_id=draft.id,
        draft_question_id=question.id,
        draft_option_id=option.id,
        user_id=member.id,
        viewer_email=viewer.email,
        other_email=other.email,
        leader_id=leader.id,
        slug_b=project_b.slug,
        code_b=workshop_b.join_code,
        workshop_b_id=workshop_b.id,
    )
    _db.session.remove()


def _log_in(world: World) -> None:
    """A client per role: logged in, or (the participant) joined to project B's workshop."""
    app, ids = world.app, world.ids
    for role in ROLES:
        world.clients[role] = app.test_client()
    for role, email in (
        ("viewer", ids["viewer_email"]),
        ("other_leader", ids["other_email"]),
        ("leader", "lead-a@aurora.example"),
    ):
        answer = login(world.clients[role], email)
        assert answer.status_code == 302, f"{role} could not log in"
    joined = world.clients["participant"].get(f"/j/{ids['code_b']}")
    assert joined.status_code == 200, "the participant could not join project B's workshop"

    uploaded = world.clients["leader"].post(
        f"/projects/{ids['slug']}/businesses/import",
        data={"file": (BytesIO(IMPORT_CSV), "aurora.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302, "the leader could not upload an import file"
    ids["import_token"] = uploaded.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def security_app(tmp_path):
    """An app with charts from one response, on a fresh database."""
    app = make_app(tmp_path, EVALUATION_MIN_RESPONSES=1)
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    # No app context stays pushed: each request gets its own, so `g` (and the logged-in user
    # Flask-Login keeps there) never carries over from one role's request to another's.
    yield app
    with app.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()
