"""Charts speak the page's language: every text item drawn in a Finnish chart is Finnish."""

import re

import pytest
from flask_babel import force_locale, gettext
from matplotlib.text import Text

from app.extensions import db as _db
from evaluations import charts, responses, results
from tests.evaluations.conftest import option_id, qid

pytestmark = pytest.mark.db

WORD = re.compile(r"[^\W\d_]+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in WORD.findall(text)}


def _texts_of(form, lang: str) -> list[str]:
    """Every question and option text of a form in one language."""
    found = [form.title[lang]]
    for question in form.questions:
        found.append(question.text[lang])
        found.extend(option.text[lang] for option in question.options)
    return found


def _answer_six_times(form) -> None:
    for n in range(6):
        answers = {
            qid(form, i): option_id(form, i, n % len(q.options))
            for i, q in enumerate(form.questions)
            if q.required and q.type not in ("multiple", "text")
        }
        for i, q in enumerate(form.questions):
            if q.type == "multiple":
                answers[qid(form, i)] = [option_id(form, i, 0)]
        checked, problems = responses.check(form, answers)
        assert problems == []
        responses.submit(form, checked, f"device-{n:04d}-abcdefghij", responses.local_today("UTC"))
    _db.session.commit()


def test_a_finnish_chart_draws_only_finnish_titles_labels_axes_and_legends(app, form_a, workshop):
    _answer_six_times(form_a)
    with app.test_request_context("/"), force_locale("fi"):
        rate_label = gettext("response rate")
        result = results.form_results(form_a, "fi", rate_label=rate_label)
    drawn = [q.chart for q in result.questions if q.chart is not None]
    # The workshop's step titles are options too: project content, in the project's language.
    steps = _words(" ".join(step.title for step in workshop.steps))
    finnish = _words(" ".join(_texts_of(form_a, "fi"))) | _words(rate_label) | {"n"} | steps
    english = _words(" ".join(_texts_of(form_a, "en"))) - finnish

    assert len(drawn) >= 3
    assert {c.kind for c in drawn} >= {"pie", "bar"}
    for chart in drawn:
        figure = charts.build_figure(chart)
        items = [t.get_text() for t in figure.findobj(Text) if t.get_text().strip()]
        words = _words(" ".join(items))

        assert chart.title.replace("\n", " ") in " ".join(items).replace("\n", " ")
        assert words - finnish == set(), (chart.title, sorted(words - finnish))
        assert words & english == set()
        assert rate_label in chart.subtitle
    assert rate_label != "response rate"
