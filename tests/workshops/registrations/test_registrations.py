"""Registration for public workshops: capacity, waiting list, cancelling, check-in and the list."""

import csv
import io
import re
from datetime import datetime, timedelta

import pytest

from app.db import utcnow
from tests.conftest import csrf_token, login, make_app
from workshops import codes
from workshops.live.models import Participant
from workshops.programme.models import Step, Workshop
from workshops.projects import queries
from workshops.registrations import service as registrations
from workshops.registrations.models import CheckIn, Registration
from workshops.registrations.service import Applicant, RegistrationError

pytestmark = pytest.mark.db


def new_workshop(db, project, **fields) -> Workshop:
    """A public, planned workshop of `project` a week from now, unless `fields` say otherwise."""
    values = {
        "title": "Verksted 1: Bli kjent",
        "starts_at": utcnow().replace(microsecond=0) + timedelta(days=7),
        "place": "Slusedal samfunnshus",
        "join_code": codes.new_code(),
        "is_public": True,
    }
    workshop = Workshop(project_id=project.id, **(values | fields))
    db.session.add(workshop)
    db.session.commit()
    return workshop


def form(name="Kari Nordmann", email="kari@example.org", **extra) -> dict:
    return {"name": name, "email": email, "business": "Kari's Kafé", "dietary": ""} | extra


@pytest.fixture
def project(make_project, leader):
    return make_project("slusedal", leaders=[leader], municipality="Slusedal", language="en")


@pytest.fixture
def workshop(db, project):
    return new_workshop(db, project, capacity=2)


def statuses(db, workshop) -> dict[str, str]:
    db.session.expire_all()
    rows = db.session.query(Registration).filter_by(workshop_id=workshop.id)
    return {r.email: r.status for r in rows}


def test_registration_past_capacity_goes_to_the_waiting_list(db, client, workshop):
    for n in range(3):
        client.post(f"/workshops/{workshop.id}/register", data=form(email=f"p{n}@example.org"))

    assert statuses(db, workshop) == {
        "p0@example.org": "confirmed",
        "p1@example.org": "confirmed",
        "p2@example.org": "waiting",
    }
    page = client.get(f"/workshops/{workshop.id}/register?lang=en").get_data(as_text=True)
    assert "Join the waiting list" in page


def test_confirmation_page_shows_the_place_and_the_cancel_link(db, client, workshop):
    response = client.post(f"/workshops/{workshop.id}/register?lang=en", data=form())

    assert response.status_code == 303
    page = client.get(response.location).get_data(as_text=True)
    token = db.session.query(Registration).one().token
    assert "You are registered" in page
    assert f"/registrations/{token}/cancel" in page
    assert client.get(response.location).headers["Cache-Control"] == "no-store"


def test_waiting_person_sees_their_number(db, client, workshop):
    for n in range(3):
        response = client.post(
            f"/workshops/{workshop.id}/register?lang=en", data=form(email=f"p{n}@example.org")
        )

    assert "number 1 on the waiting list" in client.get(response.location).get_data(as_text=True)


def test_cancel_asks_then_moves_the_first_waiting_person_up_and_mails_them(
    app, db, client, workshop
):
    for n in range(4):
        client.post(f"/workshops/{workshop.id}/register", data=form(email=f"p{n}@example.org"))
    first = db.session.query(Registration).filter_by(email="p0@example.org").one()
    url = f"/registrations/{first.token}/cancel"

    asked = client.get(url)
    response = client.post(url)

    assert asked.status_code == 200 and statuses(db, workshop)["p0@example.org"] == "cancelled"
    assert response.status_code == 303
    assert statuses(db, workshop) == {
        "p0@example.org": "cancelled",
        "p1@example.org": "confirmed",
        "p2@example.org": "confirmed",
        "p3@example.org": "waiting",
    }
    kinds = sorted((m["To"].addresses[0].addr_spec, m["X-Kraftverk-Kind"]) for m in _messages(db))
    assert ("p2@example.org", "moved_up") in kinds
    assert ("p0@example.org", "cancellation") in kinds
    assert ("p3@example.org", "moved_up") not in kinds


def _messages(db):
    """The messages in the outbox (a table every app server shares), parsed."""
    from email import policy
    from email.parser import BytesParser

    from workshops.registrations.models import OutboxMail

    return [
        BytesParser(policy=policy.default).parsebytes(row.raw)
        for row in db.session.query(OutboxMail).order_by(OutboxMail.id)
    ]


