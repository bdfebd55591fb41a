"""Exports of a form's anonymous answers (rows for workshops/spreadsheets.py) and of its charts
(a ZIP of PNGs).

Rows are ordered by the random response id, so no order of arrival survives.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from sqlalchemy import select

from app.extensions import db
from evaluations.builder import text_in
from evaluations.models import Answer, EvaluationForm, Response
from evaluations.results import FormResults


def answer_rows(form: EvaluationForm, lang: str, date_label: str) -> tuple[list[str], list[list]]:
    """The header (date, then each question) and one row per response, values as shown."""
    questions = list(form.questions)
    header = [date_label] + [text_in(q.text, lang, form.language) for q in questions]
    column = {q.id: index for index, q in enumerate(questions, start=1)}
    option_text = {
        o.id: (q, text_in(o.text, lang, form.language), o.key) for q in questions for o in q.options
    }
    responses = db.session.execute(
        select(Response.id, Response.submitted_on)
        .where(Response.form_id == form.id)
        .order_by(Response.id)
    ).all()
    rows: dict[str, list] = {
        rid: [day.isoformat()] + [None] * len(questions) for rid, day in responses
    }
    values: dict[tuple[str, int], list] = {}
    if questions and rows:
        for rid, qid, option_id, text in db.session.execute(
            select(Answer.response_id, Answer.question_id, Answer.option_id, Answer.text)
            .where(Answer.question_id.in_(list(column)))
            .order_by(Answer.response_id, Answer.question_id, Answer.item)
        ):
            if option_id is not None:
                question, label, key = option_text[option_id]
                value = int(key) if question.type == "scale" and key.isdigit() else label
            else:
                value = text
            values.setdefault((rid, qid), []).append(value)
    for (rid, qid), items in values.items():
        if rid in rows:
            rows[rid][column[qid]] = items[0] if len(items) == 1 else "; ".join(map(str, items))
    return header, list(rows.values())


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
