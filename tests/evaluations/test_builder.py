"""Building forms: templates, the new-workshop hook, questions and options, status, copies."""

import pytest

from evaluations import builder
from evaluations.models import EvaluationForm, Option, Question
from tests.conftest import login

pytestmark = pytest.mark.db


def _forms(db):
    return db.session.query(EvaluationForm).order_by(EvaluationForm.id).all()


def test_new_workshop_gets_a_draft_form_a_with_its_steps_as_parts(db, workshop):
    form = _forms(db)[0]
    parts = next(q for q in form.questions if q.key == "best")

    assert (form.kind, form.status, form.workshop_id) == ("A", "draft", workshop.id)
    assert [o.text["nb"] for o in parts.options] == [
        "Velkommen",
        "Møt noen nye",
        "Tilbud og behov",
        "Ingen",
    ]
    assert parts.options[-1].exclusive and parts.max_choices == 3
    assert [q.key for q in form.questions][:3] == ["org_type", "useful", "room"]
    assert form.questions[1].text["en"] == "How useful was this workshop?"
    assert len(form.token) >= 20


def test_workshop_without_steps_gets_form_a_without_the_parts_question(db, make_workshop):
    make_workshop(steps=[], code="XYZ234")

    assert "best" not in [q.key for q in _forms(db)[0].questions]


def test_final_workshop_asks_about_keeping_the_network(db, make_workshop):
    workshop = make_workshop(steps=[], code="XYZ234", template="W5")
    form_a = builder.from_template(workshop.project, "A", workshop=workshop)

    assert "continue" in [q.key for q in form_a.questions]


def test_the_final_workshop_gets_form_b_as_its_own(db, make_workshop):
    make_workshop(steps=[], code="XYZ234", template="W5")

    assert [f.kind for f in _forms(db)] == ["B"]


def test_leader_creates_forms_from_templates_and_empty(db, leader_client, project, workshop):
    leader_client.post(
        "/projects/kanalbyen/evaluations/new", data={"source": "B", "workshop": 0, "language": "en"}
    )
    leader_client.post(
        "/projects/kanalbyen/evaluations/new",
        data={"source": "custom", "title": "Kaffe?", "workshop": workshop.id, "language": "nb"},
    )

    _a, b, custom = _forms(db)
    assert (b.kind, b.workshop_id, b.language, len(b.questions)) == ("B", None, "en", 12)
    assert (custom.kind, custom.title, custom.workshop_id) == (
        "custom",
        {"nb": "Kaffe?"},
        workshop.id,
    )


def test_leader_builds_a_form_question_by_question(db, leader_client, project):
    form = builder.empty(project, "Egen")
    db.session.commit()
    base = f"/projects/kanalbyen/evaluations/{form.id}"

    for qtype, text in [("single", "Hvor?"), ("scale", "Hvor godt?"), ("text", "Noe mer?")]:
        leader_client.post(
            f"{base}/questions",
            data={"type": qtype, "text": text, "scale": "satisfied", "required": "y"},
        )
    single, scale, _text = form.questions
    leader_client.post(
        f"{base}/questions/{single.id}/options", data={f"q{single.id}-new-text": "Her"}
    )
    leader_client.post(
        f"{base}/questions/{single.id}/options", data={f"q{single.id}-new-text": "Der"}
    )
    leader_client.post(f"{base}/questions/{scale.id}", data={"action": "up"})
    leader_client.post(
        f"{base}/questions/{single.id}",
        data={f"q{single.id}-text": "Hvor bor du?", "action": "save"},
    )
    first_option = single.options[0]
    leader_client.post(f"{base}/options/{first_option.id}", data={"action": "down"})

    db.session.expire_all()
    questions = (
        db.session.query(Question).filter_by(form_id=form.id).order_by(Question.position).all()
    )
    assert [(q.type, q.text["nb"], q.required) for q in questions] == [
        ("scale", "Hvor godt?", True),
        ("single", "Hvor bor du?", False),
        ("text", "Noe mer?", True),
    ]
    assert [o.text["nb"] for o in questions[0].options][4] == "Svært fornøyd"
    assert [o.text["nb"] for o in questions[1].options] == ["Der", "Her"]


def test_leader_removes_questions_and_options(db, leader_client, custom_form):
    builder.set_status(custom_form, "close")
    custom_form.status = "draft"  # back to a draft without answers, so it may change
    db.session.commit()
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"
    option = custom_form.questions[0].options[0]
    question = custom_form.questions[1]

    leader_client.post(f"{base}/options/{option.id}", data={"action": "delete"})
    leader_client.post(f"{base}/questions/{question.id}", data={"action": "delete"})

    db.session.expire_all()
    assert db.session.get(Option, option.id) is None
    assert db.session.get(Question, question.id) is None
    assert [q.position for q in db.session.get(EvaluationForm, custom_form.id).questions] == [
        0,
        1,
        2,
        3,
    ]


