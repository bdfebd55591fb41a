"""The console's counts without a request: participants, then every room's own."""

import pytest

from app.db import utcnow
from workshops.ideas import capture
from workshops.live import clock as live
from workshops.live import counts, participants
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


def test_console_counts_participants_and_the_ideas_room_adds_its_own(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    workshop = programme_builder.add_workshop(project, template="W2")
    other = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    live.start(other, utcnow())
    for token in ("phone-a-token", "phone-b-token"):
        participants.ensure(workshop, token)
    participants.ensure(other, "phone-c-token")
    db.session.commit()
    capture.submit(workshop.join_code, "Sauna boat", device=None)
    capture.submit(other.join_code, "Moose safari", device=None)

    found = counts.counts(workshop)

    assert (found["participants"], found["ideas"], found["ideas_in_step"]) == (2, 1, 1)
    assert list(found)[0] == "participants"
