"""Results of a form: counts per option, charts and their data tables, text answers, comparisons.

Each form's results are counted from its responses as evaluations/store.py reads them. Chart
images are kept in each process's memory only (ChartCache), by a keyed hash of what the chart
shows, so they are drawn again only when the answers, texts or look change; nothing on disk keeps
an earlier state of a form's results.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
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
        """The chart's key (chart_key), for image URLs, ETags and caching."""
        return chart_key(self.chart) if self.chart is not None else None


# Drawn anew by each process and never stored: a chart's key reaches image URLs, ETags and so
# access logs, and a plain hash of the counts there would let a reader check guessed counts.
_KEY_SECRET = secrets.token_bytes(32)


def chart_key(chart: charts.ChartData) -> str:
    """A keyed hash of what the chart shows: stable in this process, uncheckable outside it."""
    content = charts.cache_key(chart).encode("ascii")
    return hmac.new(_KEY_SECRET, content, hashlib.sha256).hexdigest()[:32]


def response_rate(responses: int, participants: int | None) -> float | None:
    """Responses per device that joined the workshop, or None where that says nothing true.

    People may answer through the form's own link or QR code without joining the workshop: they
    count as responses, not as participants. So a rate is given only while the responses do not
    outnumber the devices that joined (never above 100 %), and never without a workshop.
    """
    if not participants or responses > participants:
        return None
    return responses / participants


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
        """Responses per device that joined the workshop, when that is meaningful (response_rate)."""
        return response_rate(self.responses, self.participants)

    @property
    def more_than_joined(self) -> bool:
        """Whether more answered than joined the workshop (so no rate: say both numbers)."""
        return bool(self.participants) and self.responses > self.participants

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
    rate = response_rate(responses, participants)
    if rate is not None:
        parts.append(f"{rate_label} {round(100 * rate)} %")
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


# What versions before this one left in the instance folder's cache/charts: one file per chart
# drawn (the SHA-256 of what it showed, then .png or .svg), and their temporary files.
_OLD_CHART_FILE = re.compile(r"\.?[0-9a-f]{64}\.(png|svg)(\..+)?")


def remove_old_chart_files(folder: Path) -> int:
    """Delete the chart files older versions wrote to folder (and folder, once empty).

    Each held the counts of one chart at one moment, so the folder kept a form's results after
    every new answer in answering order. Returns how many files were deleted.
    """
    removed = 0
    with suppress(OSError):  # no folder, or one this process may not change
        for path in folder.iterdir():
            if _OLD_CHART_FILE.fullmatch(path.name):
                with suppress(OSError):
                    path.unlink()
                    removed += 1
        folder.rmdir()  # only when nothing else is in it
    return removed


class ChartCache:
    """Rendered chart images in this process's memory, the least recently used dropped first.

    Never on disk: a file per drawn chart would keep every earlier state of a form's results,
    which a copy of the server could read back in answering order (docs/privacy.md). Each
    process draws a chart the first time it serves it. folder is where older versions kept
    chart files; they are deleted when the cache is made, on a process's first chart request.
    """

    def __init__(self, folder: Path | None = None, memory_items: int = 128) -> None:
        self.folder = folder
        self.memory_items = memory_items
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.renders = 0  # how many images were drawn (for tests and the benchmark)
        if folder is not None:
            remove_old_chart_files(folder)

    def get(self, chart: charts.ChartData, fmt: charts.ImageFormat) -> bytes:
        """The chart as PNG or SVG, drawn only when this process has not kept it."""
        key = f"{chart_key(chart)}.{fmt}"
        with self._lock:
            if key in self._memory:
                self._memory.move_to_end(key)
                return self._memory[key]
        data = charts.render(chart, fmt)
        with self._lock:
            self.renders += 1
            self._memory[key] = data
            while len(self._memory) > self.memory_items:
                self._memory.popitem(last=False)
        return data

    def clear_memory(self) -> None:
        """Forget every image (each is drawn again when next asked for)."""
        with self._lock:
            self._memory.clear()
