"""Finding a workshop: by its join code in any spelling, or as a workshop of one project."""

import pytest
from werkzeug.exceptions import NotFound

from workshops.programme import builder as programme_builder
from workshops.programme import lookup

pytestmark = pytest.mark.db


@pytest.fixture
def two(db, leader, make_project):
    ours = make_project("kanalbyen", leaders=[leader])
    theirs = make_project("elvedalen", leaders=[leader])
    mine = programme_builder.add_workshop(ours, "Ours", template="W2")
    other = programme_builder.add_workshop(theirs, "Theirs", template="W2")
    db.session.commit()
    return mine, other


def test_a_join_code_is_found_however_it_is_typed(two):
    mine, _other = two
    code = mine.join_code
    typed = f" {code[:3].lower()}-{code[3:].lower()} "

    assert lookup.by_code(typed) is mine
    assert lookup.by_code("") is None
    assert lookup.by_code("ZZZ") is None


def test_a_workshop_of_another_project_is_not_found(two):
    mine, other = two

    assert lookup.workshop_of(mine.project, mine.id) is mine
    for wrong in (other.id, None, 0, 10_000):
        with pytest.raises(NotFound):
            lookup.workshop_of(mine.project, wrong)


def test_the_join_box_opens_an_open_workshop_and_refuses_a_closed_one(db, client, two):
    mine, other = two
    other.status = "closed"
    db.session.commit()

    opened = client.get(f"/join?code={mine.join_code.lower()}")
    refused = client.get(f"/join?code={other.join_code}")

    assert (opened.status_code, opened.location) == (302, f"/j/{mine.join_code}")
    assert refused.status_code == 303 and refused.location.endswith("/")


def test_the_programme_comes_in_order_with_its_steps(db, two):
    mine, _other = two
    second = programme_builder.add_workshop(mine.project, "Second", template="W1")
    db.session.commit()

    programme = lookup.programme(mine.project)

    assert [w.title for w in programme] == ["Ours", "Second"]
    assert all(w.steps for w in programme)
    assert second in programme
