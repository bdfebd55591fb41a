"""Exports of a form's anonymous answers (rows for workshops/spreadsheets.py) and of its charts
(a ZIP of PNGs).

Rows follow the results page's rule: none while the form has fewer responses than the threshold,
and a question (or a day) with fewer answers than that stays empty, so no row stands for one of
a few known people. A row holds the date and the answers, never the response's id; rows are
ordered by the random response id (evaluations/store.py), so no order of arrival shows.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Callable

from evaluations import charts, store
from evaluations.builder import text_in
from evaluations.models import EvaluationForm
from evaluations.results import FormResults


def rows_allowed(responses: int, threshold: int) -> bool:
    """Tell whether a form's answers may leave one response per row (the results page's rule)."""
    return not charts.too_few(responses, threshold)


def answer_rows(
    form: EvaluationForm, lang: str, date_label: str, *, threshold: int, hidden_label: str
) -> tuple[list[str], list[list]]:
    """The header (date, then each question) and one row per response, values as shown.

    No rows while the form has fewer than `threshold` responses. A question answered by fewer
    keeps its column, empty, its header followed by `hidden_label`; the dates are left out when
    any of them is shared by fewer responses.
    """
    questions = list(form.questions)
    stored = store.responses(form.id)
    answered = Counter(q for r in stored for q in {a.question_id for a in r.answers})
    shown = {q.id for q in questions if not charts.too_few(answered[q.id], threshold)}
    header = [date_label] + [
        text_in(q.text, lang, form.language) + ("" if q.id in shown else f" ({hidden_label})")
        for q in questions
    ]
    if not rows_allowed(len(stored), threshold):
        return header, []
    # Dates all or none: one day left empty among shown ones would still be told by elimination.
    dated = not any(
        charts.too_few(n, threshold) for n in Counter(r.submitted_on for r in stored).values()
    )
    column = {q.id: index for index, q in enumerate(questions, start=1) if q.id in shown}
    option_text = {
        o.id: (q, text_in(o.text, lang, form.language), o.key) for q in questions for o in q.options
    }
    rows = []
    for response in stored:
        row = [response.submitted_on.isoformat() if dated else None] + [None] * len(questions)
        values: dict[int, list] = {}
        for answer in response.answers:
            if answer.question_id not in column:
                continue
            if answer.option_id is not None:
                question, label, key = option_text[answer.option_id]
                value = int(key) if question.type == "scale" and key.isdigit() else label
            else:
                value = answer.text
            values.setdefault(answer.question_id, []).append(value)
        for qid, items in values.items():
            row[column[qid]] = items[0] if len(items) == 1 else "; ".join(map(str, items))
        rows.append(row)
    return header, rows


def charts_zip(
    results: FormResults, render: Callable[[object], bytes], slug: Callable[[str], str]
) -> bytes:
    """A ZIP of every chart shown on the results page, as PNG, named by position and title
    (the caller offers it only when there is one: has_charts)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, question in enumerate(results.questions, start=1):
            if question.chart is None:
                continue
            archive.writestr(f"{number:02d}-{slug(question.title)}.png", render(question.chart))
    return buffer.getvalue()


def has_charts(results: FormResults) -> bool:
    """Tell whether any question shows a chart (else a ZIP of the charts would be empty)."""
    return any(question.chart is not None for question in results.questions)


def file_slug(text: str, limit: int = 40) -> str:
    """A safe file name part: letters, digits and hyphens."""
    slug = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-_")
    return slug[:limit].strip("-") or "chart"
