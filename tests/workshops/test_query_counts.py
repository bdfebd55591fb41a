"""The hot pages run a fixed number of SQL statements, however many workshops, ideas or businesses.

Each page is asked for in a project of a small size, then again after the project has grown
(more workshops with their steps, ideas with votes and interests, businesses with connections
and ecosystems, participants and registrations); the count of statements sent to the database
must not grow. The count comes from an SQLAlchemy event on the engine, so it sees every statement,
lazy loads included.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from sqlalchemy import event

from app.db import utcnow
from tests.conftest import login
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea, Interest, Theme, Vote, VoteRound
from workshops.live import clock as live
from workshops.live.models import Participant
from workshops.programme import builder as programme_builder
from workshops.registrations.models import CheckIn, Registration

pytestmark = pytest.mark.db

SMALL, LARGE = 2, 6
PERSON = "ola@example.org"


@contextlib.contextmanager
def counted(db) -> Iterator[list[str]]:
    """The SQL statements sent while the block runs."""
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


class World:
    """A project that grows: `grow(n)` brings it to n of everything the hot pages list."""

    def __init__(self, db, project):
        self.db, self.project = db, project
        self.workshops: list = []
        self.businesses: list[Business] = []
        self.size = 0
        self.live = None
        self.round = None
        self.registration = None

    def grow(self, n: int) -> None:
        db, now = self.db, utcnow()
        for k in range(self.size, n):
            workshop = programme_builder.add_workshop(self.project, f"Workshop {k}", template="W2")
            self.workshops.append(workshop)
            for j in range(2):
                business = Business(
                    project=self.project,
                    name=f"Business {k}-{j}",
                    sector="55.10" if j else "79.90",
                    offers=["accommodation"] if j else ["guided_tour"],
                    needs=["guided_tour"] if j else ["accommodation"],
                    email=PERSON if k == 0 and j == 0 else "",
                )
                db.session.add(business)
                self.businesses.append(business)
        db.session.flush()
        if self.live is None:
            self.live = self.workshops[0]
            live.start(self.live, now)
            self.round = VoteRound(workshop_id=self.live.id, dots=3)
            db.session.add(self.round)
            self.registration = Registration(
                workshop_id=self.live.id,
                token="query-count-token",
                status="confirmed",
                name="Ola",
                business_name="Business 0-0",
                email=PERSON,
                email_key=PERSON,
                device="device-ola",
                queued_at=now,
            )
            db.session.add(self.registration)
            db.session.flush()
            db.session.add(CheckIn(workshop_id=self.live.id, registration_id=self.registration.id,
                                   name="Ola", business_name="Business 0-0"))  # fmt: skip
        first = self.businesses[0]
        for k in range(self.size, n):
            theme = Theme(workshop_id=self.live.id, name=f"Theme {k}", position=k)
            db.session.add(theme)
            db.session.add(
                Participant(workshop_id=self.live.id, device=f"device-{k}", name=f"Person {k}",
                            business_name=first.name)
            )  # fmt: skip
            db.session.flush()
            for j in range(3):
                idea = Idea(
                    workshop_id=self.live.id,
                    step_id=self.live.current_step_id,
                    text=f"Idea {k}-{j}",
                    author_name=f"Person {k}",
                    business_name=first.name,
                    device="device-ola" if j == 0 else f"device-{k}",
                    theme_id=theme.id,
                    hidden_at=now if j == 2 else None,
                )
                db.session.add(idea)
                db.session.flush()
                db.session.add(Vote(round_id=self.round.id, idea_id=idea.id, device=f"device-{k}"))
                business = self.businesses[2 * k + (j % 2)]
                db.session.add(Interest(idea_id=idea.id, device=f"device-{k}",
                                        business_name=business.name, business_id=business.id))  # fmt: skip
            a, b = self.businesses[2 * k], self.businesses[2 * k + 1]
            db.session.add(
                Connection(project_id=self.project.id, a_id=a.id, b_id=b.id, status="met",
                           origin="workshop", notes="Met at the coffee")
            )  # fmt: skip
            if a is not first:
                db.session.add(
                    Connection(project_id=self.project.id, a_id=first.id, b_id=b.id,
                               status="introduced", origin="manual")
                )  # fmt: skip
            ecosystem = Ecosystem(project_id=self.project.id, name=f"Ecosystem {k}",
                                  product="A weekend", status="forming")  # fmt: skip
            ecosystem.members = [first, a, b] if a is not first else [a, b]
            db.session.add(ecosystem)
        db.session.commit()
        self.size = n


@pytest.fixture
def world(db, leader, make_project):
    return World(db, make_project("vekst", leaders=[leader], name="Vekst", language="en"))


@pytest.fixture
def leader_in(client, leader):
    login(client, leader.email)
    return client


def _pages(world: World) -> dict[str, tuple[str, dict]]:
    """Each hot page: its URL and the headers it is asked with."""
    slug, code, wid = "vekst", world.live.join_code, world.live.id
    phone = {"X-Device": "device-0", "Accept": "application/json"}
    return {
        "console": (f"/projects/{slug}/workshops/{wid}/console", {}),
        "wall state": (f"/w/{code}/state", {"Accept": "application/json"}),
        "phone state": (f"/api/v1/workshops/{code}", phone),
        "ideas list (phones and wall)": (f"/api/v1/workshops/{code}/ideas", phone),
        "ideas board": (f"/projects/{slug}/workshops/{wid}/ideas", {}),
        "projects": ("/projects", {}),
        "dashboard": (f"/projects/{slug}", {}),
        "programme list": (f"/projects/{slug}/workshops", {}),
        "businesses": (f"/projects/{slug}/businesses", {}),
        "pairings": (f"/projects/{slug}/pairings", {}),
        "ecosystems": (f"/projects/{slug}/ecosystems", {}),
        "privacy export of a business": (
            f"/projects/{slug}/businesses/{world.businesses[0].id}/privacy.json",
            {},
        ),
        "privacy export of a person": (
            f"/projects/{slug}/registrations/{world.registration.id}/privacy.json",
            {},
        ),
    }


def _count(db, client, url: str, headers: dict) -> tuple[int, list[str]]:
    client.get(url, headers=headers)  # warm: caches and first-request work are not the page's
    db.session.expire_all()
    with counted(db) as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(statements), statements


@pytest.mark.parametrize(
    "page",
    [
        "console",
        "wall state",
        "phone state",
        "ideas list (phones and wall)",
        "ideas board",
        "projects",
        "dashboard",
        "programme list",
        "businesses",
        "pairings",
        "ecosystems",
        "privacy export of a business",
        "privacy export of a person",
    ],
)
def test_hot_page_runs_as_many_statements_at_any_size(db, world, leader_in, page):
    world.grow(SMALL)
    url, headers = _pages(world)[page]
    small, _ = _count(db, leader_in, url, headers)

    world.grow(LARGE)
    large, statements = _count(db, leader_in, url, headers)

    assert large <= small, "\n".join([f"{small} -> {large} statements for {page}", *statements])
