"""Ideas as CSV and XLSX rows; a spreadsheet never runs what a participant typed."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import gettext as _
from openpyxl import Workbook

from app.db import iso_z
from workshops.ideas import capture as ideas
from workshops.ideas import votes
from workshops.programme.models import Workshop

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0, and so XLSX, cannot hold (openpyxl refuses them): U+FFFD in the sheet only.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would read as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def idea_rows(workshop: Workshop) -> list[list]:
    """A header and one row per idea: step, track, theme, votes, interests, hidden."""
    steps = {s.id: s.title for s in workshop.steps}
    themes = {t.id: t.name for t in ideas.themes(workshop)}
    totals = votes.totals(workshop)
    interests = votes.interests_by_idea(workshop)
    rows = [
        [
            _("Id"),
            _("Idea"),
            _("Step"),
            _("Group"),
            _("Theme"),
            _("Votes"),
            _("Interested businesses"),
            _("Hidden from the wall"),
            _("Typed by the leader"),
            _("Name"),
            _("Business"),
            _("Time (UTC)"),
        ]
    ]
    for idea in ideas.all_ideas(workshop):
        rows.append(
            [
                idea.id,
                idea.text,
                steps.get(idea.step_id, ""),
                idea.track or "",
                themes.get(idea.theme_id, ""),
                totals.get(idea.id, 0),
                "; ".join(interests.get(idea.id, [])),
                _("yes") if idea.hidden_at else _("no"),
                _("yes") if idea.typed_by_leader else _("no"),
                idea.author_name,
                idea.business_name,
                iso_z(idea.created_at),
            ]
        )
    return rows


def to_csv(rows: list[list]) -> bytes:
    """UTF-8 CSV with a BOM (so Excel reads the Nordic letters), formulas neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: list[list], title: str) -> bytes:
    """An XLSX sheet where every text cell is a string cell, never a formula."""
    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, str):
                value = _ILLEGAL_XML.sub("\ufffd", value)
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # "=..." stays text: openpyxl would otherwise store a formula
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
