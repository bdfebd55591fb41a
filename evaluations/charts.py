"""Charts of evaluation results: pies for one-answer questions, bars for multiple choice.

Pure functions over plain values. Figures are built with matplotlib's object API and the Agg
canvas, never pyplot, so concurrent requests share no figure state. Text is set in DejaVu Sans
(it ships with matplotlib); SVG keeps its text as text so the PDF report stays searchable.
"""

from __future__ import annotations

import hashlib
import json
import math
import textwrap
import threading
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date
from io import BytesIO
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # matplotlib is imported where a figure is drawn, never at start-up
    from matplotlib.figure import Figure

ChartKind = Literal["pie", "bar"]
ImageFormat = Literal["png", "svg"]

RENDER_VERSION = "2"  # bump when the look changes, so cached images are redrawn
FONT = "DejaVu Sans"
TOO_FEW = 5

# Okabe & Ito's palette, told apart by people with any common colour-vision deficiency; black is
# left out because the labels and hatching are dark.
NOMINAL_COLOURS = (
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#999999",
    # A ninth to sixteenth option (a sector question has nine) in colours of their own, from Paul
    # Tol's dark and muted schemes: a repeated colour would join the first and the ninth slice
    # of a pie, which meet at twelve o'clock, and give two options one swatch in the report.
    "#332288",
    "#882255",
    "#117733",
    "#999933",
    "#AA4499",
    "#661100",
    "#DDCC77",
    "#FFAABB",
)
# Light to dark in one hue, so a 1-5 scale reads in order in colour and in greyscale.
ORDINAL_COLOURS = ("#DEEBF7", "#9ECAE1", "#6BAED6", "#3182BD", "#08519C")
# A pattern per option, so slices stay apart when printed in grey. Line patterns only, bar one
# star: dots and circles make SVG files many times larger.
HATCHES = ("", "///", "\\\\\\", "|||", "---", "xx", "++", "*", "//", "-")
BAR_COLOUR = "#0072B2"

PIE_TYPES = frozenset({"single", "yesno", "scale"})
BAR_TYPES = frozenset({"multiple"})

# Layout, in inches and points. Pie geometry is in data units where the radius is 1.
_WIDTH = 8.0
_MARGIN = 0.3
_TITLE_PT, _SUBTITLE_PT, _LABEL_PT = 13.0, 10.0, 9.5
_LINE = 1.25  # line height as a multiple of the font size
_PIE_INCH = 1.15  # inches per data unit: the pie is 2.3 inches across
_LABEL_X = 1.3  # where labels start, left or right of the centre
_ELBOW = 1.12  # where a leader line bends towards its label
_PIE_ROOM = 1.2  # the least room above and below the centre
_LABEL_GAP = 0.08  # vertical room between two labels
_CHAR_EM = 0.62  # a generous average width of one character, in ems
_WRAP_TITLE, _WRAP_LABEL, _WRAP_BAR = 70, 26, 30
_MAX_LABEL_LINES = 3

_SVG_LOCK = threading.Lock()  # rc_context touches global settings: one SVG save at a time


@dataclass(frozen=True)
class ChartData:
    """What one chart shows: a question, its options in order, and the counts.

    respondents is the n shown. A pie's percentages are shares of all counted answers; a bar's
    are shares of respondents, so bars may add up to more than 100 %. ordinal marks a 1-5 scale,
    drawn light to dark. subtitle is the caller's translated line (n, response rate, date); when
    empty, "n = X" is shown.
    """

    title: str
    kind: ChartKind
    labels: Sequence[str]
    counts: Sequence[int]
    respondents: int
    subtitle: str = ""
    ordinal: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(str(label) for label in self.labels))
        object.__setattr__(self, "counts", tuple(self.counts))
        if self.kind not in ("pie", "bar"):
            raise ValueError(f"kind must be 'pie' or 'bar', not {self.kind!r}")
        if len(self.labels) != len(self.counts):
            raise ValueError("labels and counts differ in length")
        if any(not _is_count(n) for n in (*self.counts, self.respondents)):
            raise ValueError("counts and respondents must be whole numbers >= 0")
        if self.kind == "bar" and any(n > self.respondents for n in self.counts):
            raise ValueError(
                "an option of a multiple-choice question has more votes than respondents"
            )


@dataclass(frozen=True)
class Summary:
    """Counts per option, in option order, and how many answered the question."""

    counts: tuple[int, ...]
    respondents: int


def kind_for(question_type: str) -> ChartKind | None:
    """Return the chart kind for a question type, or None for text answers."""
    if question_type in PIE_TYPES:
        return "pie"
    if question_type in BAR_TYPES:
        return "bar"
    return None


def too_few(respondents: int, threshold: int = TOO_FEW) -> bool:
    """Tell whether there are too few answers to show results."""
    return respondents < threshold


