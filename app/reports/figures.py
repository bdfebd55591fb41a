"""Lean figures for the report: SVG pies of a few paths and no text; bars as spans, option keys
as coloured borders.

The numbers stand beside each figure as HTML text (and in its alt text), so a figure is only a
handful of paths: cheap for WeasyPrint to draw, crisp at any zoom, and free of matplotlib.
Colours follow evaluations.charts: the same option index always has the same colour.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Sequence

from markupsafe import Markup

from evaluations import charts

DATA_SVG = "data:image/svg+xml;base64,"
_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
TRACK = "#e3e7eb"


def colours(count: int, ordinal: bool) -> list[str]:
    """The colour of each of count options, as the evaluation charts colour them."""
    probe = charts.ChartData(
        title="", kind="pie", labels=[""] * count, counts=[0] * count, respondents=0,
        ordinal=ordinal,
    )  # fmt: skip
    return charts._colours(probe)  # noqa: SLF001 - one palette for every chart


def _point(angle: float, radius: float, centre: float) -> tuple[float, float]:
    """A point on the circle, angle in turns clockwise from twelve o'clock."""
    theta = 2 * math.pi * angle
    return centre + radius * math.sin(theta), centre - radius * math.cos(theta)


def pie_svg(counts: Sequence[int], fills: Sequence[str], size: int = 100) -> str:
    """A pie of counts in option order, clockwise from twelve o'clock (empty options get none)."""
    total = sum(counts)
    centre = radius = size / 2
    parts = [_SVG.format(w=size, h=size)]
    if total <= 0:
        parts.append(f'<circle cx="{centre}" cy="{centre}" r="{radius - 1}" fill="{TRACK}"/>')
    shown = [(n, fill) for n, fill in zip(counts, fills, strict=False) if n > 0]
    if len(shown) == 1:
        parts.append(f'<circle cx="{centre}" cy="{centre}" r="{radius - 1}" fill="{shown[0][1]}"/>')
    elif shown:
        start = 0.0
        for n, fill in shown:
            end = start + n / total
            x1, y1 = _point(start, radius - 1, centre)
            x2, y2 = _point(end, radius - 1, centre)
            large = 1 if end - start > 0.5 else 0
            parts.append(
                f'<path d="M{centre:.2f} {centre:.2f}L{x1:.2f} {y1:.2f}'
                f'A{radius - 1:.2f} {radius - 1:.2f} 0 {large} 1 {x2:.2f} {y2:.2f}Z" '
                f'fill="{fill}" stroke="#fff" stroke-width="1"/>'
            )
            start = end
    parts.append("</svg>")
    return "".join(parts)


def colour_class(fill: str) -> str:
    """The stylesheet's class for one palette colour ("c-e69f00")."""
    return "c-" + fill.lstrip("#").lower()


def key_class(fill: str) -> str:
    """The stylesheet's class that marks an option's row header with its colour ("k-e69f00")."""
    return "k-" + fill.lstrip("#").lower()


def width_class(percent: float) -> str:
    """The stylesheet's width class for a share, in steps of 5 % ("w-35")."""
    share = max(0.0, min(float(percent), 100.0))
    return f"w-{5 * round(share / 5)}"


def css_bar(percent: float, css_class: str, fill: str | None = None) -> Markup:
    """A bar of spans sized by classes: no inline style (the pages' CSP forbids it), and in the
    PDF a background, which tagging marks as decoration (the number stands beside it)."""
    colour = f" {colour_class(fill)}" if fill else ""
    # Constant markup; format() escapes the class names.
    template = Markup('<span class="{}"><span class="fill {}{}"></span></span>')  # noqa: S704  # nosec B704
    return template.format(css_class, width_class(percent), colour)


def image(svg: str, alt: str, css_class: str) -> Markup:
    """An SVG as an <img> with a data URL and alt text (escaped by format())."""
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    # A constant template; format() escapes the class, the alt text and the base64 data.
    template = Markup('<img class="{}" alt="{}" src="' + DATA_SVG + '{}">')  # noqa: S704  # nosec B704
    return template.format(css_class, alt, encoded)


def percent_text(count: int, base: int) -> str:
    """A share as a whole percentage, "<1 %" for a small non-zero share."""
    return charts._percent_text(100 * count / base if base else 0.0)  # noqa: SLF001


def alt_text(
    title: str, labels: Sequence[str], counts: Sequence[int], base: int, n_label: str
) -> str:
    """ "Title? Option 4 (29 %), Other 10 (71 %); n = 14": the figure's numbers in words."""
    items = ", ".join(
        f"{label} {count} ({percent_text(count, base)})"
        for label, count in zip(labels, counts, strict=False)
    )
    head = title.strip()
    return f"{head} {items}; {n_label}" if head else f"{items}; {n_label}"