def test_cancelling_twice_changes_nothing(db, workshop):
    reg = registrations.register(workshop, Applicant("Kari", "kari@example.org"))
    db.session.commit()

    assert registrations.cancel(reg) == []
    assert registrations.cancel(reg) == []
    assert reg.status == "cancelled"


def test_duplicate_email_is_caught_with_a_clear_message(db, client, workshop):
    client.post(f"/workshops/{workshop.id}/register", data=form(email="kari@example.org"))

    response = client.post(
        f"/workshops/{workshop.id}/register?lang=en", data=form(email=" KARI@Example.org ")
    )

    assert response.status_code == 409
    assert "already registered for this workshop" in response.get_data(as_text=True)
    assert db.session.query(Registration).count() == 1


def test_a_cancelled_person_may_register_again(db, workshop):
    reg = registrations.register(workshop, Applicant("Kari", "kari@example.org"))
    registrations.cancel(reg)

    again = registrations.register(workshop, Applicant("Kari", "Kari@example.org"))

    assert (again.id, again.status) == (reg.id, "confirmed")


def test_closed_workshop_takes_no_registrations(db, client, workshop):
    workshop.status = "closed"
    db.session.commit()

    page = client.get(f"/workshops/{workshop.id}/register?lang=en")
    response = client.post(f"/workshops/{workshop.id}/register", data=form())

    assert "Registration is closed" in page.get_data(as_text=True)
    assert response.status_code == 409
    assert db.session.query(Registration).count() == 0
    with pytest.raises(RegistrationError, match="closed"):
        registrations.register(workshop, Applicant("Kari", "kari@example.org"))


def test_workshop_that_is_not_public_has_no_registration_page(db, client, project):
    private = new_workshop(db, project, is_public=False)

    assert client.get(f"/workshops/{private.id}/register").status_code == 404
    assert client.post(f"/workshops/{private.id}/register", data=form()).status_code == 404


def test_registration_form_needs_its_csrf_token(tmp_path, leader, project, workshop):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    url = f"/workshops/{workshop.id}/register"

    with app.app_context():
        refused = client.post(url, data=form())
        accepted = client.post(url, data=form() | {"csrf_token": csrf_token(client, url)})

    assert (refused.status_code, accepted.status_code) == (400, 303)


def test_over_long_fields_are_refused(db, client, workshop):
    for field, length in (("name", 121), ("business", 161), ("dietary", 301), ("email", 255)):
        value = "x" * (length - len("@example.org")) + "@example.org" if field == "email" else None
        response = client.post(
            f"/workshops/{workshop.id}/register",
            data=form(**{field: value or "x" * length}),
        )
        assert response.status_code == 400, field

    assert db.session.query(Registration).count() == 0


def test_hostile_text_is_stored_as_typed_and_escaped_on_pages(db, client, leader, workshop):
    hostile = '<script>alert("x")</script>\r\nBcc: evil@example.org'
    response = client.post(f"/workshops/{workshop.id}/register", data=form(name=hostile))
    login(client, leader.email)

    confirmation = client.get(response.location).get_data(as_text=True)
    roster = client.get(f"/projects/slusedal/workshops/{workshop.id}/registrations")

    stored = db.session.query(Registration).one().name
    assert stored == '<script>alert("x")</script> Bcc: evil@example.org'  # one line
    assert "<script>alert" not in confirmation
    assert "&lt;script&gt;alert" in confirmation
    assert "<script>alert" not in roster.get_data(as_text=True)


@pytest.mark.parametrize(
    ("visibility", "shown"), [("open", True), ("stepwise", False), ("hidden", False)]
)
def test_agenda_is_shown_to_registrants_only_when_open(db, client, workshop, visibility, shown):
    workshop.visibility = visibility
    db.session.add(Step(workshop_id=workshop.id, position=1, title="Secret speed dating"))
    db.session.commit()

    page = client.get(f"/workshops/{workshop.id}/register?lang=en").get_data(as_text=True)
    response = client.post(f"/workshops/{workshop.id}/register?lang=en", data=form())
    confirmation = client.get(response.location).get_data(as_text=True)

    assert ("Secret speed dating" in page) is shown
    assert ("Secret speed dating" in confirmation) is shown


