"""Building the programme without a request: removing steps, the current step."""

import pytest

from app.db import utcnow
from workshops.live import clock as live
from workshops.programme import builder as programme_builder
from workshops.programme import queries

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    workshop = programme_builder.add_workshop(project, template="W2")
    db.session.commit()
    return workshop


def test_removing_a_step_closes_the_gap_and_changes_the_state(db, w2):
    titles = [s.title for s in w2.steps]
    version = w2.state_version

    programme_builder.remove_step(w2, w2.steps[1])
    db.session.commit()

    assert [s.title for s in w2.steps] == titles[:1] + titles[2:]
    assert [s.position for s in w2.steps] == list(range(len(titles) - 1))
    assert w2.state_version == version + 1


def test_the_step_being_run_cannot_be_removed(db, w2):
    live.start(w2, utcnow())
    db.session.commit()
    count = len(w2.steps)

    with pytest.raises(programme_builder.StepInUse):
        programme_builder.remove_step(w2, queries.current_step(w2))

    assert (len(w2.steps), queries.step_index(w2)) == (count, 0)


def test_the_current_step_is_none_before_the_start(db, w2):
    assert (queries.current_step(w2), queries.step_index(w2)) == (None, None)
