"""The partner network as a figure: labels that never overlap, one sector palette.

Two renderers share one layout: draw_network (matplotlib; the pairing pages' PNG and SVG) and
raster_network (a PNG drawn directly with Pillow; the report, without loading matplotlib). The
layout is plain Python (NetworkX's spring layout, the same steps and start positions): a NetworkX
graph or a SmallGraph is drawn without loading NetworkX or NumPy.

The figure is laid out in its own pixels: each connected part of the network gets a share of the
drawing area in proportion to its size and is laid out by springs inside it, so the nodes fill the
area; then each name is placed beside its node where it covers no other name and no node (and,
when it can, no line), further out with a thin line back to its node when the near places are
taken. sector_colour() gives every sector
group the same colour in every figure and legend.
"""

from __future__ import annotations

import logging
import math
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from random import Random
from typing import TYPE_CHECKING, Any

from method import taxonomy
from workshops import glyphs

if TYPE_CHECKING:
    import networkx as nx

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
log = logging.getLogger(__name__)
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


def _spread(
    positions: dict,
    width: float,
    height: float,
    margin_x: float,
    margin_y: float,
    extent: Sequence[tuple[float, float]] | None = None,
):
    """Scale positions to fill the area inside the margins (each axis on its own); with extent,
    scale the rectangle around those points instead, so positions keep their place in it."""
    corners = list(positions.values()) if extent is None else list(extent)
    xs = [p[0] for p in corners]
    ys = [p[1] for p in corners]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    inner_w, inner_h = max(1.0, width - 2 * margin_x), max(1.0, height - 2 * margin_y)
    return {
        node: (
            margin_x + (x - min(xs)) / span_x * inner_w if len(corners) > 1 else width / 2,
            margin_y + (y - min(ys)) / span_y * inner_h if len(corners) > 1 else height / 2,
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


class SmallGraph:
    """The few graph operations the figures use, for callers that have no NetworkX graph (the
    report): nodes with attributes, undirected weighted edges, in the order they were added."""

    def __init__(self) -> None:
        self.nodes: dict[Any, dict] = {}
        self._adjacent: dict[Any, dict[Any, dict]] = {}

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, node) -> bool:
        return node in self.nodes

    def add_node(self, node, **attributes) -> None:
        self.nodes.setdefault(node, {}).update(attributes)
        self._adjacent.setdefault(node, {})

    def add_edge(self, a, b, **attributes) -> None:
        self.add_node(a)
        self.add_node(b)
        data = self._adjacent[a].get(b, {})
        data.update(attributes)
        self._adjacent[a][b] = self._adjacent[b][a] = data

    def remove_nodes_from(self, nodes) -> None:
        for node in list(nodes):
            for other in self._adjacent.pop(node, {}):
                if other != node:
                    del self._adjacent[other][node]
            self.nodes.pop(node, None)

    def number_of_nodes(self) -> int:
        return len(self.nodes)

    def edges(self, data: bool | str = False, default=None) -> list[tuple]:
        """Each edge once, as NetworkX lists them: (a, b), (a, b, attributes) or (a, b, value)."""
        seen: set = set()
        found = []
        for a, others in self._adjacent.items():
            for b, attributes in others.items():
                if b in seen:
                    continue
                if data is True:
                    found.append((a, b, attributes))
                elif data:
                    found.append((a, b, attributes.get(data, default)))
                else:
                    found.append((a, b))
            seen.add(a)
        return found

    def degree(self, node=None, weight: str | None = None):
        """A node's degree, or (node, degree) for every node; weighted by an edge attribute."""

        def one(n) -> float:
            total = 0.0 if weight else 0
            for other, attributes in self._adjacent[n].items():
                value = attributes.get(weight, 1) if weight else 1
                total += 2 * value if other == n else value
            return total

        if node is not None:
            return one(node)
        return [(n, one(n)) for n in self.nodes]

    def subgraph(self, nodes) -> SmallGraph:
        keep = set(nodes)
        sub = SmallGraph()
        for node in self.nodes:
            if node in keep:
                sub.add_node(node, **self.nodes[node])
        for a, b, attributes in self.edges(data=True):
            if a in keep and b in keep:
                sub.add_edge(a, b, **attributes)
        return sub


def _components(graph) -> list[set]:
    """The connected parts of a graph (NetworkX's or a SmallGraph)."""
    neighbours: dict = {node: [] for node in graph}
    for a, b in graph.edges():
        neighbours[a].append(b)
        neighbours[b].append(a)
    parts, seen = [], set()
    for start in neighbours:
        if start in seen:
            continue
        part, stack = {start}, [start]
        while stack:
            for other in neighbours[stack.pop()]:
                if other not in part:
                    part.add(other)
                    stack.append(other)
        seen |= part
        parts.append(part)
    return parts


def _numpy_random(seed: int) -> Random:
    """A Random that gives the numbers of NumPy's RandomState(seed).rand(): the same Mersenne
    Twister, seeded as NumPy seeds it from an integer (its random() is NumPy's random_sample)."""
    state, value = [], seed & 0xFFFFFFFF
    for position in range(624):
        state.append(value)
        value = (1812433253 * (value ^ (value >> 30)) + position + 1) & 0xFFFFFFFF
    generator = Random()  # noqa: S311 - a figure's layout, not a secret
    generator.setstate((3, (*state, 624), None))
    return generator


def spring_positions(
    nodes: Sequence, weights: dict[tuple, float], k: float, seed: int, iterations: int = 50
) -> list[tuple[float, float]]:
    """Fruchterman-Reingold positions of nodes, as NetworkX's spring_layout computes them for a
    graph of fewer than 500 nodes (the same start positions from the seed, the same forces and
    cooling), in plain Python. weights maps (i, j) index pairs, both ways, to an edge's weight."""
    n = len(nodes)
    generator = _numpy_random(seed)
    xs, ys = [], []
    for _ in range(n):
        xs.append(generator.random())
        ys.append(generator.random())
    t = max(max(xs) - min(xs), max(ys) - min(ys)) * 0.1
    dt = t / (iterations + 1)
    kk = k * k
    adjacency = [[0.0] * n for _ in range(n)]
    for (i, j), weight in weights.items():
        adjacency[i][j] = weight
    sqrt = math.sqrt
    for _ in range(iterations):
        fx, fy = [0.0] * n, [0.0] * n
        for i in range(n):  # each pair once: the same force on both, in opposite directions
            xi, yi, row = xs[i], ys[i], adjacency[i]
            sum_x = sum_y = 0.0
            for j in range(i + 1, n):
                dx, dy = xi - xs[j], yi - ys[j]
                d = sqrt(dx * dx + dy * dy)
                if d < 0.01:
                    d = 0.01
                force = kk / (d * d) - row[j] * d / k
                sum_x += dx * force
                sum_y += dy * force
                fx[j] -= dx * force
                fy[j] -= dy * force
            fx[i] += sum_x
            fy[i] += sum_y
        moved = 0.0
        for i in range(n):
            length = sqrt(fx[i] * fx[i] + fy[i] * fy[i])
            step = t / (length if length > 0.01 else 0.01)
            mx, my = fx[i] * step, fy[i] * step
            xs[i] += mx
            ys[i] += my
            moved += mx * mx + my * my
        t -= dt
        if sqrt(moved) / n < 1e-4:
            break
    return list(zip(xs, ys, strict=True))


@lru_cache(maxsize=64)
def _spring(nodes: tuple, weights: tuple, k: float, seed: int) -> list[tuple[float, float]]:
    """spring_positions, kept: a figure tries several sizes with the same parts."""
    return spring_positions(nodes, dict(weights), k=k, seed=seed)


def _unit_layout(graph, part, seed: int) -> dict:
    """A connected part laid out by springs, scaled into the unit square."""
    # Sorted: the start positions follow the node order, which must not follow a set's (hash)
    # order.
    nodes = sorted(part, key=str)
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    index = {node: i for i, node in enumerate(nodes)}
    weights: dict[tuple[int, int], float] = {}
    for a, b, weight in graph.edges(data="weight", default=1.0):
        if a in index and b in index and a != b:
            weights[index[a], index[b]] = weights[index[b], index[a]] = weight
    raw = _spring(tuple(nodes), tuple(sorted(weights.items())), 1.6 / math.sqrt(len(nodes)), seed)
    xs, ys = [p[0] for p in raw], [p[1] for p in raw]
    span_x, span_y = (max(xs) - min(xs)) or 1.0, (max(ys) - min(ys)) or 1.0
    return {
        n: ((x - min(xs)) / span_x, (y - min(ys)) / span_y)
        for n, (x, y) in zip(nodes, raw, strict=True)
    }


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
    parts = sorted(_components(graph), key=lambda p: (-len(p), min(map(str, p))))
    cells: list = []
    _pack(parts, 0.0, 0.0, aspect, 1.0, cells)
    positions = {}
    for part, (x, y, w, h) in cells:
        for node, (u, v) in _unit_layout(graph, part, seed).items():
            positions[node] = (x + w * (0.15 + 0.7 * u), y + h * (0.15 + 0.7 * v))
    return positions


def network_frame(
    graph: nx.Graph, aspect: float = 1.25, seed: int = 1, max_nodes: int = 80
) -> dict:
    """Node positions to share between figures of one network (network_layout's frame): two
    figures drawn in the same frame put each business in the same place. Only the max_nodes
    businesses with the strongest ties get one, as only they are drawn."""
    return _positions(_trim(graph, max_nodes), aspect, seed)


def network_layout(
    graph: nx.Graph,
    width: float,
    height: float,
    radius: float,
    measure: Callable[[str], tuple[float, float]],
    seed: int = 1,
    frame: dict | None = None,
) -> Layout | None:
    """Nodes spread over width x height pixels and every name placed clear of the others.

    measure gives a label's (width, height) in pixels. None when some name finds no free place
    (the caller makes the area larger or the text smaller). frame (from network_frame, of this
    network or of a larger one holding it) places the nodes where that frame has them; a node
    it lacks makes the graph laid out on its own.
    """
    nodes = list(graph)
    texts = {n: label_text(graph.nodes[n].get("name", n)) for n in nodes}
    sizes = {n: measure(texts[n]) for n in nodes}
    if not nodes:
        return Layout(width, height, radius, {}, {})
    widest = max(w for w, _h in sizes.values())
    tallest = max(h for _w, h in sizes.values())
    shared = frame is not None and all(n in frame for n in nodes)
    raw = {n: frame[n] for n in nodes} if shared else _positions(graph, width / height, seed)
    margin_x = min(widest / 2, width / 4) + radius
    margin_y = tallest + 2 * radius
    extent = list(frame.values()) if shared else None
    points = _spread(raw, width, height, margin_x, margin_y, extent)
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


def _leader(point: tuple[float, float], box: Box, radius: float) -> list[tuple[float, float]]:
    """The thin line from a node's marker rim (not across it) to its displaced label's box."""
    x, y = point
    nearest = (min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1))
    reach = math.hypot(nearest[0] - x, nearest[1] - y) or 1.0
    return [(x + radius * (nearest[0] - x) / reach, y + radius * (nearest[1] - y) / reach), nearest]