def test_check_ins_and_walk_ins_count_toward_the_attendees_target(db, project, workshop):
    kari = registrations.register(workshop, Applicant("Kari", "kari@example.org"), device="dev-k")
    registrations.register(workshop, Applicant("Ola", "ola@example.org"))
    registrations.check_in(kari)
    registrations.walk_in(workshop, "Per")
    registrations.walk_in(workshop)
    db.session.add(Participant(workshop_id=workshop.id, device="dev-k"))  # Kari's phone
    db.session.add(Participant(workshop_id=workshop.id, device="dev-x"))  # someone else
    db.session.commit()

    # Kari (checked in and joined from the phone she registered with) counts once; Ola never
    # came; two walk-ins; one other device.
    assert queries.actuals(project)["attendees"] == 4


def test_a_person_checked_in_at_two_workshops_counts_once(db, project, workshop):
    second = new_workshop(db, project, title="Verksted 2")
    for w in (workshop, second):
        registrations.check_in(registrations.register(w, Applicant("Kari", "kari@example.org")))
    db.session.commit()

    assert queries.actuals(project)["attendees"] == 1


def test_checking_in_someone_from_the_waiting_list_gives_them_a_place(db, workshop):
    people = [
        registrations.register(workshop, Applicant(f"P{n}", f"p{n}@example.org")) for n in range(3)
    ]

    registrations.check_in(people[2])

    assert [p.status for p in people] == ["confirmed", "confirmed", "confirmed"]


def test_raising_the_capacity_moves_people_up(db, workshop):
    people = [
        registrations.register(workshop, Applicant(f"P{n}", f"p{n}@example.org")) for n in range(4)
    ]

    moved = registrations.set_capacity(workshop, 3)

    assert moved == [people[2]]
    assert [p.status for p in people] == ["confirmed", "confirmed", "confirmed", "waiting"]


def test_leader_checks_people_in_and_adds_walk_ins_from_the_list(db, leader_client, workshop):
    reg = registrations.register(workshop, Applicant("Kari", "kari@example.org"))
    db.session.commit()
    base = f"/projects/slusedal/workshops/{workshop.id}"

    checked = leader_client.post(f"{base}/registrations/{reg.id}/check-in")
    walked = leader_client.post(f"{base}/walk-ins", data={"name": "Per", "business": ""})
    page = leader_client.get(f"{base}/registrations?lang=en").get_data(as_text=True)

    assert (checked.status_code, walked.status_code) == (303, 303)
    assert checked.location.endswith(f"/registrations#r{reg.id}")
    assert db.session.query(CheckIn).count() == 2
    assert "Here since" in page and "Per" in page
    entry = db.session.query(CheckIn).filter_by(registration_id=reg.id).one()
    leader_client.post(f"{base}/check-ins/{entry.id}/undo")
    assert db.session.query(CheckIn).count() == 1


def test_leader_sets_places_and_theme(db, leader_client, workshop):
    response = leader_client.post(
        f"/projects/slusedal/workshops/{workshop.id}/registration-settings",
        data={"capacity": "25", "theme": "Mat og drikke"},
    )

    db.session.expire_all()
    assert response.status_code == 303
    assert (workshop.capacity, workshop.theme) == (25, "Mat og drikke")


def test_viewer_sees_the_counts_but_no_one_and_cannot_change_anything(
    db, client, leader, make_user, project, workshop
):
    viewer = make_user("officer@example.org", can_create=False)
    from workshops.projects import service as projects

    projects.set_role(project, viewer, "viewer")
    workshop.capacity = 1
    reg = registrations.register(
        workshop, Applicant("Kari", "kari@example.org", dietary="Nøtteallergi")
    )
    registrations.register(workshop, Applicant("Ola", "ola@example.org"))
    registrations.check_in(reg)
    registrations.walk_in(workshop, "Walker", "")
    db.session.commit()
    login(client, viewer.email)
    base = f"/projects/slusedal/workshops/{workshop.id}"

    page = client.get(f"{base}/registrations").get_data(as_text=True)
    csv_text = client.get(f"{base}/registrations.csv").get_data(as_text=True)

    for personal in ("Kari", "kari@example.org", "Nøtteallergi", "Ola", "Walker"):
        assert personal not in page and personal not in csv_text
    assert registrations.counts(workshop) == registrations.Counts(
        confirmed=1, waiting=1, cancelled=0, checked_in=2
    )
    assert "<strong>1</strong> / 1" in page and "<strong>2</strong>" in page
    assert csv_text.splitlines()[1:] == [
        "Has a place,1",
        "Waiting list,1",
        "Here (checked in and walk-ins),2",
        "Cancelled,0",
    ]
    assert "/check-in" not in page
    assert client.post(f"{base}/registrations/{reg.id}/check-in").status_code == 403
    assert client.post(f"{base}/registrations/{reg.id}/cancel").status_code == 403
    assert client.post(f"{base}/walk-ins", data={"name": "X"}).status_code == 403
    assert client.post(f"{base}/registration-settings", data={"capacity": "9"}).status_code == 403
    assert client.get("/projects/slusedal/outbox").status_code == 403
    assert db.session.query(CheckIn).count() == 2  # the two made above, nothing more


