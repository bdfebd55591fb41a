"""The report's option colours: no two options of one question share a colour (up to sixteen),
and the report's stylesheet has a swatch and a key class for every colour of the palette."""

from __future__ import annotations

import re

import pytest

from app.reports import figures
from config import BASE_DIR
from evaluations import charts

STYLESHEET = (BASE_DIR / "app" / "reports" / "static" / "report.css").read_text("utf-8")


@pytest.mark.parametrize("count", [2, 8, 9, 12, 16])
def test_options_of_one_question_never_share_a_colour(count):
    assert len(set(figures.colours(count, ordinal=False))) == count


def test_a_nine_option_pie_does_not_join_its_first_and_last_slice():
    # The sector question has nine options; its ninth slice meets the first at twelve o'clock.
    fills = figures.colours(9, ordinal=False)
    svg = figures.pie_svg([2, 4, 3, 2, 1, 1, 0, 0, 1], fills)
    drawn = re.findall(r'fill="(#[0-9A-Fa-f]{6})"', svg)
    assert drawn[0] != drawn[-1]


@pytest.mark.parametrize("fill", [*charts.NOMINAL_COLOURS, *charts.ORDINAL_COLOURS])
def test_every_palette_colour_has_its_classes_in_the_report_stylesheet(fill):
    value = fill.lower()
    assert f".{figures.colour_class(fill)} {{ background: {value}; }}" in STYLESHEET
    assert f".{figures.key_class(fill)} {{ border-left-color: {value}; }}" in STYLESHEET
