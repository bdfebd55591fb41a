"""The demo's answered evaluations, and the API's place in the OpenAPI description."""

import pytest
from sqlalchemy import select

from evaluations import results, store
from evaluations.models import EvaluationForm
from workshops.programme.models import Workshop
from workshops.projects.models import Project

pytestmark = pytest.mark.db


def test_demo_project_has_answered_and_closed_evaluations(db, app):
    from app import demo

    demo.ensure()
    project = db.session.scalar(select(Project).where(Project.slug == "demo"))
    forms = db.session.execute(
        select(Workshop.template_key, EvaluationForm.kind, EvaluationForm.status, EvaluationForm.id)
        .join(EvaluationForm, EvaluationForm.workshop_id == Workshop.id)
        .where(Workshop.project_id == project.id, Workshop.status == "closed")
        .order_by(Workshop.template_key, EvaluationForm.kind)
    ).all()
    rows = [(key, kind, status, store.count(form_id)) for key, kind, status, form_id in forms]

    assert rows == [
        ("W1", "A", "closed", 14),
        ("W2", "A", "closed", 12),
        ("W3", "A", "closed", 11),
        ("W4", "A", "closed", 4),
        ("W5", "A", "draft", 0),
        ("W5", "B", "closed", 10),
    ]
    comparison = results.compare(project, "nb")
    # W1-W5, then the practice workshop and the follow-up still to come (their forms unanswered)
    assert [cell.too_few for cell in comparison.rows[0][1]] == [False] * 3 + [True] * 4
    useful = comparison.rows[0][1][0]
    assert len(set(useful.chart.counts)) > 2  # varied answers, not one option for all


def test_openapi_describes_the_evaluation_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json

    path = spec["paths"]["/evaluations/{token}"]
    assert set(path) >= {"get", "post"}
    assert set(path["post"]["responses"]) >= {"201", "404", "409", "422"}
    assert "EvaluationForm" in spec["components"]["schemas"]
