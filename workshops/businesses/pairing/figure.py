"""The partner network as a PNG or SVG figure: labels that never overlap, one sector palette.

The figure is laid out in its own pixels: each connected part of the network gets a share of the
drawing area in proportion to its size and is laid out by springs inside it, so the nodes fill the
area; then each name is placed beside its node where it covers no other name and no node (and,
when it can, no line), further out with a thin line back to its node when the near places are
taken. sector_colour() gives every sector
group the same colour in every figure and legend.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from io import BytesIO

import networkx as nx

from method import taxonomy
from workshops.businesses.pairing.ranking import build_graph
from workshops.businesses.pairing.scoring import Profile

# One colour per sector group, in the taxonomy's group order (Okabe-Ito and Paul Tol colours).
SECTOR_PALETTE = (
    "#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#882255", "#56b4e9",
    "#332288", "#ddcc77", "#44aa99", "#999933", "#aa4499", "#117733", "#661100",
)  # fmt: skip
UNKNOWN_COLOUR = "#9aa5ae"  # sector not given or not recognised
EDGE_COLOUR = "#7a8794"
LINE_SPACING = 1.15
PAD = 0.3  # a label box's padding, as a share of its text size
LABEL_WIDTH = 24  # characters per line of a name; two lines at most
FONTS = ["Noto Sans", "DejaVu Sans"]
# (height, text size) of each attempt to find every name a place: taller first, then smaller.
GROWTH = (
    (1.0, 1.0), (1.3, 1.0), (1.3, 0.88), (1.6, 0.88), (1.6, 0.77), (1.6, 0.68),
    (2.0, 0.6), (2.5, 0.5), (3.0, 0.45), (4.0, 0.4),
)  # fmt: skip


def sector_colour(group: str | None) -> str:
    """The colour of a sector group, the same in every figure and legend."""
    keys = [g.key for g in taxonomy.groups()]
    if group in keys:
        return SECTOR_PALETTE[keys.index(group) % len(SECTOR_PALETTE)]
    return UNKNOWN_COLOUR


def sector_order(groups) -> list[str]:
    """Sector group keys in the taxonomy's order, unknown ones ("") last."""
    keys = [g.key for g in taxonomy.groups()]
    return sorted(set(groups), key=lambda g: (g not in keys, keys.index(g) if g in keys else 0, g))


@dataclass(frozen=True)
class Box:
    """A rectangle in the figure's pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return (
            self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1
        )

    def inside(self, width: float, height: float) -> bool:
        return self.x0 >= 0 and self.y0 >= 0 and self.x1 <= width and self.y1 <= height

    @property
    def centre(self) -> tuple[float, float]:
        return (self.x0 + self.x1) / 2, (self.y0 + self.y1) / 2


@dataclass(frozen=True)
class Label:
    """A node's name as drawn: its lines, its box, and whether it sits away from its node."""

    text: str
    box: Box
    displaced: bool


@dataclass(frozen=True)
class Layout:
    """Where everything goes, in the drawing area's pixels (origin bottom left)."""

    width: float
    height: float
    radius: float  # of a node's marker
    nodes: dict[str, tuple[float, float]]
    labels: dict[str, Label]


def label_text(name: str) -> str:
    """A name on at most two lines of LABEL_WIDTH characters (the rest cut with "…")."""
    lines = textwrap.wrap(" ".join(str(name).split()), LABEL_WIDTH, break_long_words=True)
    if len(lines) > 2:
        lines = [lines[0], lines[1][: LABEL_WIDTH - 1] + "…"]
    return "\n".join(lines) or "?"


# Near places first (above, below, right, left, the corners), then further out all round.
_NEAR = ((0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1))
_AROUND = tuple((math.cos(2 * math.pi * k / 16), math.sin(2 * math.pi * k / 16)) for k in range(16))


