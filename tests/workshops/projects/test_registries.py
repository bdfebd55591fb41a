"""What the rooms above register for the projects room: target counts and the first programme."""

import pytest

from workshops import events
from workshops.projects import queries

pytestmark = pytest.mark.db


def test_every_target_kind_is_counted_by_some_room(app, db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])

    assert queries.actuals(project) == {
        "attendees": 0,
        "businesses": 0,
        "ideas": 0,
        "connections": 0,
        "ecosystems": 0,
    }


def test_a_target_no_room_counts_is_an_error_not_a_zero(app, db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    app.extensions[queries.COUNTERS] = [lambda project: {"ideas": 3}]

    with pytest.raises(LookupError, match="attendees"):
        queries.progress(project)


def test_a_new_project_gets_the_methods_five_workshops_from_the_programme_room(
    app, db, leader, make_project
):
    project = make_project("kanalbyen", leaders=[leader])

    events.add_starting_programme(project, None)
    db.session.commit()

    assert [w.template_key for w in project.workshops] == ["W1", "W2", "W3", "W4", "W5"]


def test_without_a_programme_room_a_new_project_fails_loudly(app, db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader])
    app.extensions[events.STARTING_PROGRAMME] = []

    with pytest.raises(LookupError):
        events.add_starting_programme(project, None)
