"""The leader's work with ideas: hiding, themes, paper ideas, dot votes, interests, exports."""

import csv
import io
import threading

import pytest
from openpyxl import load_workbook

from app.db import utcnow
from tests.conftest import login
from workshops.ideas.models import Idea, IdeaEvent, Interest, Theme, Vote
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def w2(db, leader, make_project):
    project = make_project("kanalbyen", leaders=[leader], name="Kanalbyen")
    workshop = programme_builder.add_workshop(project, template="W2")
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def add(client, workshop, text):
    return client.post(f"/api/v1/workshops/{workshop.join_code}/ideas", json={"text": text}).json[
        "id"
    ]


def base(workshop):
    return f"/projects/kanalbyen/workshops/{workshop.id}"


def test_hidden_idea_leaves_the_wall_but_stays_with_an_audit_trail(
    db, app, leader_client, leader, w2
):
    phone = app.test_client()
    idea_id = add(phone, w2, "Sauna boat")

    leader_client.post(f"{base(w2)}/ideas/{idea_id}/hide")
    wall = phone.get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"]
    board = leader_client.get(f"{base(w2)}/ideas").get_data(as_text=True)
    leader_client.post(f"{base(w2)}/ideas/{idea_id}/show")

    assert wall == []
    assert "Sauna boat" in board
    events = [(e.action, e.user_id) for e in db.session.query(IdeaEvent).order_by(IdeaEvent.id)]
    assert events == [("hide", leader.id), ("show", leader.id)]
    assert db.session.get(Idea, idea_id).hidden_at is None


DESTRUCTIVE = ("delete", "remove", "erase", "destroy", "purge", "drop")


def test_there_is_no_way_to_delete_an_idea(app, db, leader_client, w2):
    idea_id = add(app.test_client(), w2, "Keep me")
    rules = list(app.url_map.iter_rules())
    about_ideas = [r for r in rules if "idea" in r.rule.lower() or "idea" in r.endpoint.lower()]

    assert [r.rule for r in rules if "DELETE" in r.methods] == []
    assert [
        r.rule for r in about_ideas if any(w in f"{r.rule} {r.endpoint}" for w in DESTRUCTIVE)
    ] == []
    # Every rule that names one idea, with each word its free segments could take.
    one_idea = [r for r in about_ideas if "idea_id" in r.arguments]
    assert one_idea, "no rule addresses one idea: this test would check nothing"
    for rule in one_idea:
        free = sorted(rule.arguments - {"slug", "workshop_id", "idea_id"})
        for word in (*DESTRUCTIVE, "hide", "show", "spotlight", "theme"):
            values = {"slug": "kanalbyen", "workshop_id": w2.id, "idea_id": idea_id}
            values |= dict.fromkeys(free, word)
            url = rule.build(values, append_unknown=False)[1]
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answer = leader_client.open(url, method=method)
                if word in DESTRUCTIVE and free:
                    assert answer.status_code == 404, (method, url)

    db.session.expire_all()
    assert db.session.get(Idea, idea_id).text == "Keep me"


def test_themes_are_created_renamed_assigned_and_merged(db, app, leader_client, w2):
    a, b = add(app.test_client(), w2, "Båt"), add(app.test_client(), w2, "Padling")
    leader_client.post(f"{base(w2)}/themes", data={"name": "Vann"})
    leader_client.post(f"{base(w2)}/themes", data={"name": "Kanal"})
    water, canal = db.session.query(Theme).order_by(Theme.id).all()

    leader_client.post(f"{base(w2)}/ideas/{a}/theme", data={"theme": water.id})
    leader_client.post(f"{base(w2)}/ideas/{b}/theme", data={"theme": canal.id})
    leader_client.post(f"{base(w2)}/themes/{canal.id}", data={"name": "Kanalhelg"})
    leader_client.post(f"{base(w2)}/themes/merge", data={"source": water.id, "target": canal.id})

    db.session.expire_all()
    listed = {
        i["text"]: i["theme"]
        for i in app.test_client().get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"]
    }
    assert listed == {"Båt": "Kanalhelg", "Padling": "Kanalhelg"}
    assert db.session.query(Theme).count() == 1


