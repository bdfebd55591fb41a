"""Privacy: everything about a business or a person can be exported, and erased.

Erasing keeps the process record: ideas keep their text (without names), counts stay, and the
anonymous evaluation answers are not touched.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from app.db import utcnow
from evaluations import builder, responses, store
from tests.conftest import PASSWORD, csrf_token, login
from workshops.businesses import pairing_service
from workshops.businesses.models import Business
from workshops.ideas import votes
from workshops.ideas.models import Idea, Interest, Vote
from workshops.live import clock as live
from workshops.live.models import Participant
from workshops.privacy import service as privacy
from workshops.programme import builder as programme_builder
from workshops.registrations import mail
from workshops.registrations import service as registrations
from workshops.registrations.models import CheckIn, Registration
from workshops.registrations.service import Applicant

pytestmark = pytest.mark.db

PHONE = {"X-Device": "phone-of-ola-0000000001"}
BUSINESS = "Fjordbåt AS"


@pytest.fixture
def world(app, db, client, leader, make_user, make_project):
    """A project with two businesses, a live workshop where Ola (of Fjordbåt) took part."""
    viewer = make_user("viewer@example.org", can_create=False)
    project = make_project("kanalbyen", leaders=[leader], viewers=[viewer], name="Kanalbyen")
    other_leader = make_user("other@example.org")
    make_project("annenby", leaders=[other_leader])
    boat = Business(
        project=project,
        name=BUSINESS,
        sector="50.10",
        offers=["boat_trips"],
        offers_free=["fjordsafari med Ola"],
        municipality="Kanalbyen",
        description="Ola Nordmann runs boat trips.",
        email="post@fjordbat.no",
        website="https://fjordbat.no",
        contact_consent=True,
    )
    bakery = Business(project=project, name="Bakeriet", email="ola@example.org")
    db.session.add_all([boat, bakery])
    db.session.flush()
    connection = pairing_service.connect(project, boat, bakery, origin="workshop")
    connection.notes = "Ola calls Kari on Monday"
    pairing_service.name_ecosystem(project, "Fjord og brød", "Boat picnic", [boat, bakery])
    workshop = programme_builder.add_workshop(project, "Idéverksted", template="W2")
    workshop.is_public = True  # open for registration
    live.start(workshop, utcnow())
    ola = registrations.register(
        workshop,
        Applicant("Ola Nordmann", "Ola@Example.org", BUSINESS, "Nuts", True),
        device=None,
    )
    boat_contact = registrations.register(
        workshop, Applicant("Kari Fjord", "post@fjordbat.no", "Fjordbåt", "", False)
    )
    other = registrations.register(workshop, Applicant("Per Annen", "per@example.org", "Annen AS"))
    registrations.check_in(ola)
    registrations.walk_in(workshop, "Siri Walk", BUSINESS.upper())
    db.session.commit()
    base = f"/api/v1/workshops/{workshop.join_code}"
    assert (
        client.post(
            f"{base}/join", json={"name": "Ola", "business": BUSINESS}, headers=PHONE
        ).status_code
        == 200
    )
    ids = []
    for n, text in enumerate(["Sauna på båten", "Fjordfrokost"]):
        answer = client.post(
            f"{base}/ideas",
            json={"text": text, "name": "Ola N.", "business": BUSINESS},
            headers=PHONE | {"Idempotency-Key": f"ola-key-{n:04d}"},
        )
        assert answer.status_code == 201
        ids.append(answer.json["id"])
    other_idea = client.post(
        f"{base}/ideas", json={"text": "Bakeri-kurs", "name": "Per"}, headers={"X-Device": "x" * 20}
    ).json["id"]
    # Ola's registration was made on the phone he joined with.
    participant = db.session.scalar(select(Participant).where(Participant.name == "Ola"))
    ola.device = participant.device
    votes.start_round(workshop, 3, utcnow())
    db.session.commit()
    assert (
        client.post(
            f"{base}/votes", json={"idea": other_idea, "dots": 2}, headers=PHONE
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{base}/interests", json={"idea": other_idea, "business": BUSINESS}, headers=PHONE
        ).status_code
        == 201
    )
    with app.test_request_context():
        for registration in (ola, boat_contact, other):
            mail.write_to_outbox(mail.registration_message(registration, "confirmation"))
    # An anonymous evaluation answer, which erasing must not touch.
    form = builder.empty(project, "Evaluering", language="en")
    builder.add_question(form, "text", "Anything?")
    builder.set_status(form, "open")
    db.session.flush()
    checked, problems = responses.check(form, {str(form.questions[0].id): "Ola likte det"})
    assert not problems
    responses.submit(form, checked, "some-device-000000001", utcnow().date())
    db.session.commit()
    return {
        "project": project,
        "workshop": workshop,
        "boat": boat,
        "bakery": bakery,
        "ola": ola,
        "boat_contact": boat_contact,
        "other": other,
        "participant": participant,
        "ideas": ids,
        "other_idea": other_idea,
        "viewer": viewer,
        "other_leader": other_leader,
    }


def _stable(document: dict) -> dict:
    return {k: v for k, v in document.items() if k != "exported_at"}


def _evaluations(db) -> tuple:
    stored = [r for found in store.by_form().values() for r in found]
    rows = [(r.id, a.question_id, a.text) for r in stored for a in r.answers]
    return len(stored), sorted(rows, key=repr)


# --- export ------------------------------------------------------------------------------


def test_business_export_holds_everything_stored_about_it(world):
    document = privacy.export_business(world["boat"])

    json.dumps(document)  # JSON-ready
    profile = document["business"]
    assert (profile["name"], profile["email"], profile["website"]) == (
        BUSINESS,
        "post@fjordbat.no",
        "https://fjordbat.no",
    )
    assert profile["contact_consent"] is True and profile["description"].startswith("Ola")
    assert document["connections"][0]["with"] == "Bakeriet"
    assert document["connections"][0]["notes"] == "Ola calls Kari on Monday"
    assert document["ecosystems"][0]["businesses"] == ["Bakeriet", BUSINESS]
    assert [i["idea"] for i in document["interests"]] == [world["other_idea"]]
    assert [i["text"] for i in document["ideas"]] == ["Sauna på båten", "Fjordfrokost"]
    assert [p["name"] for p in document["participants"]] == ["Ola"]
    matched = {r["email"]: r["matched_by"] for r in document["registrations"]}
    assert matched == {"post@fjordbat.no": "email", "Ola@Example.org": "business"}
    assert [w["name"] for w in document["walk_ins"]] == ["Siri Walk"]
    assert [m["to"] for m in document["mail"]] == ["Kari Fjord <post@fjordbat.no>"]


def test_person_export_by_email_holds_registrations_check_ins_and_their_phone(world):
    document = privacy.export_participant(world["project"], email="OLA@example.org ")

    [registration] = document["registrations"]
    assert registration["name"] == "Ola Nordmann" and registration["dietary"] == "Nuts"
    assert registration["checked_in_at"] is not None
    assert document["businesses"] == [{"name": "Bakeriet", "as": "contact e-mail"}]
    [phone] = document["participants"]
    assert [i["text"] for i in phone["ideas"]] == ["Sauna på båten", "Fjordfrokost"]
    assert phone["votes"] == {"count": 1, "dots": 2}
    assert len(document["mail"]) == 1 and "Ola" in document["mail"][0]["to"]


def test_participant_export_holds_name_ideas_votes_and_interests(world):
    document = privacy.export_participant(world["project"], participant=world["participant"])

    assert document["participant"]["name"] == "Ola"
    assert document["participant"]["business_name"] == BUSINESS
    assert len(document["ideas"]) == 2 and document["votes"]["dots"] == 2
    assert document["interests"][0]["business_name"] == BUSINESS
    assert [r["name"] for r in document["registrations"]] == ["Ola Nordmann"]


# --- erase -------------------------------------------------------------------------------


def test_erasing_a_business_clears_contact_and_names_but_keeps_ideas(db, world):
    before_ideas = {i.id: i.text for i in db.session.scalars(select(Idea))}
    evaluations = _evaluations(db)

    privacy.erase_business(world["boat"])
    db.session.commit()

    boat = db.session.get(Business, world["boat"].id)
    assert (boat.email, boat.website, boat.description, boat.contact_consent) == ("", "", "", False)
    assert boat.name == BUSINESS and boat.offers == ["boat_trips"]  # the record stays
    ideas = {i.id: i for i in db.session.scalars(select(Idea))}
    assert {i: idea.text for i, idea in ideas.items()} == before_ideas
    for idea_id in world["ideas"]:
        idea = ideas[idea_id]
        assert (idea.author_name, idea.business_name, idea.participant_id, idea.device) == (
            "",
            "",
            None,
            None,
        )
    assert ideas[world["other_idea"]].author_name == "Per"  # others keep theirs
    assert world["participant"].name == ""
    assert world["boat_contact"].email == "" and world["boat_contact"].anonymised_at
    assert world["boat_contact"].status == "confirmed"  # counts do not change
    assert world["other"].email == "per@example.org"
    assert db.session.scalar(select(func.count()).select_from(Vote)) == 1
    assert db.session.scalar(select(Interest.business_name)) == BUSINESS
    assert not privacy.export_business(boat)["mail"]
    assert _evaluations(db) == evaluations


def test_erasing_is_idempotent(db, world):
    privacy.erase_business(world["boat"], entirely=True)
    db.session.commit()
    first = _stable(privacy.export_business(world["boat"]))

    privacy.erase_business(world["boat"], entirely=True)
    privacy.erase_person(world["project"], "ola@example.org")
    privacy.erase_person(world["project"], "ola@example.org")
    db.session.commit()

    assert _stable(privacy.export_business(world["boat"])) == first


def test_erasing_a_business_entirely_replaces_its_name_and_keeps_the_graph(db, world):
    privacy.erase_business(world["boat"], entirely=True)
    db.session.commit()

    boat = world["boat"]
    assert boat.name == privacy.erased_label(boat) and str(boat.id) in boat.name
    assert BUSINESS not in json.dumps(privacy.export_business(boat), ensure_ascii=False)
    assert (boat.municipality, boat.offers_free, boat.offers) == ("", [], ["boat_trips"])
    interest = db.session.scalar(select(Interest))
    assert (interest.business_name, interest.business_id) == (boat.name, boat.id)
    document = privacy.export_business(boat)
    assert document["connections"][0]["notes"] == ""
    assert document["ecosystems"][0]["name"] == "Fjord og brød"
    assert world["ola"].business_name == ""  # a registration naming the business
    assert db.session.scalar(select(CheckIn.name).where(CheckIn.registration_id.is_(None))) == ""


def test_erasing_a_person_anonymises_registrations_and_their_phone(db, world):
    evaluations = _evaluations(db)
    old_link = world["ola"].token

    counts = privacy.erase_person(world["project"], "ola@EXAMPLE.org")
    db.session.commit()

    ola = world["ola"]
    assert (ola.name, ola.email, ola.dietary, ola.email_key, ola.device) == ("", "", "", None, None)
    assert ola.status == "confirmed" and ola.check_in is not None  # still counted as here
    assert registrations.by_token(old_link) is None  # the old confirmation link leads nowhere
    assert ola.token != old_link and ola.anonymised_at is not None
    assert world["bakery"].email == "" and world["bakery"].name == "Bakeriet"
    assert world["participant"].name == ""
    assert all(db.session.get(Idea, i).author_name == "" for i in world["ideas"])
    assert counts["mail"] == 1 and counts["registrations"] == 1
    assert privacy.export_participant(world["project"], email="ola@example.org")["mail"] == []
    assert world["other"].name == "Per Annen"
    assert _evaluations(db) == evaluations


def test_erasing_a_participant_keeps_ideas_votes_and_interests(db, world):
    privacy.erase_participant(world["participant"])
    db.session.commit()

    document = privacy.export_participant(world["project"], participant=world["participant"])
    assert document["participant"]["name"] == "" and document["participant"]["business_name"] == ""
    assert document["ideas"] == []  # no longer linked to the phone
    assert [db.session.get(Idea, i).text for i in world["ideas"]] == [
        "Sauna på båten",
        "Fjordfrokost",
    ]
    assert document["votes"]["dots"] == 2
    assert db.session.scalar(select(func.count()).select_from(Interest)) == 1


# --- the leader's pages ------------------------------------------------------------------


def _business_urls(world) -> tuple[str, str]:
    base = f"/projects/kanalbyen/businesses/{world['boat'].id}/privacy"
    return base, base + ".json"


def test_leader_downloads_and_erases_a_business_with_a_confirmation(app, db, client, leader, world):
    login(client, leader.email)
    app.config["WTF_CSRF_ENABLED"] = True
    page, download = _business_urls(world)
    edit = client.get(f"/projects/kanalbyen/businesses/{world['boat'].id}").get_data(as_text=True)
    assert page in edit and download in edit

    exported = client.get(download)
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    assert exported.json["business"]["email"] == "post@fjordbat.no"
    confirm = client.get(page)
    assert confirm.status_code == 200 and "post@fjordbat.no" not in confirm.get_data(as_text=True)
    assert client.post(page, data={}).status_code == 400  # no CSRF token

    token = csrf_token(client, page)
    refused = client.post(page, data={"csrf_token": token})
    assert refused.status_code == 400  # the box "this cannot be undone" is not ticked
    answer = client.post(page, data={"csrf_token": token, "confirm": "y"})

    assert answer.status_code == 303
    db.session.expire_all()
    boat = db.session.get(Business, world["boat"].id)
    assert boat.email == "" and boat.name == BUSINESS


def test_leader_erases_a_person_from_the_registration_list(app, db, client, leader, world):
    login(client, leader.email)
    app.config["WTF_CSRF_ENABLED"] = True
    listing = f"/projects/kanalbyen/workshops/{world['workshop'].id}/registrations"
    page = f"/projects/kanalbyen/registrations/{world['ola'].id}/privacy"
    assert page in client.get(listing).get_data(as_text=True)
    assert client.get(page + ".json").json["registrations"][0]["email"] == "Ola@Example.org"

    answer = client.post(page, data={"csrf_token": csrf_token(client, page), "confirm": "y"})

    assert answer.status_code == 303 and answer.headers["Location"].endswith(listing)
    db.session.expire_all()
    assert db.session.get(Registration, world["ola"].id).email == ""
    again = client.post(page, data={"csrf_token": csrf_token(client, listing)})
    assert again.status_code == 303  # nothing left to erase: still fine


@pytest.mark.parametrize(
    ("who", "status"), [("viewer@example.org", 403), ("other@example.org", 404), (None, 302)]
)
def test_only_the_projects_leaders_may_export_or_erase(db, client, world, who, status):
    if who:
        login(client, who, PASSWORD)
    page, download = _business_urls(world)
    person = f"/projects/kanalbyen/registrations/{world['ola'].id}/privacy"

    for url in (page, download, person, person + ".json"):
        assert client.get(url).status_code == status, url
    # CSRF is off here: what stops them is their role, not a missing token.
    for url in (page, person):
        assert client.post(url, data={"entirely": "y"}).status_code == status, url

    db.session.expire_all()
    assert db.session.get(Business, world["boat"].id).email == "post@fjordbat.no"
    assert db.session.get(Registration, world["ola"].id).email == "Ola@Example.org"


# --- the command line --------------------------------------------------------------------


def test_cli_exports_and_erases(db, runner, world):
    exported = runner.invoke(
        args=["privacy-export", "--project", "kanalbyen", "--business", BUSINESS.lower()]
    )
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["business"]["email"] == "post@fjordbat.no"
    person = runner.invoke(
        args=["privacy-export", "--project", "kanalbyen", "--email", "ola@example.org"]
    )
    assert json.loads(person.output)["registrations"][0]["name"] == "Ola Nordmann"

    refused = runner.invoke(
        args=["privacy-erase", "--project", "kanalbyen", "--email", "ola@example.org"]
    )
    assert refused.exit_code == 1 and "--yes" in refused.output
    erased = runner.invoke(
        args=["privacy-erase", "--project", "kanalbyen", "--email", "ola@example.org", "--yes"]
    )
    assert erased.exit_code == 0, erased.output
    db.session.expire_all()
    assert db.session.get(Registration, world["ola"].id).email == ""


@pytest.mark.parametrize(
    "args",
    [
        ["privacy-export", "--project", "nowhere", "--email", "a@b.no"],
        ["privacy-export", "--project", "kanalbyen"],
        ["privacy-export", "--project", "kanalbyen", "--email", "a@b.no", "--business", "X"],
        ["privacy-export", "--project", "kanalbyen", "--business", "Nobody AS"],
        ["privacy-erase", "--project", "kanalbyen", "--email", "not-an-address", "--yes"],
        ["privacy-erase", "--project", "kanalbyen", "--email", "a@b.no", "--entirely", "--yes"],
    ],
)
def test_cli_refuses_bad_input_with_one_line(runner, world, args):
    result = runner.invoke(args=args)

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_purge_registrations_command_uses_the_retention_setting(app, db, runner, world):
    workshop = world["workshop"]
    live.close(workshop, utcnow())
    workshop.ended_at = utcnow().replace(year=utcnow().year - 2)
    db.session.commit()

    kept = runner.invoke(args=["purge-registrations", "--days", "1000"])
    assert (kept.exit_code, kept.output.strip()) == (0, "0 registrations anonymised")
    purged = runner.invoke(args=["purge-registrations"])

    assert purged.exit_code == 0 and purged.output.strip() == "3 registrations anonymised"
    db.session.expire_all()
    assert db.session.get(Registration, world["other"].id).email == ""
    assert runner.invoke(args=["purge-registrations", "--days", "-1"]).exit_code != 0
