"""The report's network figure, drawn without matplotlib: names measured with the fonts that draw
them never overlap a name or a node, one sector palette, the same bytes on every run."""

import itertools
import os
import random
import subprocess
import sys
from io import BytesIO

import networkx as nx
import pytest
from PIL import Image, ImageDraw

from config import BASE_DIR
from method import taxonomy
from workshops import glyphs
from workshops.businesses.pairing import figure

GROUPS = [g.key for g in taxonomy.groups()]


def network(n: int, *, seed: int = 0, long: bool = False) -> nx.Graph:
    rng = random.Random(seed)
    graph = nx.Graph()
    for i in range(n):
        name = f"Business {i + 1}" + (" Fjellstue og Gjestegård Ullstua AS" if long else "")
        graph.add_node(str(i), name=name, group=GROUPS[i % len(GROUPS)] if i % 7 else "")
    for i in range(n):
        for j in rng.sample(range(n), min(3, n)):
            if i != j:
                graph.add_edge(str(i), str(j), weight=rng.uniform(0.5, 3.0))
    return graph


def markers(layout: figure.Layout) -> list[figure.Box]:
    r = layout.radius
    return [figure.Box(x - r, y - r, x + r, y + r) for x, y in layout.nodes.values()]


@pytest.mark.parametrize(
    ("n", "long", "width_mm", "font_pt"),
    [(2, False, 150, 7.5), (13, True, 83, 6.5), (60, False, 83, 6.5), (60, True, 150, 7.5)],
)
def test_names_never_overlap_a_name_or_a_node_and_stay_inside(n, long, width_mm, font_pt):
    png, layout = figure.raster_network(
        network(n, long=long), "en", width_mm=width_mm, font_pt=font_pt
    )

    boxes = [label.box for label in layout.labels.values()]
    assert len(boxes) == n
    assert not [(a, b) for a, b in itertools.combinations(boxes, 2) if a.overlaps(b)]
    assert not [(a, m) for a in boxes for m in markers(layout) if a.overlaps(m)]
    assert all(box.inside(layout.width, layout.height) for box in boxes)
    image = Image.open(BytesIO(png))
    assert image.mode == "RGB"  # no alpha: WeasyPrint embeds it as it is
    assert image.width == pytest.approx(width_mm / 25.4 * 200, abs=1)


def test_a_name_is_measured_with_the_font_that_draws_it():
    font = figure.LabelFont(18.0)
    faces = [glyphs.font_face(family) for family in figure.FONTS]
    # The files fontconfig picks, as WeasyPrint does: Noto Sans first.
    assert faces[0] is not None and "NotoSans" in faces[0][0].replace(" ", "")
    for text in ("Fjellstue og Gjestegård", "Ærlig Øl & Å-café\nAS", "Wide WWWWWWWW", "ıiIl1|"):
        width, height = font.size(text)
        image = Image.new("L", (int(width) + 40, int(height) + 40), 0)
        font.draw(ImageDraw.Draw(image), 20 + width / 2, 20, text, 255)
        ink = image.getbbox()
        # The ink lies inside the measured box (a pixel of anti-aliasing either side).
        assert ink[0] >= 20 - 1 and ink[2] <= 20 + width + 1, text
        assert ink[1] >= 20 - 1 and ink[3] <= 20 + height + 1, text


def test_a_character_no_label_font_has_becomes_the_placeholder():
    font = figure.LabelFont(18.0)

    runs = font.runs("Kafé \ue000 \u05e9\u05dc\u05d5\u05dd\x07")

    text = "".join(run for run, _font in runs)
    assert "\ue000" not in text and glyphs.PLACEHOLDER in text  # private use: no font
    assert "\u05e9\u05dc\u05d5\u05dd" in text  # Hebrew: the second font (DejaVu Sans) has it
    assert "\x07" not in text  # a control character is left out
    assert len({id(f) for _run, f in runs}) == 2


def test_nodes_and_legend_have_their_sector_colour():
    graph = network(9)
    png, layout = figure.raster_network(graph, "en", width_mm=150, font_pt=7.5)
    image = Image.open(BytesIO(png))

    for node, (x, y) in layout.nodes.items():
        group = graph.nodes[node]["group"]
        pixel = image.getpixel((round(x), round(layout.height - y)))
        expected = figure.sector_colour(group or None)
        assert "#{:02x}{:02x}{:02x}".format(*pixel) == expected, (node, group)
    # The legend below the network holds every sector's colour and the unknown one.
    legend = image.crop((0, round(layout.height), image.width, image.height))
    colours = {"#{:02x}{:02x}{:02x}".format(*c) for _n, c in legend.getcolors(1 << 16)}
    for group in {graph.nodes[n]["group"] for n in graph}:
        assert figure.sector_colour(group or None) in colours