def _fit(
    graph: nx.Graph,
    width: float,
    height: float,
    font_pt: float,
    dpi: float,
    seed: int,
    measurer: Callable[[float], Callable[[str], tuple[float, float]]],
    frame: dict | None = None,
) -> tuple[Layout, float, float]:
    """The network laid out at the first step of GROWTH where every name has a free place:
    (layout, text size in points, growth of the height). measurer(size_pt) measures labels."""
    texts = [label_text(graph.nodes[n].get("name", n)) for n in graph]
    for grow, smaller in GROWTH:
        size_pt = font_pt * smaller
        radius = max(3.0, 0.75 * size_pt * dpi / 72)
        measure = measurer(size_pt)
        area_h = height * grow
        # Names that would cover more than a third of the area find no place: try the next size.
        if sum(math.prod(measure(t)) for t in texts) > width * area_h / 3 and smaller > 0.4:
            continue
        layout = network_layout(graph, width, area_h, radius, measure, seed=seed, frame=frame)
        if layout is not None:
            return layout, size_pt, grow
    raise RuntimeError("no room for the network's labels")  # pragma: no cover - not seen


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
    scratch = Figure(dpi=dpi)  # text is measured here: its size depends only on font and dpi
    scratch_renderer = FigureCanvasAgg(scratch).get_renderer()
    measured: dict[tuple[str, float], tuple[float, float]] = {}

    def measurer(size_pt: float) -> Callable[[str], tuple[float, float]]:
        prop = FontProperties(family=FONTS, size=size_pt)
        pad = PAD * size_pt * dpi / 72  # the label box's padding, a share of the text size

        def measure(text: str) -> tuple[float, float]:
            # Laid out as it will be drawn: the text's own extent, plus its box's padding.
            if (text, size_pt) not in measured:
                probe = scratch.text(0, 0, text, fontproperties=prop, linespacing=LINE_SPACING)
                extent = probe.get_window_extent(scratch_renderer)
                probe.remove()
                measured[text, size_pt] = (extent.width + 2 * pad + 2, extent.height + 2 * pad + 2)
            return measured[text, size_pt]

        return measure

    layout, size_pt, grow = _fit(
        graph, width_in * dpi, height_in * dpi, font_pt, dpi, seed, measurer
    )
    prop = FontProperties(family=FONTS, size=size_pt)
    fig = Figure(figsize=(width_in, height_in * grow + legend_in), dpi=dpi)
    FigureCanvasAgg(fig)
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
            leaders.append(_leader(points[node], label.box, layout.radius))
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
    import networkx as nx

    # The scoring engine (NumPy) only when profiles are given.
    from workshops.businesses.pairing.ranking import build_graph

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


