"""The report says what was planned, run and collected, each under its own label."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from app.reports import data, render, routes
from evaluations.results import FormResults, QuestionResult
from tests.conftest import login
from workshops.businesses.models import Business, Connection
from workshops.ideas.models import Idea, Interest
from workshops.programme.models import Step, Workshop

pytestmark = pytest.mark.db


def _workshop(code: str) -> Workshop:
    return db.session.scalar(db.select(Workshop).where(Workshop.join_code == code))


def _body(report: data.ReportData, lang: str = "en") -> str:
    return str(render.report_body(report, lang))


def _section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def _resource_rows(html: str) -> list[tuple[str, str]]:
    table = _section(html, 'id="r-resources"', "</table>")
    rows = re.findall(r'<th scope="row">(.*?)</th><td class="n">(.*?)</td>', table, re.S)
    return [(" ".join(name.split()), value) for name, value in rows]


def test_resources_give_hours_as_planned_and_as_run_each_under_its_label(story):
    # The first workshop (25 min planned, 7 attendees) was run in a minute; the last (55 min,
    # 4 attendees) has no record of its run.
    step = db.session.scalar(db.select(Step).where(Step.key == "W1.7"))
    step.actual_minutes = 1
    db.session.commit()

    rows = _resource_rows(_body(data.assemble(story, "en")))

    assert rows == [
        ("Workshops held", "2"),
        ("Workshop hours (as planned)", "1.3"),
        ("Workshop hours (as run, in the 1 workshop whose times were recorded)", "0.0"),
        ("Steps", "3"),
        (
            "Participants' hours (attendees × workshop hours as run where recorded, else as "
            "planned)",
            "3.8",  # (7 × 1 + 4 × 55) / 60
        ),
    ]


def test_resources_without_any_record_of_the_run_count_the_plan_and_say_so(story):
    rows = _resource_rows(_body(data.assemble(story, "en")))

    assert rows == [
        ("Workshops held", "2"),
        ("Workshop hours (as planned)", "1.3"),
        ("Steps", "3"),
        ("Participants' hours (attendees × workshop hours as planned)", "6.6"),
    ]


def test_resources_of_workshops_all_run_count_the_hours_as_run(story):
    for step in db.session.scalars(db.select(Step)):
        step.actual_minutes = 30
    db.session.commit()

    rows = _resource_rows(_body(data.assemble(story, "en")))

    assert rows[1:3] == [
        ("Workshop hours (as planned)", "1.3"),
        ("Workshop hours (as run)", "1.5"),
    ]
    # (7 × 30 + 4 × 60) / 60
    assert rows[-1] == ("Participants' hours (attendees × workshop hours as run)", "7.5")


def _with_forms(story, *forms: FormResults) -> data.ReportData:
    return dataclasses.replace(
        data.assemble(story, "en"),
        evaluations=forms,
        evaluation_labels=("Who we are", "Harvest")[: len(forms)],
        evaluations_available=True,
    )


def _evaluations(html: str) -> str:
    return " ".join(_section(html, 'id="r-evaluations"', 'id="r-experiences"').split())


def test_free_text_with_too_few_answers_says_too_few_as_the_appendix_does(story):
    change = QuestionResult(12, "change", "text", "What should we change?", 3, True)
    unanswered = QuestionResult(13, "else", "text", "Anything else?", 0, True)
    form = FormResults(1, "Evaluation", 7, 7, None, 5, (change, unanswered))

    section = _evaluations(_body(_with_forms(story, form)))

    assert re.findall(r'<bdi>([^<]*)</bdi></h3> <p class="nodata">([^<]*)</p>', section) == [
        ("What should we change?", "Too few answers to show: 3 answers; results are shown from 5."),
        ("Anything else?", "No answers to this question."),
    ]


def test_free_text_too_few_in_one_workshop_is_named_beside_the_others_answers(story):
    texts = QuestionResult(12, "change", "text", "What should we change?", 6, False, texts=("Mer",))
    few = QuestionResult(12, "change", "text", "What should we change?", 1, True)
    first = FormResults(1, "Evaluation", 9, 9, None, 5, (texts,))
    second = FormResults(2, "Evaluation", 4, 4, None, 5, (few,))

    section = _evaluations(_body(_with_forms(story, first, second)))

    assert '<p class="meta"><bdi>Who we are</bdi></p> <ul class="texts">' in section
    assert (
        '<p class="nodata"><bdi>Harvest</bdi>: Too few answers to show: 1 answer; results are '
        "shown from 5.</p>"
    ) in section


def _ideas_wanted(html: str) -> str:
    return _section(html, "Ideas businesses want to work on", "Ideas that became products")


def test_ideas_businesses_want_to_work_on_are_counted_and_named_only_with_consent(story):
    guesthouse, paddling, smithy = db.session.scalars(
        db.select(Business).where(Business.project_id == story.id).order_by(Business.id)
    )
    guesthouse.report_consent = True
    paddle_trip, weekend = db.session.scalars(
        db.select(Idea).where(Idea.text.like("Padletur%") | Idea.text.like("Kanalhelg%"))
    )
    db.session.add_all(
        [
            Interest(idea_id=paddle_trip.id, device="d1", business_name=guesthouse.name,
                     business_id=guesthouse.id),
            Interest(idea_id=paddle_trip.id, device="d2", business_name=paddling.name,
                     business_id=paddling.id),
            # The same business from a second phone, typed before it was matched: counted once.
            Interest(idea_id=paddle_trip.id, device="d3", business_name="slusedal padling "),
            Interest(idea_id=paddle_trip.id, device="d4", business_name="Kafé Ukjent"),
            Interest(idea_id=weekend.id, device="d1", business_name=smithy.name,
                     business_id=smithy.id),
        ]
    )  # fmt: skip
    db.session.commit()

    report = data.assemble(story, "en")
    shown = _ideas_wanted(_body(report))

    assert [(i.text, i.interested, i.interested_named) for i in report.wanted_ideas()] == [
        (paddle_trip.text, 3, ("Slusedal Gjestegård",)),
        (weekend.text, 1, ()),
    ]
    assert re.findall(r'<td class="n">(\d+)</td>', shown) == ["3", "1"]
    assert "Slusedal Gjestegård" in shown
    for hidden in ("Slusedal Padling", "Kafé Ukjent", "Sluseby Smie"):
        assert hidden not in shown


def test_no_interest_yet_is_said_in_the_ideas_section(story):
    shown = _ideas_wanted(_body(data.assemble(story, "en")))

    assert "No business has said yet which ideas it wants to work on." in shown


def test_data_up_to_is_the_last_day_something_was_collected_never_a_planned_date(story):
    # The first workshop was run ahead of its planned day (in 2030); the second, held, has no
    # record of its run, so its planned day (3 June) says nothing about the data.
    first = _workshop("ABCDEF")
    first.starts_at = datetime(2030, 3, 1, 8, 0)
    first.started_at, first.ended_at = datetime(2026, 1, 10, 8, 0), datetime(2026, 1, 10, 11, 0)
    for idea in db.session.scalars(db.select(Idea)):
        idea.created_at = datetime(2026, 1, 10, 9, 0)
    db.session.scalar(db.select(Connection)).created_at = datetime(2026, 1, 10, 10, 0)
    idea = db.session.scalar(db.select(Idea).where(Idea.workshop_id == first.id))
    db.session.add(Interest(idea_id=idea.id, device="d1", business_name="Sluseby Smie",
                            created_at=datetime(2026, 2, 2, 23, 30)))  # fmt: skip
    db.session.commit()

    report = data.assemble(story, "en")

    assert report.generated_at == datetime(2026, 2, 3, 0, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    assert "February 3, 2026" in _section(_body(report), "Data up to", "</dd>")


def test_report_file_name_is_in_the_report_language(story, client, leader):
    login(client, leader.email)

    english = client.get("/projects/slusedal/report.pdf?lang=en")
    finnish = client.get("/projects/slusedal/report.pdf?lang=fi")

    assert english.headers["Content-Disposition"] == (
        'attachment; filename="kraftverk-slusedal-report.pdf"'
    )
    assert finnish.headers["Content-Disposition"] == (
        'attachment; filename="kraftverk-slusedal-raportti.pdf"'
    )


def test_report_file_name_keeps_to_ascii_whatever_the_translation(app, monkeypatch):
    monkeypatch.setattr(routes, "_", lambda text: "Rapport ÅÄÖ/ø")

    assert routes.report_filename("tornedalen", "sv") == "kraftverk-tornedalen-rapport-aao.pdf"