def test_leader_of_another_project_gets_404(db, client, make_user, make_project, workshop):
    other = make_user("other@example.org")
    make_project("elsewhere", leaders=[other])
    reg = registrations.register(workshop, Applicant("Kari", "kari@example.org"))
    db.session.commit()
    login(client, other.email)
    base = f"/projects/slusedal/workshops/{workshop.id}"

    assert client.get(f"{base}/registrations").status_code == 404
    assert client.get(f"{base}/registrations.csv").status_code == 404
    assert client.post(f"{base}/registrations/{reg.id}/check-in").status_code == 404
    assert client.get("/projects/slusedal/outbox").status_code == 404
    # Nor through their own project's address.
    assert client.get(f"/projects/elsewhere/workshops/{workshop.id}/registrations").status_code == (
        404
    )


def test_anonymous_visitor_is_sent_to_log_in(client, workshop):
    response = client.get(f"/projects/slusedal/workshops/{workshop.id}/registrations")

    assert response.status_code == 302 and "/login" in response.location


def test_csv_export_neutralises_formulas(db, leader_client, workshop):
    registrations.register(
        workshop, Applicant("=SUM(A1)", "kari@example.org", business_name="+47 Kafé, AS")
    )
    registrations.walk_in(workshop, "@walk-in")
    db.session.commit()

    response = leader_client.get(
        f"/projects/slusedal/workshops/{workshop.id}/registrations.csv?lang=en"
    )

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Status", "Name", "Business", "E-mail"]
    assert rows[1][:4] == ["Has a place", "'=SUM(A1)", "'+47 Kafé, AS", "kari@example.org"]
    assert rows[2][:2] == ["Walk-in", "'@walk-in"]


def test_purge_anonymises_registrations_of_workshops_that_ended_long_ago(db, project, workshop):
    old = new_workshop(db, project, starts_at=datetime(2020, 3, 1, 9), title="Old")
    gone = registrations.register(old, Applicant("Kari", "kari@example.org", dietary="vegan"))
    registrations.check_in(gone)
    registrations.walk_in(old, "Per", "Per's Bakeri")
    kept = registrations.register(workshop, Applicant("Ola", "ola@example.org"))
    db.session.commit()
    before = queries.actuals(project)["attendees"]
    old_token = gone.token

    count = registrations.purge_registrations(365)
    db.session.commit()

    assert count == 1
    assert (gone.name, gone.email, gone.dietary, gone.email_key) == ("", "", "", None)
    assert gone.status == "confirmed" and gone.token != old_token
    assert db.session.query(CheckIn).filter_by(registration_id=None).one().name == ""
    assert kept.email == "ola@example.org"
    assert queries.actuals(project)["attendees"] == before
    assert registrations.purge_registrations(365) == 0


def test_registration_link_of_an_unknown_token_is_404(client):
    assert client.get("/registrations/nope").status_code == 404
    assert client.post("/registrations/nope/cancel").status_code == 404


def test_device_of_the_registering_phone_is_kept_as_a_keyed_hash(db, client, workshop):
    client.post(f"/workshops/{workshop.id}/register", data=form())

    device = db.session.query(Registration).one().device
    cookie = client.get_cookie("kv_device").value
    assert device and cookie not in device and re.fullmatch(r"[0-9a-f]{40}", device)


def test_purge_follows_the_retention_setting(app, db, project):
    ended = new_workshop(db, project, starts_at=utcnow() - timedelta(days=40), title="Recent")
    registrations.register(ended, Applicant("Kari", "kari@example.org"))
    db.session.commit()

    assert registrations.purge_registrations() == 0  # 365 days by default
    app.config["REGISTRATION_RETENTION_DAYS"] = 30
    assert registrations.purge_registrations() == 1
