"""The report reads the evaluation forms' questions and options in a fixed number of queries."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from app.extensions import db
from app.reports import data
from evaluations import builder
from workshops.programme.models import Workshop
from workshops.projects.models import Project

pytestmark = pytest.mark.db


def statements_of_evaluation_results(project_id: int) -> int:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    db.session.expunge_all()  # nothing loaded before: every lazy load is counted
    project = db.session.get(Project, project_id)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        data.evaluation_results(project, "en")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return len(seen)


def add_open_form_a(project_id: int) -> None:
    project = db.session.get(Project, project_id)
    workshop = db.session.scalar(db.select(Workshop).where(Workshop.project_id == project_id))
    builder.set_status(builder.from_template(project, "A", workshop=workshop), "open")
    db.session.commit()


def test_more_forms_and_questions_take_no_more_queries(story):
    project_id = story.id
    add_open_form_a(project_id)
    one_form = statements_of_evaluation_results(project_id)

    add_open_form_a(project_id)
    add_open_form_a(project_id)

    # Each form adds only its own answers and its workshop's participants.
    assert statements_of_evaluation_results(project_id) == one_form + 2 * 2
