"""The demo follows the day it is loaded: five workshops held, one to start today, one to come."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from app.db import utcnow
from workshops import demo as workshop_demo
from workshops.programme.models import Workshop
from workshops.projects.models import Project
from workshops.registrations.models import Registration

pytestmark = pytest.mark.db


@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2027, 3, 3), date(2027, 8, 1)])
def test_the_held_workshops_fall_on_wednesdays_before_the_day(today):
    days = workshop_demo.demo_days(today)

    assert list(days) == ["W1", "W2", "W3", "W4", "W5"]
    assert all(day.weekday() == 2 for day in days.values())
    assert timedelta(weeks=24) <= today - days["W5"] < timedelta(weeks=25)
    ordered = list(days.values())
    gaps = [(later - earlier).days for earlier, later in zip(ordered, ordered[1:], strict=False)]
    assert gaps == [28, 28, 56, 28]


def test_the_demo_has_a_workshop_to_start_and_a_public_one_with_a_waiting_list(db, client):
    from app import demo

    demo.ensure()
    now = utcnow()
    project = db.session.scalar(select(Project).where(Project.slug == "demo"))
    workshops = list(
        db.session.scalars(
            select(Workshop).where(Workshop.project_id == project.id).order_by(Workshop.position)
        )
    )
    held, practice, follow_up = workshops[:5], workshops[5], workshops[6]

    assert all(w.status == "closed" and w.starts_at < now for w in held)
    assert practice.status == "planned" and practice.steps
    assert timedelta(0) < practice.starts_at - now <= timedelta(hours=2)
    assert follow_up.is_public and follow_up.starts_at - now > timedelta(days=19)
    statuses = [
        r.status
        for r in db.session.scalars(
            select(Registration).where(Registration.workshop_id == follow_up.id)
        )
    ]
    assert (statuses.count("confirmed"), statuses.count("waiting")) == (12, 3)
    assert follow_up.title in client.get("/calendar").get_data(as_text=True)
