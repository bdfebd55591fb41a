"""A small project with a story to report: workshops, steps, businesses, ideas, ties."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO

import pytest
from pypdf import PdfReader

from app.extensions import db
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme.models import Step, Workshop

HOSTILE = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    '=HYPERLINK("http://evil.example","click")',
    "\u202eevil reversed\u202c text",
    '<img src="file:///etc/passwd">',
]


def pdf_text(content: bytes) -> str:
    """All text of a PDF, pages joined, whitespace made single spaces."""
    reader = PdfReader(BytesIO(content))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@pytest.fixture
def viewer(make_user):
    return make_user("viewer@example.org", name="Nome kommune", can_create=False)


@pytest.fixture
def stranger(make_user):
    return make_user("stranger@example.org", name="Someone else", can_create=False)


@pytest.fixture
def story(make_project, leader, viewer):
    """Slusedal's project: two workshops, three businesses, five ideas (one hidden), two ties."""
    project = make_project(
        "slusedal",
        name="Kanalbyen Slusedal",
        municipality="Slusedal kommune",
        description="The canal village loses people; small businesses sell alone.",
        language="nb",
        leaders=[leader],
        viewers=[viewer],
        target_ideas=10,
        target_businesses=4,
    )
    first = Workshop(
        project=project,
        position=0,
        template_key="W1",
        title="Who we are",
        starts_at=datetime(2026, 1, 14, 7, 0),
        status="closed",
        join_code="ABCDEF",
    )
    last = Workshop(
        project=project,
        position=1,
        template_key="W5",
        title="Harvest",
        starts_at=datetime(2026, 6, 3, 11, 0),
        status="closed",
        join_code="GHJKMN",
    )
    db.session.add_all([first, last])
    db.session.flush()
    ideas_step = Step(
        workshop=first, position=0, key="W1.7", title="First joint ideas", minutes=25,
        collects=["ideas"],
    )  # fmt: skip
    lessons = Step(
        workshop=last, position=0, key="W5.5", title="Lessons", minutes=30,
        collects=["ideas:lesson"],
    )  # fmt: skip
    alive = Step(
        workshop=last, position=1, key="W5.6", title="Keep it alive", minutes=25,
        collects=["ideas:commitment"],
    )  # fmt: skip
    db.session.add_all([ideas_step, lessons, alive])
    db.session.flush()
    businesses = [
        Business(
            project=project,
            name="Slusedal Gjestegård",
            sector="55.10",
            offers=["accommodation"],
            needs=["guided_tour"],
        ),  # fmt: skip
        Business(
            project=project,
            name="Slusedal Padling",
            sector="93.29",
            offers=["guided_tour"],
            needs=["accommodation"],
        ),  # fmt: skip
        Business(
            project=project,
            name="Sluseby Smie",
            sector="25.50",
            offers=["handmade_products"],
            needs=["sales_outlet"],
        ),  # fmt: skip
    ]
    db.session.add_all(businesses)
    for n in range(7):
        db.session.add(Participant(workshop_id=first.id, device=f"device-{n}"))
    for n in range(4):
        db.session.add(Participant(workshop_id=last.id, device=f"device-{n}"))
    db.session.add_all(
        [
            Idea(
                workshop_id=first.id,
                step_id=ideas_step.id,
                text="Padletur med middag på gjestegården",
            ),
            Idea(
                workshop_id=first.id,
                step_id=ideas_step.id,
                text="Kanalhelg  med   konsert\nog buss hjem",
            ),
            Idea(
                workshop_id=first.id,
                step_id=ideas_step.id,
                text="Skjult idé om smia",
                hidden_at=datetime(2026, 1, 14, 8, 0),
            ),  # fmt: skip
            Idea(
                workshop_id=last.id,
                step_id=lessons.id,
                text="Kommunen bør invitere til frokostmøter",
            ),
            Idea(workshop_id=last.id, step_id=alive.id, text="Vi møtes første tirsdag i måneden"),
        ]
    )
    db.session.flush()
    db.session.add(
        Connection(
            project_id=project.id,
            a=businesses[0],
            b=businesses[1],
            status="collaborating",
            origin="suggested",
        )  # fmt: skip
    )
    db.session.add(
        Ecosystem(
            project_id=project.id,
            name="Kanalhelg",
            product="A weekend on the canal.",
            status="testing",
            members=businesses[:2],
        )  # fmt: skip
    )
    db.session.commit()
    return project
