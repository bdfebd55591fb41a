"""Results of a form: counts per option, charts and their data tables, text answers, comparisons.

Each form's results are counted from its responses as evaluations/store.py reads them. Chart
images are cached by charts.cache_key (what the chart shows), in memory and on disk, so they are
drawn again only when the answers, texts or look change.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from evaluations import charts, store
from evaluations.builder import text_in
from evaluations.models import EvaluationForm, Question
from method import files
from workshops.live.models import Participant
from workshops.programme.models import Workshop

DEFAULT_MIN_RESPONSES = charts.TOO_FEW  # the one rule; EVALUATION_MIN_RESPONSES overrides it


def min_responses() -> int:
    """The app's threshold: results of a question show only once this many answered it."""
    return int(current_app.config.get("EVALUATION_MIN_RESPONSES", DEFAULT_MIN_RESPONSES))


COMPARED = ("useful", "room", "follow_up")  # A2, A3 and A8, side by side across workshops


@dataclass(frozen=True)
class QuestionResult:
    """One question's result: a chart and its table, or the texts, or too few answers."""

    question_id: int
    key: str | None
    type: str
    title: str
    respondents: int
    too_few: bool
    chart: charts.ChartData | None = None
    table: tuple[tuple[str, int, float], ...] = ()
    texts: tuple[str, ...] = ()

    @property
    def chart_key(self) -> str | None:
        """The content hash of the chart, for image URLs and caching."""
        return charts.cache_key(self.chart) if self.chart is not None else None


@dataclass(frozen=True)
class FormResults:
    """A form's results in one language."""

    form_id: int
    title: str
    responses: int
    participants: int | None
    last_day: date | None
    threshold: int
    questions: tuple[QuestionResult, ...] = field(default_factory=tuple)

    @property
    def rate(self) -> float | None:
        """Responses per participant of the workshop, when the workshop had participants."""
        if not self.participants:
            return None
        return self.responses / self.participants

    def question(self, question_id: int) -> QuestionResult | None:
        """The result for one question."""
        return next((q for q in self.questions if q.question_id == question_id), None)


def participants_of(workshop_id: int | None) -> int | None:
    """How many devices joined the workshop (None when the form has no workshop)."""
    if workshop_id is None:
        return None
    return db.session.scalar(
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
    )


def form_results(
    form: EvaluationForm,
    lang: str,
    *,
    threshold: int = DEFAULT_MIN_RESPONSES,
    rate_label: str = "response rate",
    only: int | None = None,
) -> FormResults:
    """Count every question's answers (or only one's) and build its chart, table or texts."""
    questions = [q for q in form.questions if only is None or q.id == only]
    ids = [q.id for q in questions]
    stored = store.responses(form.id)
    responses = len(stored)
    last_day = max((r.submitted_on for r in stored), default=None)
    counts: dict[tuple[int, int], int] = {}
    respondents: dict[int, int] = {}
    texts: dict[int, list[str]] = {}
    wanted = set(ids)
    # In the order of the random response ids: the texts never tell who answered first.
    for response in stored:
        answered = set()
        for answer in response.answers:
            if answer.question_id not in wanted:
                continue
            answered.add(answer.question_id)
            if answer.option_id is not None:
                key = (answer.question_id, answer.option_id)
                counts[key] = counts.get(key, 0) + 1
            if answer.text is not None:
                texts.setdefault(answer.question_id, []).append(answer.text)
        for question_id in answered:
            respondents[question_id] = respondents.get(question_id, 0) + 1
    participants = participants_of(form.workshop_id)
    subtitle_tail = _subtitle_tail(responses, participants, last_day, rate_label)
    results = [
        _question_result(
            q, form, lang, counts, respondents.get(q.id, 0), texts, threshold, subtitle_tail
        )
        for q in questions
    ]
    return FormResults(
        form_id=form.id,
        title=text_in(form.title, lang, form.language),
        responses=responses,
        participants=participants,
        last_day=last_day,
        threshold=threshold,
        questions=tuple(results),
    )