def test_leader_types_a_paper_idea_marked_as_typed_by_the_leader(db, leader_client, w2):
    leader_client.post(
        f"{base(w2)}/ideas", data={"text": "Fra lappen: <b>sykkelbuss</b>", "name": "Kari"}
    )

    idea = db.session.query(Idea).one()
    assert (idea.text, idea.typed_by_leader, idea.author_name) == (
        "Fra lappen: <b>sykkelbuss</b>",
        True,
        "Kari",
    )
    page = leader_client.get(f"{base(w2)}/ideas").get_data(as_text=True)
    assert "Fra lappen: &lt;b&gt;sykkelbuss&lt;/b&gt;" in page


def test_dot_vote_results_stay_hidden_until_revealed(db, app, leader_client, w2):
    idea_id = add(app.test_client(), w2, "Sauna boat")
    phone = app.test_client()
    leader_client.post(f"{base(w2)}/vote/open", data={"dots": "3"})

    spent = phone.post(f"/api/v1/workshops/{w2.join_code}/votes", json={"idea": idea_id, "dots": 2})
    before = phone.get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"][0]
    leader_client.post(f"{base(w2)}/vote/reveal")
    after = phone.get(f"/api/v1/workshops/{w2.join_code}/ideas").json["ideas"][0]

    assert (spent.status_code, spent.json["dots_left"]) == (201, 1)
    assert "votes" not in before
    assert after["votes"] == 2


def test_a_device_cannot_exceed_its_dots(app, leader_client, w2):
    idea_id = add(app.test_client(), w2, "Sauna boat")
    phone = app.test_client()
    leader_client.post(f"{base(w2)}/vote/open", data={"dots": "3"})
    url = f"/api/v1/workshops/{w2.join_code}/votes"

    statuses = [phone.post(url, json={"idea": idea_id, "dots": 1}).status_code for _ in range(4)]
    back = phone.post(url, json={"idea": idea_id, "dots": -1})
    again = phone.post(url, json={"idea": idea_id, "dots": 1})

    assert statuses == [201, 201, 201, 409]
    assert (back.status_code, again.status_code) == (201, 201)


def test_parallel_votes_from_one_device_never_exceed_its_dots(tmp_path):
    from tests.conftest import make_app

    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/v.sqlite3")
    with app.app_context():
        from app.extensions import db
        from workshops.ideas import capture as ideas
        from workshops.ideas import votes
        from workshops.projects import service as projects

        db.create_all()
        project = projects.create(projects.ProjectData(slug="pp", name="P"))
        workshop = programme_builder.add_workshop(project, template="W2")
        votes.start_round(workshop, 3, utcnow())
        db.session.commit()
        code = workshop.join_code
        idea_id = ideas.submit(code, "Vote for me", device=None).id
    statuses = []

    def vote():
        client = app.test_client()
        response = client.post(
            f"/api/v1/workshops/{code}/votes",
            json={"idea": idea_id, "dots": 1},
            headers={"X-Device": "one-phone-many-taps"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=vote) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with app.app_context():
        spent = sum(v.dots for v in db.session.query(Vote))
        db.session.remove()
        db.drop_all()
    assert spent == 3
    assert statuses.count(201) == 3


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"idea": 999999, "dots": 1}, 422, "invalid_idea"),
        ({"idea": "x", "dots": 1}, 422, "invalid_idea"),
        ({"dots": 9}, 422, "invalid_dots"),
    ],
)
def test_bad_votes_are_refused(app, leader_client, w2, body, status, code):
    idea_id = add(app.test_client(), w2, "Sauna boat")
    leader_client.post(f"{base(w2)}/vote/open", data={"dots": "3"})
    body = {"idea": idea_id, **body}

    response = app.test_client().post(f"/api/v1/workshops/{w2.join_code}/votes", json=body)

    assert (response.status_code, response.json["error"]) == (status, code)


