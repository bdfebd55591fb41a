"""Exports of a form's anonymous answers (rows for workshops/spreadsheets.py) and of its charts
(a ZIP of PNGs).

Rows are ordered by the random response id (evaluations/store.py), so no order of arrival shows.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from evaluations import store
from evaluations.builder import text_in
from evaluations.models import EvaluationForm
from evaluations.results import FormResults


def answer_rows(form: EvaluationForm, lang: str, date_label: str) -> tuple[list[str], list[list]]:
    """The header (date, then each question) and one row per response, values as shown."""
    questions = list(form.questions)
    header = [date_label] + [text_in(q.text, lang, form.language) for q in questions]
    column = {q.id: index for index, q in enumerate(questions, start=1)}
    option_text = {
        o.id: (q, text_in(o.text, lang, form.language), o.key) for q in questions for o in q.options
    }
    rows = []
    for response in store.responses(form.id):
        row = [response.submitted_on.isoformat()] + [None] * len(questions)
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
    """A ZIP of every chart shown on the results page, as PNG, named by position and title."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for number, question in enumerate(results.questions, start=1):
            if question.chart is None:
                continue
            archive.writestr(f"{number:02d}-{slug(question.title)}.png", render(question.chart))
    return buffer.getvalue()


def file_slug(text: str, limit: int = 40) -> str:
    """A safe file name part: letters, digits and hyphens."""
    slug = re.sub(r"[^\w]+", "-", text.casefold(), flags=re.UNICODE).strip("-_")
    return slug[:limit].strip("-") or "chart"
