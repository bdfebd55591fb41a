"""The programme builder and the console, through the web."""

import pytest

from tests.conftest import login
from workshops.programme import builder as programme_builder
from workshops.programme.models import Step, Workshop
from workshops.projects.models import Project

pytestmark = pytest.mark.db

NEW = {
    "name": "Elvedal",
    "slug": "elvedal",
    "municipality": "",
    "description": "",
    "language": "en",
    "timezone": "Europe/Oslo",
    "with_programme": "y",
    "first_day": "2027-02-03",
    **{
        f"target_{k}": "0"
        for k in ("attendees", "businesses", "ideas", "connections", "ecosystems")
    },
}


@pytest.fixture
def project(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    programme_builder.add_workshop(project, template="W1")
    db.session.commit()
    return project


def test_new_project_starts_from_the_five_workshops_at_the_methods_rhythm(db, leader_client):
    leader_client.post("/projects/new", data=NEW)

    project = db.session.query(Project).one()
    titles = [w.template_key for w in project.workshops]
    days = [w.starts_at.date().isoformat() for w in project.workshops]
    assert titles == ["W1", "W2", "W3", "W4", "W5"]
    assert days == ["2027-02-03", "2027-03-03", "2027-03-31", "2027-06-02", "2027-06-30"]
    assert project.workshops[0].title == "Who we are and what we have"
    assert sum(s.minutes for s in project.workshops[0].steps) == 180


def test_leader_reorders_steps_with_buttons(db, leader_client, project):
    workshop = project.workshops[0]
    first, second = workshop.steps[0], workshop.steps[1]

    leader_client.post(f"/projects/kanalbyen/workshops/{workshop.id}/steps/{second.id}/up")

    db.session.expire_all()
    titles = [s.title for s in db.session.get(Workshop, workshop.id).steps]
    assert titles[:2] == [second.title, first.title]


def test_leader_edits_a_step_with_tracks_and_the_sum_updates(db, leader_client, project):
    workshop = project.workshops[0]
    step = workshop.steps[0]

    response = leader_client.post(
        f"/projects/kanalbyen/workshops/{workshop.id}/steps/{step.id}",
        data={
            "title": "Velkommen <b>alle</b>",
            "minutes": "25",
            "prompt": "Hva håper du på?",
            "purpose": "",
            "notes": "",
            "collects": ["ideas"],
            "tracks": "Familier | Hva vil barna gjøre?\nPar | Hva vil dere oppleve?",
        },
    )
    page = leader_client.get(f"/projects/kanalbyen/workshops/{workshop.id}").get_data(as_text=True)

    assert response.status_code == 302
    db.session.expire_all()
    step = db.session.get(Step, step.id)
    assert (step.minutes, step.collects) == (25, ["ideas:checkin"])  # W1's check-in ideas
    assert [t["title"] for t in step.tracks] == ["Familier", "Par"]
    assert "Velkommen &lt;b&gt;alle&lt;/b&gt;" in page
    assert "195" in page


def test_step_minutes_out_of_range_are_refused(db, leader_client, project):
    workshop = project.workshops[0]
    step = workshop.steps[0]

    response = leader_client.post(
        f"/projects/kanalbyen/workshops/{workshop.id}/steps/{step.id}",
        data={"title": "X", "minutes": "999", "collects": ["ideas"]},
    )

    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(Step, step.id).minutes == 10


def test_leader_adds_and_removes_steps(db, leader_client, project):
    workshop = project.workshops[0]
    before = len(workshop.steps)

    leader_client.post(
        f"/projects/kanalbyen/workshops/{workshop.id}/steps/new",
        data={"title": "Quiz", "minutes": "10", "collects": ["nothing"]},
    )
    db.session.expire_all()
    added = db.session.get(Workshop, workshop.id).steps[-1]
    leader_client.post(f"/projects/kanalbyen/workshops/{workshop.id}/steps/{added.id}/remove")

    db.session.expire_all()
    steps = db.session.get(Workshop, workshop.id).steps
    assert added.title == "Quiz"
    assert len(steps) == before
    assert [s.position for s in steps] == list(range(before))


def test_duplicate_and_copy_from_another_project(db, leader_client, leader, project, make_project):
    other = make_project("other", leaders=[leader])
    source = project.workshops[0]

    leader_client.post(f"/projects/kanalbyen/workshops/{source.id}/duplicate")
    leader_client.post("/projects/other/workshops/copy", data={"source": source.id})

    db.session.expire_all()
    copies = db.session.query(Workshop).filter(Workshop.id != source.id).all()
    assert len(copies) == 2
    assert {c.project_id for c in copies} == {project.id, other.id}
    assert all(len(c.steps) == len(source.steps) for c in copies)
    assert len({c.join_code for c in copies} | {source.join_code}) == 3


def test_cannot_copy_a_workshop_from_a_project_one_does_not_lead(
    db, client, leader, make_user, make_project
):
    stranger = make_user("stranger@example.org")
    theirs = make_project("theirs", leaders=[stranger])
    secret = programme_builder.add_workshop(theirs, template="W1")
    make_project("mine", leaders=[leader])
    db.session.commit()
    login(client, leader.email)

    client.post("/projects/mine/workshops/copy", data={"source": secret.id})

    assert db.session.query(Workshop).count() == 1


def test_viewer_sees_the_programme_but_cannot_change_or_run_it(
    db, client, leader, make_user, project
):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(project, viewer, "viewer")
    db.session.commit()
    workshop = project.workshops[0]
    login(client, viewer.email)

    assert client.get(f"/projects/kanalbyen/workshops/{workshop.id}").status_code == 200
    assert (
        client.post(f"/projects/kanalbyen/workshops/{workshop.id}", data={"title": "X"}).status_code
        == 403
    )
    assert client.get(f"/projects/kanalbyen/workshops/{workshop.id}/console").status_code == 403
    assert client.post(f"/projects/kanalbyen/workshops/{workshop.id}/live/start").status_code == 403
    assert client.get(f"/w/{workshop.join_code}/wall").status_code == 403
    assert db.session.get(Workshop, workshop.id).status == "planned"


def test_console_runs_the_workshop_and_a_stale_next_changes_nothing(db, leader_client, project):
    workshop = project.workshops[0]
    base = f"/projects/kanalbyen/workshops/{workshop.id}/live"
    first = workshop.steps[0].id

    leader_client.post(f"{base}/start")
    leader_client.post(f"{base}/next", data={"leaving": first})
    stale = leader_client.post(
        f"{base}/next?lang=en", data={"leaving": first}, follow_redirects=True
    )
    leader_client.post(f"{base}/extend", data={"leaving": workshop.steps[1].id, "minutes": "5"})

    db.session.expire_all()
    workshop = db.session.get(Workshop, workshop.id)
    assert workshop.current_step_id == workshop.steps[1].id
    assert workshop.step_extra_minutes == 5
    assert "Someone else moved the workshop on meanwhile" in stale.get_data(as_text=True)


def test_console_and_wall_show_the_join_code_and_a_qr_code(db, leader_client, project):
    workshop = project.workshops[0]

    console = leader_client.get(f"/projects/kanalbyen/workshops/{workshop.id}/console").get_data(
        as_text=True
    )
    wall = leader_client.get(f"/w/{workshop.join_code}/wall").get_data(as_text=True)

    for page in (console, wall):
        assert workshop.join_code in page
        assert "<svg" in page and "<script>" not in page


def test_printable_agenda_obeys_visibility_and_guide_has_notes(db, leader_client, project):
    workshop = project.workshops[0]
    workshop.visibility = "hidden"
    db.session.commit()
    base = f"/projects/kanalbyen/workshops/{workshop.id}"

    agenda = leader_client.get(f"{base}/agenda").get_data(as_text=True)
    guide = leader_client.get(f"{base}/guide").get_data(as_text=True)
    pdf = leader_client.get(f"{base}/guide?format=pdf")

    assert workshop.steps[1].title not in agenda
    assert workshop.steps[1].title in guide and workshop.steps[1].notes in guide
    assert pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"


def test_create_workshop_command_prints_the_join_code_last(runner, db, leader, project):
    result = runner.invoke(
        args=[
            "create-workshop",
            "--project",
            "kanalbyen",
            "--title",
            "Ekstra",
            "--template",
            "W3",
            "--starts",
            "2027-05-05T09:00",
        ]
    )

    code = result.output.strip().splitlines()[-1]
    workshop = db.session.query(Workshop).filter_by(join_code=code).one()
    assert result.exit_code == 0
    assert (workshop.title, len(workshop.steps)) == ("Ekstra", 8)
    assert workshop.starts_at.isoformat() == "2027-05-05T07:00:00"  # 09:00 in Oslo, summer time


def test_create_workshop_command_bad_time_exits_1(runner, db, project):
    result = runner.invoke(
        args=["create-workshop", "--project", "kanalbyen", "--title", "X", "--starts", "soon"]
    )

    assert result.exit_code == 1
    assert "is not a time" in result.output


def test_saving_a_step_keeps_what_its_collects_say_of_their_kind(db, leader_client, project):
    workshop = project.workshops[0]
    step = workshop.steps[0]
    step.collects = ["ideas:story", "evaluation"]
    db.session.commit()
    url = f"/projects/kanalbyen/workshops/{workshop.id}/steps/{step.id}"

    page = leader_client.get(url).get_data(as_text=True)
    # Ideas and Evaluation stand ticked for "ideas:story" and "evaluation".
    boxes = [
        tag.split(">", 1)[0]
        for tag in page.split("<input")[1:]
        if 'name="collects"' in tag.split(">", 1)[0]
    ]
    ticked = [tag for tag in boxes if "checked" in tag]
    assert sorted(v.split('value="', 1)[1].split('"', 1)[0] for v in ticked) == [
        "evaluation",
        "ideas",
    ]
    form = {"title": step.title, "minutes": str(step.minutes), "purpose": "", "notes": ""}
    leader_client.post(url, data={**form, "collects": ["ideas", "evaluation"], "tracks": "A | a"})
    db.session.expire_all()
    assert db.session.get(Step, step.id).collects == ["ideas:story", "evaluation"]

    leader_client.post(url, data={**form, "collects": ["evaluation", "votes"], "tracks": ""})
    db.session.expire_all()
    assert db.session.get(Step, step.id).collects == ["evaluation", "votes"]


def test_a_closed_workshops_console_leads_on_to_its_ideas_and_the_evaluations(
    db, leader_client, project
):
    workshop = project.workshops[0]
    base = f"/projects/kanalbyen/workshops/{workshop.id}/live"
    leader_client.post(f"{base}/start")
    leader_client.post(f"{base}/close")

    page = leader_client.get(
        f"/projects/kanalbyen/workshops/{workshop.id}/console?lang=en"
    ).get_data(as_text=True)

    closed = page.split('class="closed-next"')[1].split("</p>")[0]
    assert f'href="/projects/kanalbyen/workshops/{workshop.id}/ideas"' in closed
    assert 'href="/projects/kanalbyen/evaluations"' in closed


def test_the_console_says_last_step_and_a_closed_workshop_has_no_rest_of_the_day(
    db, leader_client, project
):
    workshop = project.workshops[0]
    base = f"/projects/kanalbyen/workshops/{workshop.id}/live"
    console = f"/projects/kanalbyen/workshops/{workshop.id}/console?lang=en"
    leader_client.post(f"{base}/start")
    for step in workshop.steps[:-1]:
        leader_client.post(f"{base}/next", data={"leaving": step.id})

    last = leader_client.get(console).get_data(as_text=True)
    leader_client.post(f"{base}/close")
    closed = leader_client.get(console).get_data(as_text=True)

    assert "This is the last step." in last
    assert "The plan appears when the workshop has started." not in last
    assert "The workshop is closed." in closed
    assert "<tbody>" not in closed.split('id="rest-heading"')[1].split("</section>")[0]