def summarise(question_type: str, option_keys: Sequence[str], answers: Iterable[object]) -> Summary:
    """Count answers per option: keys for single and yesno, lists of keys for multiple, 1-5 for scale.

    None or an empty list is an unanswered question. An unknown option raises ValueError.
    """
    if kind_for(question_type) is None:
        raise ValueError(f"{question_type!r} answers are listed, not counted")
    position = {key: index for index, key in enumerate(option_keys)}
    counts = [0] * len(option_keys)
    respondents = 0
    for answer in answers:
        if answer is None:
            continue
        if question_type == "multiple":
            if isinstance(answer, str) or not isinstance(answer, Iterable):
                raise ValueError(f"a multiple-choice answer must be a list, not {answer!r}")
            chosen = {_option_index(position, key) for key in answer}
        else:
            chosen = {_option_index(position, answer)}
        if chosen:
            respondents += 1
            for index in chosen:
                counts[index] += 1
    return Summary(counts=tuple(counts), respondents=respondents)


def make_subtitle(
    respondents: int,
    invited: int | None = None,
    day: date | str | None = None,
    rate_label: str = "response rate",
) -> str:
    """Compose "n = 23 · response rate 77 % · 2025-03-04"; pass rate_label translated."""
    parts = [f"n = {respondents}"]
    if invited:
        parts.append(f"{rate_label} {_percent_text(100 * respondents / invited)}")
    if day:
        parts.append(day.isoformat() if isinstance(day, date) else str(day))
    return " · ".join(parts)


def data_table(chart: ChartData) -> list[tuple[str, int, float]]:
    """Return (label, count, percent) for every option, zero counts too: the text alternative."""
    base = _base(chart)
    return [
        (label, count, round(100 * count / base, 1) if base else 0.0)
        for label, count in zip(chart.labels, chart.counts, strict=True)
    ]


def sentence(text: str) -> str:
    """End the text as a sentence: a full stop, unless it ends in one already (a question's
    "?" too), so alt texts never read "started?."."""
    text = text.rstrip()
    # + keeps the text's type: an escaped title (Markup) stays escaped once, not twice.
    return text if not text or text[-1] in ".?!…" else text + "."


def cache_key(chart: ChartData) -> str:
    """Return a stable hash of what the chart shows; add the format when caching images."""
    payload = json.dumps(
        {"version": RENDER_VERSION, **asdict(chart)}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_figure(chart: ChartData) -> Figure:
    """Build the chart's Figure on an Agg canvas, ready to save or to inspect."""
    if chart.kind == "pie":
        return _pie_figure(chart)
    return _bar_figure(chart)


def render(chart: ChartData, fmt: ImageFormat = "png", dpi: int = 150) -> bytes:
    """Render the chart as PNG or SVG bytes; SVG text stays text."""
    import matplotlib

    figure = build_figure(chart)
    buffer = BytesIO()
    if fmt == "png":
        figure.savefig(buffer, format="png", dpi=dpi)
    elif fmt == "svg":
        # The SVG writer reads these from the global settings; rc_context restores them, and
        # the lock stops two threads from restoring each other's values.
        with _SVG_LOCK, matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "kraft"}):
            figure.savefig(buffer, format="svg", metadata={"Date": None})
    else:
        raise ValueError(f"fmt must be 'png' or 'svg', not {fmt!r}")
    return buffer.getvalue()


def _is_count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _option_index(position: dict[str, int], answer: object) -> int:
    if isinstance(answer, bool) or not isinstance(answer, (str, int)):
        raise ValueError(f"answer {answer!r} is not an option key")
    key = str(answer)
    if key not in position:
        raise ValueError(f"answer {answer!r} is not one of the options")
    return position[key]


def _base(chart: ChartData) -> int:
    return sum(chart.counts) if chart.kind == "pie" else chart.respondents


def _percent_text(percent: float) -> str:
    if 0 < percent < 0.5:
        return "<1 %"
    return f"{math.floor(percent + 0.5)} %"


def _count_text(count: int, base: int) -> str:
    return f"{count} ({_percent_text(100 * count / base if base else 0.0)})"


def _wrap(text: str, width: int, max_lines: int | None = None) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), width, break_long_words=True) or [""]
    if max_lines is not None and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def _text_style(size: float, **extra: object) -> dict[str, object]:
    # parse_math off: a "$" in an answer option is money, not mathematics.
    return {"fontfamily": FONT, "fontsize": size, "parse_math": False, **extra}


def _line_inches(size: float, lines: int = 1) -> float:
    return lines * size * _LINE / 72


