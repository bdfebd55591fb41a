"""Small things on the evaluation pages: a draft's link, alt texts, labels, scale wording."""

import re

import pytest

from app.extensions import db as _db
from evaluations import builder, charts, responses
from method.evaluation_templates import templates
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db


@pytest.fixture
def draft(project):
    form = builder.empty(project, "Kort evaluering", language="en")
    builder.add_question(form, "yesno", "Did you enjoy it?", required=True)
    _db.session.commit()
    return form


def test_a_draft_form_link_says_not_open_yet_on_the_phone(client, draft):
    response = client.get(f"/e/{draft.token}", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)

    assert response.status_code == 200  # as the closed notice on a GET
    assert "This form is not open yet" in page and "Kort evaluering" in page
    assert "Did you enjoy it?" not in page


def test_a_draft_form_link_speaks_the_phones_language(client, draft):
    response = client.get(f"/e/{draft.token}", headers={"Accept-Language": "fi"})

    assert response.status_code == 200 and '<html lang="fi">' in response.get_data(as_text=True)


def test_an_answer_posted_to_a_draft_is_refused_with_the_notice_and_not_stored(client, draft):
    question = draft.questions[0]
    response = client.post(
        f"/e/{draft.token}?lang=en", data={f"q{question.id}": str(question.options[0].id)}
    )

    assert response.status_code == 409  # as the closed notice on a POST
    assert "This form is not open yet" in response.get_data(as_text=True)
    assert builder.response_count(draft) == 0


def test_an_unknown_link_is_still_not_found(client, draft):
    other = "y" if draft.token.endswith("x") else "x"
    assert client.get(f"/e/{draft.token[:-1]}{other}").status_code == 404


def test_the_draft_notice_stops_once_the_form_opens(client, draft):
    builder.set_status(draft, "open")
    _db.session.commit()

    page = client.get(f"/e/{draft.token}?lang=en").get_data(as_text=True)

    assert "Did you enjoy it?" in page and "not open yet" not in page


@pytest.mark.parametrize(
    ("question", "alt"),
    [
        ("How long ago did you start?", "How long ago did you start? The table"),
        ("Which track", "Which track. The table"),
        ("Great!", "Great! The table"),
        # Escaped once, whether or not a full stop is added (it was escaped twice: &amp;amp;).
        ("R&D <b>here</b>", "R&amp;D &lt;b&gt;here&lt;/b&gt;. The table"),
        ("R&D?", "R&amp;D? The table"),
    ],
)
def test_chart_alt_text_ends_each_sentence_once(db, leader_client, project, question, alt):
    form = builder.empty(project, "Alt", language="en")
    builder.add_question(form, "yesno", question, required=True)
    builder.set_status(form, "open")
    _db.session.commit()
    for n in range(5):
        checked, _problems = responses.check(form, {qid(form, 0): option_id(form, 0, n % 2)})
        responses.submit(form, checked, f"device-{n:04d}-alt-abcdefgh")
        _db.session.commit()

    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}/results?lang=en")
    alts = re.findall(r'<img [^>]*alt="([^"]*)"', page.get_data(as_text=True))

    assert alts == [f"Chart of the answers to: {alt} gives the same numbers."]


def test_sentence_adds_a_full_stop_only_when_one_is_missing():
    assert [charts.sentence(t) for t in ("Ja?", "Ja", "Ja.", "Ja!", "Ja …", "")] == [
        "Ja?",
        "Ja.",
        "Ja.",
        "Ja!",
        "Ja …",
        "",
    ]


def test_the_new_and_copy_forms_have_their_own_ids(leader_client, project, workshop):
    # The workshop's Form A gives the copy form something to copy, so both forms show.
    page = leader_client.get("/projects/kanalbyen/evaluations?lang=en").get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', page)

    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    assert '<label for="copy-source">' in page and '<label for="copy-workshop">' in page
    assert 'id="copy-source" name="source"' in page


def test_the_builder_words_a_scale_as_the_form_does(leader_client, project):
    form = builder.empty(project, "Skala", language="nb")
    _db.session.commit()

    page = leader_client.get(f"/projects/kanalbyen/evaluations/{form.id}?lang=nb")
    likely = [builder.text_in(o.text, "nb") for o in templates().scales["likely"]]

    assert f'<option value="likely">{likely[0]} … {likely[-1]}</option>' in page.get_data(
        as_text=True
    )
    assert "Svært lite sannsynlig" not in page.get_data(as_text=True)
