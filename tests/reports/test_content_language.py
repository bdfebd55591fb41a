"""Project texts and ideas keep their own language on a page of another one (WCAG 3.1.2)."""

import re

import pytest

from workshops.programme.models import Workshop

pytestmark = pytest.mark.db


def _first_workshop(db, story) -> Workshop:
    return db.session.scalar(
        db.select(Workshop).where(Workshop.project_id == story.id, Workshop.position == 0)
    )


def test_lang_attr_marks_only_another_language(app):
    from flask_babel import force_locale

    from app.i18n import lang_attr

    with app.test_request_context("/"), force_locale("en"):
        assert str(lang_attr("nb")) == ' lang="nb"'
        assert str(lang_attr("en")) == ""
        assert str(lang_attr(None)) == ""
        assert str(lang_attr('x" onclick="y')) == ""


def test_report_in_english_marks_the_norwegian_ideas_and_description(leader_client, story):
    english = leader_client.get("/projects/slusedal/report?lang=en").get_data(as_text=True)
    norwegian = leader_client.get("/projects/slusedal/report?lang=nb").get_data(as_text=True)

    # Marked once on the list of ideas, which each idea inherits.
    assert re.search(
        r'<ol class="ideas" lang="nb">(?:(?!</ol>).)*Padletur med middag på gjestegården<',
        english,
        re.S,
    )
    assert re.search(r'<div class="verbatim" lang="nb">The canal village loses', english)
    assert 'class="verbatim" lang=' not in norwegian
    assert "Padletur med middag på gjestegården" in norwegian


def test_dashboard_and_idea_board_mark_project_texts_in_another_language(db, leader_client, story):
    workshop = _first_workshop(db, story)
    dashboard = leader_client.get("/projects/slusedal?lang=sv").get_data(as_text=True)
    board = leader_client.get(f"/projects/slusedal/workshops/{workshop.id}/ideas?lang=fi")
    same = leader_client.get(f"/projects/slusedal/workshops/{workshop.id}/ideas?lang=nb")

    assert '<p class="lead" lang="nb">The canal village loses' in dashboard
    assert '<p class="idea-text" dir="auto" lang="nb">Padletur med middag' in board.get_data(
        as_text=True
    )
    assert '<p class="idea-text" dir="auto">Padletur med middag' in same.get_data(as_text=True)


def test_the_wall_tells_its_script_the_ideas_language(db, leader_client, story):
    workshop = _first_workshop(db, story)
    wall = leader_client.get(f"/w/{workshop.join_code}/wall?lang=da")

    assert wall.status_code == 200
    assert 'data-content-lang="nb"' in wall.get_data(as_text=True)