def _new_figure(chart: ChartData, body_height: float) -> Figure:
    """Start a figure of the right height with the title and subtitle on top."""
    title_lines = _wrap(chart.title, _WRAP_TITLE)
    header = _MARGIN + _line_inches(_TITLE_PT, len(title_lines)) + _line_inches(_SUBTITLE_PT) + 0.2
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    height = header + body_height + _MARGIN
    figure = Figure(figsize=(_WIDTH, height), facecolor="white")
    FigureCanvasAgg(figure)
    top = 1 - _MARGIN / height
    figure.text(
        _MARGIN / _WIDTH,
        top,
        "\n".join(title_lines),
        va="top",
        ha="left",
        linespacing=_LINE,
        **_text_style(_TITLE_PT, fontweight="bold"),
    )
    subtitle_y = top - _line_inches(_TITLE_PT, len(title_lines)) / height - 0.04 / height
    figure.text(
        _MARGIN / _WIDTH,
        subtitle_y,
        chart.subtitle or f"n = {chart.respondents}",
        va="top",
        ha="left",
        color="#333333",
        **_text_style(_SUBTITLE_PT),
    )
    return figure


def _colours(chart: ChartData) -> list[str]:
    if chart.ordinal and len(chart.labels) <= len(ORDINAL_COLOURS):
        # spread a shorter scale over the whole light-to-dark range
        last = len(ORDINAL_COLOURS) - 1
        steps = max(len(chart.labels) - 1, 1)
        return [ORDINAL_COLOURS[round(i * last / steps)] for i in range(len(chart.labels))]
    return [NOMINAL_COLOURS[i % len(NOMINAL_COLOURS)] for i in range(len(chart.labels))]


def _hatch_colour(face: str) -> tuple[float, float, float, float]:
    from matplotlib.colors import to_rgb

    red, green, blue = to_rgb(face)
    light = 0.2126 * red + 0.7152 * green + 0.0722 * blue > 0.45
    return (0.0, 0.0, 0.0, 0.45) if light else (1.0, 1.0, 1.0, 0.6)


def _spread(wanted: list[float], heights: list[float]) -> list[float]:
    """Place label centres (sorted bottom to top) without overlap, as near as can be to wanted.

    Overlapping neighbours merge into a stack centred on their wishes, until no stacks touch.
    """
    stacks: list[tuple[list[int], float]] = []  # members and the stack's bottom edge
    for i in range(len(wanted)):
        stacks.append(([i], wanted[i] - heights[i] / 2))
        while len(stacks) > 1:
            (below, bottom), (above, above_bottom) = stacks[-2], stacks[-1]
            if bottom + _stack_height(below, heights) + _LABEL_GAP <= above_bottom:
                break
            members = below + above
            offsets = _stack_offsets(members, heights)
            bottom = sum(wanted[j] - offsets[k] for k, j in enumerate(members)) / len(members)
            stacks[-2:] = [(members, bottom)]
    placed = [0.0] * len(wanted)
    for members, bottom in stacks:
        for j, offset in zip(members, _stack_offsets(members, heights), strict=True):
            placed[j] = bottom + offset
    return placed


def _stack_height(members: list[int], heights: list[float]) -> float:
    return sum(heights[j] for j in members) + _LABEL_GAP * (len(members) - 1)


def _stack_offsets(members: list[int], heights: list[float]) -> list[float]:
    """Return each member's centre above the stack's bottom edge."""
    offsets, edge = [], 0.0
    for j in members:
        offsets.append(edge + heights[j] / 2)
        edge += heights[j] + _LABEL_GAP
    return offsets


@dataclass
class _PieLabel:
    index: int
    angle: float  # degrees, the middle of the slice
    lines: list[str]
    y: float = 0.0

    @property
    def right(self) -> bool:
        return math.cos(math.radians(self.angle)) >= -1e-9

    @property
    def height(self) -> float:
        return _line_inches(_LABEL_PT, len(self.lines)) / _PIE_INCH