def test_vote_without_an_open_round_is_refused(app, w2):
    idea_id = add(app.test_client(), w2, "Sauna boat")

    response = app.test_client().post(
        f"/api/v1/workshops/{w2.join_code}/votes", json={"idea": idea_id}
    )

    assert (response.status_code, response.json["error"]) == (409, "vote_closed")


def test_interest_is_recorded_once_per_device_and_linked_to_the_business(db, app, w2):
    from workshops.businesses.models import Business

    db.session.add(Business(project_id=w2.project_id, name="Kvitlia Geitgård"))
    db.session.commit()
    idea_id = add(app.test_client(), w2, "Familiedag på gården")
    phone = app.test_client()
    url = f"/api/v1/workshops/{w2.join_code}/interests"

    first = phone.post(url, json={"idea": idea_id, "business": "kvitlia geitgård"})
    phone.post(url, json={"idea": idea_id, "business": "Kvitlia Geitgård "})
    empty = phone.post(url, json={"idea": idea_id, "business": "  "})

    interests = db.session.query(Interest).all()
    assert first.status_code == 201
    assert len(interests) == 1 and interests[0].business_id is not None
    assert (empty.status_code, empty.json["error"]) == (422, "invalid_business")


def test_exports_have_the_right_rows_and_never_run_a_formula(db, app, leader_client, w2):
    phone = app.test_client()
    add(phone, w2, "=SUM(A1:A9)")
    add(phone, w2, "Sykkelbuss\nfra stasjonen")

    csv_rows = list(
        csv.reader(io.StringIO(leader_client.get(f"{base(w2)}/ideas.csv").data.decode("utf-8-sig")))
    )
    sheet = load_workbook(io.BytesIO(leader_client.get(f"{base(w2)}/ideas.xlsx").data)).active
    xlsx_rows = [[c.value for c in row] for row in sheet.iter_rows()]

    assert [r[1] for r in csv_rows[1:]] == ["'=SUM(A1:A9)", "Sykkelbuss\nfra stasjonen"]
    assert [r[1] for r in xlsx_rows[1:]] == ["=SUM(A1:A9)", "Sykkelbuss\nfra stasjonen"]
    assert sheet.cell(row=2, column=2).data_type == "s"
    assert csv_rows[1][2] == w2.steps[0].title


def test_viewer_reads_ideas_but_cannot_hide_or_vote(db, app, client, leader, make_user, w2):
    from workshops.projects import service as projects

    viewer = make_user("viewer@example.org", can_create=False)
    projects.set_role(w2.project, viewer, "viewer")
    db.session.commit()
    idea_id = add(app.test_client(), w2, "Sauna boat")
    login(client, viewer.email)

    assert client.get(f"{base(w2)}/ideas").status_code == 200
    assert client.get(f"{base(w2)}/ideas.csv").status_code == 200
    assert client.post(f"{base(w2)}/ideas/{idea_id}/hide").status_code == 403
    assert client.post(f"{base(w2)}/vote/open", data={"dots": "3"}).status_code == 403
    assert db.session.get(Idea, idea_id).hidden_at is None


def test_phone_without_javascript_sends_an_idea_once(db, client, w2):
    page = client.get(f"/j/{w2.join_code}").get_data(as_text=True)
    import re

    key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    for _ in range(2):
        client.post(f"/j/{w2.join_code}/ideas", data={"text": "Uten JavaScript", "key": key})

    assert [i.text for i in db.session.query(Idea)] == ["Uten JavaScript"]


def test_console_counts_ideas_in_the_current_step(app, leader_client, w2):
    add(app.test_client(), w2, "one")
    add(app.test_client(), w2, "two")

    data = leader_client.get(f"/w/{w2.join_code}/state").json

    assert data["counts"]["ideas"] == 2 and data["counts"]["ideas_in_step"] == 2
