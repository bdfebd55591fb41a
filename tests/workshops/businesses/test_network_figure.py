"""The network figure: names never overlap, the nodes fill the area, one colour per sector."""

import itertools
import random

import networkx as nx
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex

from method import taxonomy
from workshops.businesses.pairing import figure

GROUPS = [g.key for g in taxonomy.groups()]


def network(n: int, *, seed: int = 0, long: bool = False, groups=GROUPS) -> nx.Graph:
    rng = random.Random(seed)
    graph = nx.Graph()
    for i in range(n):
        name = f"Business {i + 1}" + (" Fjellstue og Gjestegård Ullstua AS" if long else "")
        graph.add_node(str(i), name=name, group=groups[i % len(groups)] if i % 7 else "")
    for i in range(n):
        for j in rng.sample(range(n), min(3, n)):
            if i != j:
                graph.add_edge(str(i), str(j), weight=rng.uniform(0.5, 3.0))
    return graph


def drawn_boxes(fig):
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    return [text.get_bbox_patch().get_window_extent(renderer) for text in fig.axes[0].texts]


@pytest.mark.parametrize(
    ("n", "long", "size"),
    [(2, False, {}), (13, False, {"width_mm": 83, "dpi": 200, "font_pt": 6.5}),
     (13, True, {"width_mm": 83, "dpi": 200, "font_pt": 6.5}),
     (60, False, {"width_mm": 83, "dpi": 200, "font_pt": 6.5}),
     (60, True, {"width_mm": 150, "dpi": 200, "font_pt": 7.5}), (80, True, {})],
)  # fmt: skip
def test_labels_never_overlap_each_other_or_a_node(n, long, size):
    fig, layout = figure.draw_network(network(n, long=long), "en", **size)

    boxes = [label.box for label in layout.labels.values()]
    markers = [
        figure.Box(x - layout.radius, y - layout.radius, x + layout.radius, y + layout.radius)
        for x, y in layout.nodes.values()
    ]
    assert len(boxes) == n
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    assert not [(a, m) for a in boxes for m in markers if a.overlaps(m)]
    assert all(box.inside(layout.width, layout.height) for box in boxes)
    # What is drawn keeps to the computed boxes: the drawn label boxes do not overlap either.
    drawn = drawn_boxes(fig)
    assert not [
        (a, b)
        for a, b in itertools.combinations(drawn, 2)
        if min(a.x1, b.x1) - max(a.x0, b.x0) > 0.5 and min(a.y1, b.y1) - max(a.y0, b.y0) > 0.5
    ]


def test_place_labels_goes_further_out_when_the_near_places_are_taken():
    obstacles = [figure.Box(40, 40, 60, 60)]
    found = figure.place_labels([(50, 50)] * 6, [(30, 10)] * 6, obstacles, 200, 200, gap=11)

    boxes = [box for box, _displaced in found]
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    assert [displaced for _box, displaced in found][:1] == [False]
    assert any(displaced for _box, displaced in found)


def test_a_label_with_no_free_place_is_reported_not_overlapped():
    found = figure.place_labels([(5, 5), (5, 5)], [(10, 10), (10, 10)], [], 10, 10, gap=0)

    assert found[1] is None


def test_the_nodes_fill_the_drawing_area():
    _fig, layout = figure.draw_network(network(13), "en", width_mm=83, dpi=200, font_pt=6.5)

    xs = [x for x, _y in layout.nodes.values()]
    ys = [y for _x, y in layout.nodes.values()]
    assert (max(xs) - min(xs)) / layout.width > 0.7
    assert (max(ys) - min(ys)) / layout.height > 0.7


def test_every_sector_group_has_its_own_colour_in_every_figure():
    colours = [figure.sector_colour(g) for g in GROUPS]
    first = network(6, groups=GROUPS[:3])
    end = network(9, groups=GROUPS[1:5])

    seen = {}
    for graph in (first, end):
        fig, _layout = figure.draw_network(graph, "en")
        markers = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
        for collection in markers:
            colour = to_hex(collection.get_facecolor()[0])
            offsets = {tuple(map(float, p)) for p in collection.get_offsets()}
            groups = {
                graph.nodes[n].get("group", "")
                for n, p in _layout.nodes.items()
                if tuple(map(float, p)) in offsets
            }
            for group in groups:
                seen.setdefault(group, set()).add(colour)
        legend = fig.legends[0]
        for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=True):
            group = next(
                (g for g in GROUPS if taxonomy.group_label(g, "en") == text.get_text()), ""
            )
            assert to_hex(handle.get_color()) == figure.sector_colour(group)

    assert len(set(colours)) == len(GROUPS)
    assert figure.UNKNOWN_COLOUR not in colours
    assert all(
        found == {figure.sector_colour(group) if group else figure.UNKNOWN_COLOUR}
        for group, found in seen.items()
    ), seen


def test_an_empty_graph_draws_an_empty_figure():
    png = figure.network_figure(nx.Graph(), "png")
    svg = figure.network_figure(network(3), "svg", "en")

    assert png.startswith(b"\x89PNG")
    assert b"<svg" in svg


def test_parts_that_are_not_connected_share_the_area_instead_of_drifting_apart():
    graph = nx.Graph()
    for k in range(4):
        graph.add_edge(f"a{k}", f"b{k}", weight=1.0)
        graph.add_node(f"a{k}", name=f"Pair {k} first", group=GROUPS[k])
        graph.add_node(f"b{k}", name=f"Pair {k} second", group=GROUPS[k + 4])
    graph.add_node("alone", name="Alone", group="")

    _fig, layout = figure.draw_network(graph, "en", width_mm=83, dpi=200, font_pt=6.5)

    xs = sorted(x for x, _y in layout.nodes.values())
    ys = sorted(y for _x, y in layout.nodes.values())
    assert (xs[-1] - xs[0]) / layout.width > 0.6 and (ys[-1] - ys[0]) / layout.height > 0.6
    # No empty half: some node in each half of the area, both ways.
    assert xs[0] < layout.width / 2 < xs[-1] and ys[0] < layout.height / 2 < ys[-1]
    assert sum(1 for x in xs if x < layout.width / 2) >= 3
