"""A phone in another language than the project's reads the method's own step texts in its
language; what the leader wrote or changed is shown as written."""

import pytest

from app.db import utcnow
from method import catalogue
from workshops.live import clock as live
from workshops.programme import builder as programme_builder

pytestmark = pytest.mark.db


@pytest.fixture
def started(db, leader, make_project):
    project = make_project("skargard", leaders=[leader], name="Skärgården", language="sv")
    workshop = programme_builder.add_workshop(project, template="W2", starts_at=utcnow())
    live.start(workshop, utcnow())
    db.session.commit()
    return workshop


def _template_step(workshop, step):
    return next(s for s in catalogue.workshop_template("W2").steps if s.key == step.key)


def _state(client, code, lang):
    client.set_cookie("lang", lang)
    return client.get(f"/api/v1/workshops/{code}")


def test_the_methods_texts_follow_the_phone_and_the_leaders_own_stay(db, client, started):
    first = started.steps[0]
    method = _template_step(started, first)
    assert first.title == method.title.sv and method.title.fi != method.title.sv

    finnish = _state(client, started.join_code, "fi")
    swedish = _state(client, started.join_code, "sv")

    assert finnish.json["step"]["title"] == method.title.fi
    assert finnish.json["step"]["prompt"] == (method.prompt.fi if method.prompt else "")
    assert finnish.json["agenda"][0]["title"] == method.title.fi
    assert swedish.json["step"]["title"] == method.title.sv  # the project's own language
    # One validator for both (choosing the language reads the session, which an unchanged
    # poll must not); the answers vary by the cookie that carries it.
    assert "Cookie" in finnish.headers["Vary"]

    first.title = "Välkomna till Skärgården"  # the leader's own words
    started.state_version += 1
    db.session.commit()
    changed = _state(client, started.join_code, "fi")

    assert changed.json["step"]["title"] == "Välkomna till Skärgården"
    assert changed.json["step"]["prompt"] == (method.prompt.fi if method.prompt else "")


def test_the_phone_page_shows_the_same_as_its_polls(client, started):
    method = _template_step(started, started.steps[0])
    client.set_cookie("lang", "fi")

    page = client.get(f"/j/{started.join_code}").get_data(as_text=True)

    assert f'data-bind="title" dir="auto">{method.title.fi}</h1>' in page


def test_the_validator_is_weak_and_changes_when_a_deploy_words_the_method_anew(
    client, started, monkeypatch
):
    first = _state(client, started.join_code, "fi")
    assert first.headers["ETag"].startswith('W/"')
    same = client.get(
        f"/api/v1/workshops/{started.join_code}", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert same.status_code == 304

    monkeypatch.setattr(catalogue, "programme_digest", lambda: "reworded")
    after = client.get(
        f"/api/v1/workshops/{started.join_code}", headers={"If-None-Match": first.headers["ETag"]}
    )

    assert after.status_code == 200  # the phones read the new wording, not a 304