def test_open_form_cannot_change_its_questions(db, leader_client, custom_form):
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"

    leader_client.post(f"{base}/questions", data={"type": "text", "text": "Ny?"})
    page = leader_client.get(f"{base}?lang=en").get_data(as_text=True)

    assert len(custom_form.questions) == 5
    assert "Questions can only be changed while the form is a draft" in page


def test_form_opens_only_with_questions_and_options_then_closes(db, leader_client, project):
    form = builder.empty(project, "Tom")
    db.session.commit()
    url = f"/projects/kanalbyen/evaluations/{form.id}/status"

    leader_client.post(url, data={"action": "open"})
    assert db.session.get(EvaluationForm, form.id).status == "draft"
    builder.add_question(form, "yesno", "Ja?")
    db.session.commit()
    leader_client.post(url, data={"action": "open"})
    assert db.session.get(EvaluationForm, form.id).status == "open"
    leader_client.post(url, data={"action": "close"})
    assert db.session.get(EvaluationForm, form.id).status == "closed"


def test_open_form_page_shows_the_link_and_an_inline_qr_code(leader_client, form_a, app):
    app.config["PUBLIC_URL"] = "https://kraft.example"
    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form_a.id}").get_data(as_text=True)

    assert f"https://kraft.example/e/{form_a.token}" in page
    assert '<svg role="img" aria-label="' in page
    assert "<script" not in page.split("<main", 1)[1]


def test_leader_copies_a_form_from_another_project_they_lead(
    db, leader_client, leader, make_project, custom_form
):
    other = make_project("elvedal", leaders=[leader])

    response = leader_client.post(
        "/projects/elvedal/evaluations/copy", data={"source": custom_form.id, "workshop": 0}
    )

    copy = _forms(db)[-1]
    assert response.status_code == 303
    assert (copy.project_id, copy.status, copy.token != custom_form.token) == (
        other.id,
        "draft",
        True,
    )
    assert [q.text for q in copy.questions] == [q.text for q in custom_form.questions]
    assert [len(q.options) for q in copy.questions] == [3, 2, 5, 3, 0]


def test_form_of_a_project_the_user_does_not_lead_cannot_be_copied(
    db, client, make_user, make_project, custom_form
):
    stranger = make_user("other@example.org")
    make_project("elvedal", leaders=[stranger])
    login(client, stranger.email)

    response = client.post(
        "/projects/elvedal/evaluations/copy", data={"source": custom_form.id, "workshop": 0}
    )

    assert response.status_code in (303, 404)
    assert len(_forms(db)) == 1


@pytest.mark.parametrize(
    ("who", "read", "rows", "change"),
    [
        ("anonymous", 302, 302, 302),
        ("stranger", 404, 404, 404),
        ("viewer", 200, 403, 403),
        ("leader", 200, 303, 303),  # no answers yet: back to the results, which say why
    ],
)
def test_route_role_table(
    db, client, make_user, leader, project, custom_form, who, read, rows, change
):
    if who == "stranger":
        make_user("stranger@example.org")
        login(client, "stranger@example.org")
    elif who == "viewer":
        from workshops.projects import service as projects

        viewer = make_user("viewer@example.org", can_create=False)
        projects.set_role(project, viewer, "viewer")
        db.session.commit()
        login(client, viewer.email)
    elif who == "leader":
        login(client, leader.email)
    base = f"/projects/kanalbyen/evaluations/{custom_form.id}"

    reads = [
        "/projects/kanalbyen/evaluations",
        base,
        f"{base}/results",
        f"{base}/show",
        "/projects/kanalbyen/evaluations/compare",
    ]
    exports = [f"{base}/export.csv", f"{base}/export.xlsx"]
    changes = [
        (f"{base}/status", {"action": "close"}),
        (f"{base}/settings", {"title": "Ny", "workshop": 0}),
        ("/projects/kanalbyen/evaluations/new", {"source": "A", "workshop": 0, "language": "nb"}),
    ]

    assert [client.get(url).status_code for url in reads] == [read] * len(reads)
    assert [client.get(url).status_code for url in exports] == [rows] * len(exports)
    assert client.get(f"{base}/charts.zip").status_code == (303 if read == 200 else read)
    assert [client.post(url, data=data).status_code for url, data in changes] == [change] * len(
        changes
    )