# --- the network as a PNG drawn directly (the report): no matplotlib ----------------------------

SUPERSAMPLE = 3  # lines and markers are drawn this many times larger, then scaled down (smooth)
INK = "#1d2428"
LEADER_COLOUR = "#55616a"


def _blend(colour: str, alpha: float) -> tuple[int, int, int]:
    """colour at alpha over white, as one opaque colour."""
    rgb = [int(colour[k : k + 2], 16) for k in (1, 3, 5)]
    return tuple(round(alpha * c + (1 - alpha) * 255) for c in rgb)  # type: ignore[return-value]


class LabelFont:
    """The label fonts (FONTS, as fontconfig finds them) at one size in pixels, with Pillow.

    A label is measured with the very fonts it is drawn with: each character in the first font
    that has it (a character none has becomes the replacement character), each run of one font
    measured by FreeType with its kerning and shaping. Without fontconfig, Pillow's own font.
    """

    def __init__(self, size_px: float) -> None:
        from PIL import ImageFont

        self.faces: list[tuple[object, glyphs.Coverage | None]] = []
        seen = set()
        for family in FONTS:
            face = glyphs.font_face(family)
            if face is not None and face[0] not in seen:
                seen.add(face[0])
                self.faces.append((ImageFont.truetype(face[0], size_px), face[1]))
        if not self.faces:  # pragma: no cover - fontconfig is installed with the fonts
            log.warning(
                "none of the fonts %s found through fontconfig: names drawn in Pillow's own font,"
                " and characters it lacks are not replaced",
                ", ".join(FONTS),
            )
            self.faces.append((ImageFont.load_default(size_px), None))
        metrics = [font.getmetrics() for font, _covered in self.faces]
        self.ascent = max(ascent for ascent, _descent in metrics)
        self.line_height = self.ascent + max(descent for _ascent, descent in metrics)
        self.pitch = LINE_SPACING * size_px

    def _face(self, char: str):
        for font, covered in self.faces:
            if covered is None or ord(char) in covered:
                return font
        return None

    def runs(self, line: str) -> list[tuple[str, object]]:
        """line as (text, font) runs. A control character is left out; a format character (a
        joiner, a direction mark) or a variation selector stays in the run it is in."""
        runs: list[tuple[str, object]] = []
        for char in line:
            font = self._face(char)
            if font is None:
                if unicodedata.category(char) == "Cc":
                    continue
                if glyphs.drawable(char, glyphs.Coverage([])):  # no glyph of its own
                    font = runs[-1][1] if runs else self.faces[0][0]
                else:
                    char = glyphs.PLACEHOLDER
                    font = self._face(char) or self.faces[0][0]
            if runs and runs[-1][1] is font:
                runs[-1] = (runs[-1][0] + char, font)
            else:
                runs.append((char, font))
        return runs

    def width(self, line: str) -> float:
        return sum(font.getlength(text) for text, font in self.runs(line))

    def size(self, text: str) -> tuple[float, float]:
        """(width, height) of text's lines as drawn."""
        lines = text.split("\n")
        return max(self.width(line) for line in lines), self.line_height + (
            len(lines) - 1
        ) * self.pitch

    def draw(self, draw, x: float, top: float, text: str, fill, *, centred: bool = True) -> None:
        """Draw text's lines from top, each centred on x (or starting at x)."""
        for k, line in enumerate(text.split("\n")):
            baseline = top + self.ascent + k * self.pitch
            cursor = x - self.width(line) / 2 if centred else x
            for run, font in self.runs(line):
                draw.text((cursor, baseline), run, font=font, fill=fill, anchor="ls")
                cursor += font.getlength(run)