def _pie_figure(chart: ChartData) -> Figure:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Wedge

    total = sum(chart.counts)
    colours = _colours(chart)
    shown = [i for i, count in enumerate(chart.counts) if count > 0]

    # Slices run clockwise from twelve o'clock, in option order; empty options get none.
    labels: list[_PieLabel] = []
    wedges: list[tuple[int, float, float]] = []
    start = 90.0
    for i in shown:
        sweep = 360.0 * chart.counts[i] / total
        wedges.append((i, start - sweep, start))
        middle = 0.0 if len(shown) == 1 else start - sweep / 2
        text = _wrap(chart.labels[i], _WRAP_LABEL, _MAX_LABEL_LINES)
        labels.append(_PieLabel(i, middle, [*text, _count_text(chart.counts[i], total)]))
        start -= sweep

    for side in (True, False):
        group = sorted((lab for lab in labels if lab.right == side), key=_sin)
        placed = _spread([_ELBOW * _sin(lab) for lab in group], [lab.height for lab in group])
        for lab, y in zip(group, placed, strict=True):
            lab.y = y
    low = min([-_PIE_ROOM, *(lab.y - lab.height / 2 for lab in labels)])
    high = max([_PIE_ROOM, *(lab.y + lab.height / 2 for lab in labels)])

    widest = max((max(len(line) for line in lab.lines) for lab in labels), default=0)
    half_width = _LABEL_X + 0.05 + widest * _CHAR_EM * _LABEL_PT / 72 / _PIE_INCH
    body_width, body_height = 2 * half_width * _PIE_INCH, (high - low) * _PIE_INCH
    figure = _new_figure(chart, body_height)
    height = figure.get_figheight()
    axes = figure.add_axes(
        (
            (_WIDTH - body_width) / 2 / _WIDTH,
            _MARGIN / height,
            body_width / _WIDTH,
            body_height / height,
        )
    )
    axes.set_xlim(-half_width, half_width)
    axes.set_ylim(low, high)
    axes.set_aspect("equal")
    axes.set_axis_off()

    for i, theta1, theta2 in wedges:
        axes.add_patch(
            Wedge((0, 0), 1, theta1, theta2, facecolor=colours[i], edgecolor="white", linewidth=1.5)
        )
        hatch = HATCHES[i % len(HATCHES)]
        if hatch:  # a second, unfilled wedge carries the pattern in a contrasting colour
            axes.add_patch(
                Wedge(
                    (0, 0),
                    1,
                    theta1,
                    theta2,
                    fill=False,
                    hatch=hatch,
                    edgecolor=_hatch_colour(colours[i]),
                    linewidth=0,
                )
            )

    for lab in labels:
        radians = math.radians(lab.angle)
        sign = 1 if lab.right else -1
        rim = (math.cos(radians), math.sin(radians))
        elbow = (_ELBOW * rim[0], _ELBOW * rim[1])
        end = (sign * (_LABEL_X - 0.05), lab.y)
        axes.add_line(
            Line2D(
                [rim[0], elbow[0], end[0]],
                [rim[1], elbow[1], end[1]],
                color="#555555",
                linewidth=0.8,
            )
        )
        axes.text(
            sign * _LABEL_X,
            lab.y,
            "\n".join(lab.lines),
            ha="left" if lab.right else "right",
            va="center",
            linespacing=_LINE,
            gid=f"label-{lab.index}",
            **_text_style(_LABEL_PT),
        )
    return figure


def _sin(label: _PieLabel) -> float:
    return math.sin(math.radians(label.angle))


def _bar_figure(chart: ChartData) -> Figure:
    rows = [_wrap(label, _WRAP_BAR, _MAX_LABEL_LINES) for label in chart.labels]
    row_inches = [max(0.42, _line_inches(_LABEL_PT, len(lines)) + 0.14) for lines in rows]
    body_height = sum(row_inches) + 0.35  # room for the percentage axis below
    figure = _new_figure(chart, body_height)
    height = figure.get_figheight()
    widest = max((len(line) for lines in rows for line in lines), default=0)
    label_inches = min(widest * _CHAR_EM * _LABEL_PT / 72 + 0.15, _WIDTH * 0.45)
    left = _MARGIN + label_inches
    axes = figure.add_axes(
        (
            left / _WIDTH,
            (_MARGIN + 0.35) / height,
            (_WIDTH - left - _MARGIN) / _WIDTH,
            (body_height - 0.35) / height,
        )
    )
    # Row centres from the top, each as tall as its label needs.
    centres, edge = [], 0.0
    for inches in row_inches:
        centres.append(edge + inches / 2)
        edge += inches
    percents = [
        100 * count / chart.respondents if chart.respondents else 0.0 for count in chart.counts
    ]
    axes.barh(
        centres,
        percents,
        height=[0.7 * inches for inches in row_inches],
        color=BAR_COLOUR,
        edgecolor="white",
    )
    for centre, percent, count in zip(centres, percents, chart.counts, strict=True):
        axes.text(
            percent + 1.5,
            centre,
            _count_text(count, chart.respondents),
            va="center",
            ha="left",
            **_text_style(_LABEL_PT),
        )
    axes.set_ylim(edge, 0)  # first option on top
    axes.set_xlim(0, 118)
    axes.spines["bottom"].set_bounds(0, 100)
    axes.set_yticks(centres, labels=["\n".join(lines) for lines in rows])
    axes.set_xticks([0, 25, 50, 75, 100], labels=["0 %", "25 %", "50 %", "75 %", "100 %"])
    for tick in (*axes.get_yticklabels(), *axes.get_xticklabels()):
        tick.set(**_text_style(_LABEL_PT))
    axes.tick_params(axis="y", length=0)
    axes.grid(axis="x", color="#DDDDDD", linewidth=0.8)
    axes.set_axisbelow(True)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    return figure