def test_the_same_network_gives_the_same_bytes_whatever_the_hash_seed():
    code = (
        "import hashlib, sys\n"
        "from tests.reports.test_report_network_figure import network\n"
        "from workshops.businesses.pairing import figure\n"
        "png, _ = figure.raster_network(network(40, long=True), 'en', width_mm=83, font_pt=6.5)\n"
        "sys.stdout.write(hashlib.sha256(png).hexdigest())\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(BASE_DIR)}
        digests.add(
            subprocess.run(  # noqa: S603 - our own interpreter and code
                [sys.executable, "-c", code], cwd=BASE_DIR, env=env, check=True,
                capture_output=True, text=True,
            ).stdout
        )  # fmt: skip
    assert len(digests) == 1


def small_graph(graph: nx.Graph) -> figure.SmallGraph:
    small = figure.SmallGraph()
    for node, attributes in graph.nodes(data=True):
        small.add_node(node, **attributes)
    for a, b, attributes in graph.edges(data=True):
        small.add_edge(a, b, **attributes)
    return small


def test_the_layout_is_networkx_spring_layout_in_plain_python():
    for n, seed in ((2, 1), (9, 1), (30, 3)):
        graph = network(n, seed=n)
        nodes = sorted(graph, key=str)
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_edges_from(graph.edges(data=True))
        k = 1.6 / n**0.5
        expected = nx.spring_layout(sub, weight="weight", seed=seed, k=k, scale=None)
        index = {node: i for i, node in enumerate(nodes)}
        weights = {}
        for a, b, w in graph.edges(data="weight"):
            weights[index[a], index[b]] = weights[index[b], index[a]] = w

        found = figure.spring_positions(nodes, weights, k=k, seed=seed)

        for node, (x, y) in zip(nodes, found, strict=True):
            assert x == pytest.approx(expected[node][0], abs=1e-4)
            assert y == pytest.approx(expected[node][1], abs=1e-4)


def test_a_small_graph_draws_as_its_networkx_graph_does():
    graph = network(25, seed=4, long=True)
    graph.add_node("alone", name="Alone", group="")
    small = small_graph(graph)

    assert dict(small.degree(weight="weight")) == pytest.approx(dict(graph.degree(weight="weight")))
    assert [small.degree(n) for n in graph] == [graph.degree(n) for n in graph]
    assert sorted(map(sorted, figure._components(small))) == sorted(
        map(sorted, nx.connected_components(graph))
    )
    png, _layout = figure.raster_network(small, "en", width_mm=83, font_pt=6.5)
    assert png == figure.raster_network(graph, "en", width_mm=83, font_pt=6.5)[0]


def test_the_report_draws_its_network_without_networkx_or_numpy():
    code = (
        "import sys\n"
        "from workshops.businesses.pairing import figure\n"
        "graph = figure.SmallGraph()\n"
        "for i in range(12):\n"
        "    graph.add_node(i, name=f'Business {i}', group='')\n"
        "    graph.add_edge(i, (i * 5 + 1) % 12, weight=1.5)\n"
        "figure.raster_network(graph, 'en')\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'networkx', 'numpy', 'scipy'}))\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", code], cwd=BASE_DIR, capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONPATH": str(BASE_DIR)},
    )  # fmt: skip
    assert result.stdout.strip() == "[]"


def test_a_family_fontconfig_does_not_have_is_not_taken_for_a_stand_in():
    # fc-match answers every family, with some other font when it has none of that name; the
    # figure must then fall back to its next family, not measure names with a stand-in.
    assert glyphs.font_face("No Such Family Kraftverk") is None
    assert glyphs.font_face("noto sans") is not None  # families match regardless of case


def _order(layout: figure.Layout, nodes, axis: int) -> list[str]:
    return sorted(nodes, key=lambda n: layout.nodes[n][axis])


def test_figures_in_one_frame_put_each_business_in_the_same_place():
    end = network(14, seed=5)
    start = end.edge_subgraph(list(end.edges)[:6]).copy()  # the ties of the first day
    frame = figure.network_frame(end)
    common = sorted(start)

    _png, own = figure.raster_network(start, "en", width_mm=83, font_pt=6.5)
    _png, framed_start = figure.raster_network(start, "en", width_mm=83, font_pt=6.5, frame=frame)
    _png, framed_end = figure.raster_network(end, "en", width_mm=83, font_pt=6.5, frame=frame)

    for axis in (0, 1):
        # Left to right and bottom to top, the first day's businesses stand in the end's order.
        assert _order(framed_start, common, axis) == _order(framed_end, common, axis)
    # Laid out on its own, the small network would have its own places (the test can fail).
    assert any(_order(own, common, a) != _order(framed_end, common, a) for a in (0, 1))
    # The frame keeps room for the businesses still to come: the first day's do not fill it.
    xs = [framed_start.nodes[n][0] for n in common]
    end_xs = [framed_end.nodes[n][0] for n in common]
    assert max(xs) - min(xs) == pytest.approx(max(end_xs) - min(end_xs), rel=0.15)


def test_a_business_the_frame_lacks_gets_the_network_laid_out_on_its_own():
    end = network(8, seed=2)
    frame = figure.network_frame(end)
    other = network(9, seed=2)  # one business more than the frame knows

    _png, framed = figure.raster_network(other, "en", frame=frame)
    _png, own = figure.raster_network(other, "en")

    assert framed.nodes == own.nodes