def _candidates(x: float, y: float, w: float, h: float, gap: float, step: float, rings: int):
    for ring in range(rings):
        for ux, uy in _NEAR if ring == 0 else _AROUND:
            reach = gap + ring * step
            cx = x + ux * (reach + w / 2)
            cy = y + uy * (reach + h / 2)
            yield ring > 0, Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def crosses(box: Box, a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Whether the segment from a to b passes through box (Liang-Barsky clipping)."""
    (x0, y0), (x1, y1) = a, b
    dx, dy = x1 - x0, y1 - y0
    low, high = 0.0, 1.0
    for p, q in ((-dx, x0 - box.x0), (dx, box.x1 - x0), (-dy, y0 - box.y0), (dy, box.y1 - y0)):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def place_labels(
    anchors: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    obstacles: Sequence[Box],
    width: float,
    height: float,
    gap: float,
    segments: Sequence[tuple[tuple[float, float], tuple[float, float]]] = (),
) -> list[tuple[Box, bool] | None]:
    """A box for each label (anchors in placing order) that overlaps no other label and no
    obstacle and lies inside the area; None for a label with no such place.

    A place near the anchor that no segment (an edge) crosses is taken first; failing that, the
    nearest free place, edges or not.
    """
    placed: list[Box] = []
    result: list[tuple[Box, bool] | None] = []
    step = max(4.0, min(h for _w, h in sizes) if sizes else 4.0)
    rings = int(max(width, height) / step) + 2

    def free(box: Box) -> bool:
        return (
            box.inside(width, height)
            and not any(box.overlaps(other) for other in placed)
            and not any(box.overlaps(other) for other in obstacles)
        )

    for (x, y), (w, h) in zip(anchors, sizes, strict=True):
        found = next(
            (
                (box, displaced)
                for displaced, box in _candidates(x, y, w, h, gap, step, min(rings, 3))
                if free(box) and not any(crosses(box, a, b) for a, b in segments)
            ),
            None,
        ) or next(
            (
                (box, displaced)
                for displaced, box in _candidates(x, y, w, h, gap, step, rings)
                if free(box)
            ),
            None,
        )
        if found is not None:
            placed.append(found[0])
        result.append(found)
    return result


def _spread(positions: dict, width: float, height: float, margin_x: float, margin_y: float):
    """Scale positions to fill the area inside the margins (each axis on its own)."""
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    inner_w, inner_h = max(1.0, width - 2 * margin_x), max(1.0, height - 2 * margin_y)
    return {
        node: (
            margin_x + (x - min(xs)) / span_x * inner_w if len(xs) > 1 else width / 2,
            margin_y + (y - min(ys)) / span_y * inner_h if len(ys) > 1 else height / 2,
        )
        for node, (x, y) in positions.items()
    }


def _separate(points: dict, distance: float, width: float, height: float, rounds: int = 30):
    """Push nodes closer than distance apart, within the area."""
    names = sorted(points)
    xy = {n: list(points[n]) for n in names}
    for _ in range(rounds):
        moved = False
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                dx, dy = xy[b][0] - xy[a][0], xy[b][1] - xy[a][1]
                d = math.hypot(dx, dy)
                if d >= distance:
                    continue
                if d == 0:
                    dx, dy, d = 1.0, 0.0, 1.0
                push = (distance - d) / 2
                for node, sign in ((a, -1), (b, 1)):
                    xy[node][0] = min(width, max(0.0, xy[node][0] + sign * push * dx / d))
                    xy[node][1] = min(height, max(0.0, xy[node][1] + sign * push * dy / d))
                moved = True
        if not moved:
            break
    return {n: (xy[n][0], xy[n][1]) for n in names}


def _unit_layout(graph: nx.Graph, part, seed: int) -> dict:
    """A connected part laid out by springs, scaled into the unit square."""
    nodes = sorted(part, key=str)
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    # A new graph in sorted order: a subgraph view keeps the graph's insertion order, which can
    # follow a set's (hash) order, and the layout's start positions follow the node order.
    sub = nx.Graph()
    sub.add_nodes_from(nodes)
    sub.add_edges_from(
        sorted(graph.subgraph(nodes).edges(data=True), key=lambda e: (str(e[0]), str(e[1])))
    )
    raw = nx.spring_layout(sub, weight="weight", seed=seed, k=1.6 / math.sqrt(len(sub)))
    xs, ys = [p[0] for p in raw.values()], [p[1] for p in raw.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {n: ((x - min(xs)) / span_x, (y - min(ys)) / span_y) for n, (x, y) in raw.items()}


def _pack(parts: list, x: float, y: float, w: float, h: float, out: list) -> None:
    """Give each part a rectangle of area in proportion to its size (a sliced treemap)."""
    if len(parts) == 1:
        out.append((parts[0], (x, y, w, h)))
        return
    total = sum(len(p) for p in parts)
    k, size = 1, len(parts[0])
    while k < len(parts) - 1 and size + len(parts[k]) <= total / 2:
        size += len(parts[k])
        k += 1
    share = size / total
    if w >= h:
        _pack(parts[:k], x, y, w * share, h, out)
        _pack(parts[k:], x + w * share, y, w * (1 - share), h, out)
    else:
        _pack(parts[:k], x, y + h * (1 - share), w, h * share, out)
        _pack(parts[k:], x, y, w, h * (1 - share), out)


def _positions(graph: nx.Graph, aspect: float, seed: int) -> dict:
    """Node positions: each connected part laid out on its own in a rectangle of its share of
    the area, so parts that are not connected do not drift to the edges and leave it empty."""
    parts = sorted(nx.connected_components(graph), key=lambda p: (-len(p), min(map(str, p))))
    cells: list = []
    _pack(parts, 0.0, 0.0, aspect, 1.0, cells)
    positions = {}
    for part, (x, y, w, h) in cells:
        for node, (u, v) in _unit_layout(graph, part, seed).items():
            positions[node] = (x + w * (0.15 + 0.7 * u), y + h * (0.15 + 0.7 * v))
    return positions


def network_layout(
    graph: nx.Graph,
    width: float,
    height: float,
    radius: float,
    measure: Callable[[str], tuple[float, float]],
    seed: int = 1,
) -> Layout | None:
    """Nodes spread over width x height pixels and every name placed clear of the others.

    measure gives a label's (width, height) in pixels. None when some name finds no free place
    (the caller makes the area larger or the text smaller).
    """
    nodes = list(graph)
    texts = {n: label_text(graph.nodes[n].get("name", n)) for n in nodes}
    sizes = {n: measure(texts[n]) for n in nodes}
    if not nodes:
        return Layout(width, height, radius, {}, {})
    widest = max(w for w, _h in sizes.values())
    tallest = max(h for _w, h in sizes.values())
    raw = _positions(graph, width / height, seed)
    margin_x = min(widest / 2, width / 4) + radius
    margin_y = tallest + 2 * radius
    points = _spread(raw, width, height, margin_x, margin_y)
    points = _separate(points, 3 * radius, width, height)
    markers = [Box(x - radius, y - radius, x + radius, y + radius) for x, y in points.values()]
    strength = dict(graph.degree(weight="weight"))
    order = sorted(nodes, key=lambda n: (-strength.get(n, 0.0), str(texts[n]), str(n)))
    boxes = place_labels(
        [points[n] for n in order],
        [sizes[n] for n in order],
        markers,
        width,
        height,
        gap=radius + 1,
        segments=[(points[a], points[b]) for a, b in graph.edges() if a != b],
    )
    if any(found is None for found in boxes):
        return None
    labels = {
        n: Label(texts[n], found[0], found[1])
        for n, found in zip(order, boxes, strict=True)
        if found is not None
    }
    return Layout(width, height, radius, points, labels)


def _trim(graph: nx.Graph, max_nodes: int) -> nx.Graph:
    if graph.number_of_nodes() <= max_nodes:
        return graph
    strength = dict(graph.degree(weight="weight"))
    keep = sorted(graph, key=lambda x: (-strength[x], str(x)))[:max_nodes]
    return graph.subgraph(keep)


def draw_network(
    graph: nx.Graph,
    lang: str = "nb",
    *,
    width_mm: float = 254.0,
    height_mm: float | None = None,
    dpi: int = 110,
    font_pt: float = 8.0,
    seed: int = 1,
    unknown_label: str = "?",
):
    """The network drawn on a matplotlib Figure, and its Layout; unknown_label names the
    businesses without a recognised sector in the legend.

    The drawing area grows taller and the names smaller (GROWTH) until every name has a free
    place.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.lines import Line2D

    width_in = width_mm / 25.4
    height_in = (height_mm if height_mm is not None else width_mm * 0.8) / 25.4
    groups = sector_order(graph.nodes[x].get("group", "") or "" for x in graph)
    columns = max(1, min(len(groups), int(width_in / 1.6)))
    legend_in = (math.ceil(len(groups) / columns) * 1.7 + 0.6) * font_pt / 72 if groups else 0.0
    layout = None
    scratch = Figure(dpi=dpi)  # text is measured here: its size depends only on font and dpi
    scratch_renderer = FigureCanvasAgg(scratch).get_renderer()
    measured: dict[tuple[str, float], tuple[float, float]] = {}
    texts = [label_text(graph.nodes[n].get("name", n)) for n in graph]
    for grow, smaller in GROWTH:
        size_pt = font_pt * smaller
        prop = FontProperties(family=FONTS, size=size_pt)
        font_px = size_pt * dpi / 72
        pad = PAD * font_px  # the label box's padding, a share of the text size
        radius = max(3.0, 0.75 * font_px)

        def measure(text: str, prop=prop, pad=pad, size_pt=size_pt):
            # Laid out as it will be drawn: the text's own extent, plus its box's padding.
            if (text, size_pt) not in measured:
                probe = scratch.text(0, 0, text, fontproperties=prop, linespacing=LINE_SPACING)
                extent = probe.get_window_extent(scratch_renderer)
                probe.remove()
                measured[text, size_pt] = (extent.width + 2 * pad + 2, extent.height + 2 * pad + 2)
            return measured[text, size_pt]

        area_w = width_in * dpi
        area_h = height_in * grow * dpi
        # Names that would cover more than a third of the area find no place: try the next size.
        if sum(math.prod(measure(t)) for t in texts) > area_w * area_h / 3 and smaller > 0.4:
            continue
        layout = network_layout(graph, area_w, area_h, radius, measure, seed=seed)
        if layout is not None:
            break
    fig = Figure(figsize=(width_in, height_in * grow + legend_in), dpi=dpi)
    FigureCanvasAgg(fig)
    if layout is None:  # pragma: no cover - ever larger attempts; not seen in practice
        raise RuntimeError("no room for the network's labels")
    fig_h = fig.get_figheight() * dpi
    ax = fig.add_axes((0, (fig_h - layout.height) / fig_h, 1, layout.height / fig_h))
    ax.set_axis_off()
    ax.set_xlim(0, layout.width)
    ax.set_ylim(0, layout.height)
    points = layout.nodes
    edges = [(a, b, w) for a, b, w in graph.edges(data="weight", default=1.0) if a != b]
    if edges:
        top = max(w for _, _, w in edges) or 1.0
        ax.add_collection(
            LineCollection(
                [(points[a], points[b]) for a, b, _ in edges],
                linewidths=[(0.5 + 3.5 * w / top) * font_pt / 8 for _, _, w in edges],
                colors=EDGE_COLOUR,
                alpha=0.6,
                zorder=1,
            )
        )
    marker_pt = 2 * layout.radius * 72 / dpi
    for group in groups:
        nodes = [x for x in graph if (graph.nodes[x].get("group", "") or "") == group]
        ax.scatter(
            [points[x][0] for x in nodes],
            [points[x][1] for x in nodes],
            s=marker_pt**2,
            c=sector_colour(group),
            edgecolors="white",
            linewidths=0.8,
            zorder=2,
        )
    leaders = []
    for node, label in layout.labels.items():
        cx, cy = label.box.centre
        if label.displaced:
            x, y = points[node]
            nearest = (
                min(max(x, label.box.x0), label.box.x1),
                min(max(y, label.box.y0), label.box.y1),
            )
            reach = math.hypot(nearest[0] - x, nearest[1] - y) or 1.0
            edge = (
                x + layout.radius * (nearest[0] - x) / reach,
                y + layout.radius * (nearest[1] - y) / reach,
            )
            leaders.append([edge, nearest])  # from the marker's rim, not across it
        ax.text(
            cx,
            cy,
            label.text,
            ha="center",
            va="center",
            fontproperties=prop,
            linespacing=LINE_SPACING,
            zorder=4,
            bbox={"boxstyle": f"round,pad={PAD}", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    if leaders:
        ax.add_collection(LineCollection(leaders, linewidths=0.4, colors="#55616a", zorder=3))
    if groups:
        handles = [
            Line2D([], [], marker="o", linestyle="", markersize=font_pt, color=sector_colour(g))
            for g in groups
        ]
        names = [taxonomy.group_label(g, lang) if g else unknown_label for g in groups]
        fig.legend(
            handles,
            names,
            loc="lower center",
            ncol=columns,
            prop=FontProperties(family=FONTS, size=font_pt),
            frameon=False,
            handletextpad=0.3,
            columnspacing=0.8,
        )
    return fig, layout


def network_figure(
    graph_or_profiles: nx.Graph | Sequence[Profile],
    fmt: str = "png",
    lang: str = "nb",
    max_nodes: int = 80,
    seed: int = 1,
    *,
    width_mm: float = 254.0,
    height_mm: float | None = None,
    dpi: int = 110,
    font_pt: float = 8.0,
    unknown_label: str = "?",
) -> bytes:
    """Draw the partner network (edge width by score, colour by sector) as PNG or SVG bytes."""
    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    graph = (
        graph_or_profiles
        if isinstance(graph_or_profiles, nx.Graph)
        else build_graph(list(graph_or_profiles), keep=5)
    )
    fig, _layout = draw_network(
        _trim(graph, max_nodes),
        lang,
        width_mm=width_mm,
        height_mm=height_mm,
        dpi=dpi,
        font_pt=font_pt,
        seed=seed,
        unknown_label=unknown_label,
    )
    buffer = BytesIO()
    fig.savefig(buffer, format=fmt, dpi=dpi)
    return buffer.getvalue()