@lru_cache(maxsize=16)
def _label_font(size_px: float) -> LabelFont:
    return LabelFont(size_px)


def width_in_em(text: str) -> float:
    """The width of text's longest line in FONTS, in em of the size it is drawn at."""
    return _label_font(100.0).size(text)[0] / 100.0


def _legend_columns(
    names: list[str], font: LabelFont, width: float, marker: float
) -> list[list[int]]:
    """The legend's entries (indices into names) in columns, filled top to bottom: as many
    columns as fit width, each as wide as its widest entry (a marker, then the name)."""
    entries = [1.4 * marker + font.width(name) for name in names]
    gap = 1.2 * marker
    for count in range(len(names), 0, -1):
        rows = math.ceil(len(names) / count)
        columns = [list(range(k, min(k + rows, len(names)))) for k in range(0, len(names), rows)]
        if sum(max(entries[i] for i in c) for c in columns) + gap * (len(columns) - 1) <= width:
            return columns
    return [list(range(len(names)))]


def raster_network(
    graph: nx.Graph,
    lang: str = "nb",
    *,
    width_mm: float = 150.0,
    height_mm: float | None = None,
    dpi: int = 200,
    font_pt: float = 7.5,
    seed: int = 1,
    unknown_label: str = "?",
    max_nodes: int = 80,
    frame: dict | None = None,
) -> tuple[bytes, Layout]:
    """The network as an RGB PNG drawn with Pillow, and its Layout (origin bottom left): the
    max_nodes businesses with the strongest ties (each where frame has it, when given: see
    network_layout).

    The same layout, label places and sector colours as draw_network, with the legend below; the
    names are measured with the fonts they are drawn with (LabelFont). The same graph gives the
    same bytes.
    """
    from PIL import Image, ImageDraw

    graph = _trim(graph, max_nodes)

    width = width_mm / 25.4 * dpi
    height = (height_mm if height_mm is not None else width_mm * 0.8) / 25.4 * dpi
    measured: dict[tuple[str, float], tuple[float, float]] = {}

    def measurer(size_pt: float) -> Callable[[str], tuple[float, float]]:
        font = _label_font(size_pt * dpi / 72)
        pad = PAD * size_pt * dpi / 72

        def measure(text: str) -> tuple[float, float]:
            if (text, size_pt) not in measured:
                w, h = font.size(text)
                measured[text, size_pt] = (w + 2 * pad + 2, h + 2 * pad + 2)
            return measured[text, size_pt]

        return measure

    layout, size_pt, _grow = _fit(graph, width, height, font_pt, dpi, seed, measurer, frame)
    groups = sector_order(graph.nodes[x].get("group", "") or "" for x in graph)
    names = [taxonomy.group_label(g, lang) if g else unknown_label for g in groups]
    legend_font = _label_font(font_pt * dpi / 72)
    marker = 0.8 * font_pt * dpi / 72
    columns = _legend_columns(names, legend_font, width, marker) if names else []
    widths = [1.4 * marker + max(legend_font.width(names[i]) for i in c) for c in columns]
    gap = 1.2 * marker
    lefts = [max(0.0, (width - sum(widths) - gap * (len(widths) - 1)) / 2)]  # centred
    for column_w in widths[:-1]:
        lefts.append(lefts[-1] + column_w + gap)
    legend_h = (len(columns[0]) + 0.8) * legend_font.pitch if columns else 0.0
    size = (math.ceil(width), math.ceil(layout.height + legend_h))
    s = SUPERSAMPLE
    big = Image.new("RGB", (size[0] * s, size[1] * s), "white")
    pen = ImageDraw.Draw(big)
    top = layout.height

    def at(point: tuple[float, float]) -> tuple[float, float]:
        return point[0] * s, (top - point[1]) * s

    points = layout.nodes
    edges = [(a, b, w) for a, b, w in graph.edges(data="weight", default=1.0) if a != b]
    px = dpi / 72  # pixels per point
    if edges:
        strongest = max(w for _, _, w in edges) or 1.0
        colour = _blend(EDGE_COLOUR, 0.6)
        for a, b, w in edges:
            line_w = (0.5 + 3.5 * w / strongest) * font_pt / 8 * px
            pen.line([at(points[a]), at(points[b])], fill=colour, width=max(1, round(line_w * s)))
    for node, label in layout.labels.items():
        if label.displaced:
            start, end = _leader(points[node], label.box, layout.radius)
            pen.line([at(start), at(end)], fill=LEADER_COLOUR, width=max(1, round(0.4 * px * s)))
    rim = max(1, round(0.8 * px * s))
    for node in graph:
        x, y = at(points[node])
        r = layout.radius * s
        fill = sector_colour(graph.nodes[node].get("group", "") or None)
        pen.ellipse((x - r, y - r, x + r, y + r), fill=fill, outline="white", width=rim)
    legend_top = layout.height + 0.4 * legend_font.pitch
    places = {  # legend entry -> (left, row's middle)
        i: (left, legend_top + (row + 0.5) * legend_font.pitch)
        for column, left in zip(columns, lefts, strict=True)
        for row, i in enumerate(column)
    }
    for i, (left, middle) in places.items():
        r = marker / 2
        box = ((left) * s, (middle - r) * s, (left + 2 * r) * s, (middle + r) * s)
        pen.ellipse(box, fill=sector_colour(groups[i] or None))
    image = big.reduce(s)
    pen = ImageDraw.Draw(image)
    font = _label_font(size_pt * dpi / 72)
    pad = PAD * size_pt * dpi / 72
    for label in layout.labels.values():
        box = label.box
        pen.rounded_rectangle(
            (box.x0 + 1, top - box.y1 + 1, box.x1 - 1, top - box.y0 - 1), radius=pad, fill="white"
        )
        cx, _cy = box.centre
        font.draw(pen, cx, top - box.y1 + 1 + pad, label.text, INK)
    for i, (left, middle) in places.items():
        text_top = middle - legend_font.line_height / 2
        legend_font.draw(pen, left + 1.4 * marker, text_top, names[i], INK, centred=False)
    buffer = BytesIO()
    # The fastest deflate (0.02 s less for the demo report's two figures than PIL's default):
    # the PDF writer decodes the PNG and deflates the pixels again, so the PDF is the same; the
    # report's preview page, which shows the PNG itself, gets a file 15-27 % larger.
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue(), layout
