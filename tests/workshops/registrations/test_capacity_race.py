"""The last places are given once: 20 registrations at the same moment for 5 places."""

import threading

import pytest

from tests.workshops.registrations.test_registrations import form, new_workshop
from workshops.registrations.models import Registration

pytestmark = pytest.mark.db

PEOPLE, PLACES = 20, 5


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="en")


def test_twenty_parallel_registrations_for_five_places(app, db, project):
    workshop = new_workshop(db, project, capacity=PLACES)
    url = f"/workshops/{workshop.id}/register"
    start = threading.Barrier(PEOPLE)
    statuses: list[int] = []
    lock = threading.Lock()

    def register(n: int) -> None:
        client = app.test_client()
        start.wait()
        response = client.post(url, data=form(name=f"Person {n}", email=f"p{n}@example.org"))
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=register, args=(n,)) for n in range(PEOPLE)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    db.session.expire_all()
    rows = db.session.query(Registration).filter_by(workshop_id=workshop.id).all()
    assert len(statuses) == PEOPLE and all(s in (302, 303) for s in statuses), statuses
    assert sum(r.status == "confirmed" for r in rows) == PLACES
    assert sum(r.status == "waiting" for r in rows) == PEOPLE - PLACES