def _subtitle_tail(
    responses: int, participants: int | None, day: date | None, rate_label: str
) -> str:
    parts = []
    if participants:
        parts.append(f"{rate_label} {round(100 * responses / participants)} %")
    if day:
        parts.append(day.isoformat())
    return " · ".join(parts)


def _question_result(
    question: Question,
    form: EvaluationForm,
    lang: str,
    counts: dict[tuple[int, int], int],
    respondents: int,
    texts: dict[int, list[str]],
    threshold: int,
    subtitle_tail: str,
) -> QuestionResult:
    title = text_in(question.text, lang, form.language)
    hidden = charts.too_few(respondents, threshold)
    base = QuestionResult(question.id, question.key, question.type, title, respondents, hidden)
    if hidden:
        return base
    kind = charts.kind_for(question.type)
    if kind is None:
        return replace(base, texts=tuple(texts.get(question.id, [])))
    chart = charts.ChartData(
        title=title,
        kind=kind,
        labels=[text_in(o.text, lang, form.language) for o in question.options],
        counts=[counts.get((question.id, o.id), 0) for o in question.options],
        respondents=respondents,
        subtitle=" · ".join(p for p in (f"n = {respondents}", subtitle_tail) if p),
        ordinal=question.type == "scale",
    )
    return replace(base, chart=chart, table=tuple(charts.data_table(chart)))


@dataclass(frozen=True)
class Comparison:
    """Form A across a project's workshops: per compared question, one result per workshop."""

    workshops: tuple[str, ...]
    responses: tuple[int, ...]
    rows: tuple[tuple[str, tuple[QuestionResult | None, ...]], ...]  # (question title, cells)
    forms: tuple[int, ...]


def compare(
    project,
    lang: str,
    *,
    keys: tuple[str, ...] = COMPARED,
    threshold: int = DEFAULT_MIN_RESPONSES,
    rate_label: str = "response rate",
) -> Comparison:
    """Form A's results of every workshop side by side for the given question keys."""
    rows = db.session.execute(
        select(EvaluationForm, Workshop)
        .join(Workshop, Workshop.id == EvaluationForm.workshop_id)
        .where(EvaluationForm.project_id == project.id, EvaluationForm.kind == "A")
        .order_by(Workshop.position, Workshop.starts_at, Workshop.id, EvaluationForm.id)
    ).all()
    results = [
        (workshop, form_results(form, lang, threshold=threshold, rate_label=rate_label))
        for form, workshop in rows
    ]
    table = []
    for key in keys:
        cells = []
        title = None
        for _workshop, result in results:
            found = next((q for q in result.questions if q.key == key), None)
            title = title or (found.title if found else None)
            cells.append(found)
        if title:
            table.append((title, tuple(cells)))
    return Comparison(
        workshops=tuple(w.title for w, _r in results),
        responses=tuple(r.responses for _w, r in results),
        rows=tuple(table),
        forms=tuple(r.form_id for _w, r in results),
    )


class ChartCache:
    """Rendered chart images by content: a small memory cache over files on disk.

    Files are written atomically, so workers sharing the folder never read half an image.
    """

    def __init__(self, folder: Path | None, memory_items: int = 128) -> None:
        self.folder = folder
        self.memory_items = memory_items
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # how many images were drawn (for tests and the benchmark)

    def get(self, chart: charts.ChartData, fmt: charts.ImageFormat) -> bytes:
        """The chart as PNG or SVG, drawn only when no cache has it."""
        key = f"{charts.cache_key(chart)}.{fmt}"
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        data = self._read(key)
        if data is None:
            data = charts.render(chart, fmt)
            self.renders += 1
            self._write(key, data)
        with self._lock:
            self._memory[key] = data
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)
        return data

    def clear_memory(self) -> None:
        """Forget the memory cache (the files stay)."""
        with self._lock:
            self._memory.clear()

    def _read(self, key: str) -> bytes | None:
        if self.folder is None:
            return None
        try:
            return (self.folder / key).read_bytes()
        except OSError:
            return None

    def _write(self, key: str, data: bytes) -> None:
        if self.folder is None:
            return
        with suppress(OSError):  # a read-only disk only costs a redraw next time
            files.write_atomically(self.folder / key, data)
