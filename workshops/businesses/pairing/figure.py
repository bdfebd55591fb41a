"""The partner network as a PNG or SVG figure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from io import BytesIO

import networkx as nx

from method import taxonomy
from workshops.businesses.pairing.ranking import build_graph
from workshops.businesses.pairing.scoring import Profile


def network_figure(
    graph_or_profiles: nx.Graph | Sequence[Profile],
    fmt: str = "png",
    lang: str = "nb",
    max_nodes: int = 80,
    seed: int = 1,
) -> bytes:
    """Draw the partner network (edge width by score, colour by sector) as PNG or SVG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import LineCollection
    from matplotlib.figure import Figure

    if fmt not in ("png", "svg"):
        raise ValueError("fmt must be 'png' or 'svg'")
    graph = (
        graph_or_profiles
        if isinstance(graph_or_profiles, nx.Graph)
        else build_graph(list(graph_or_profiles), keep=5)
    )
    if graph.number_of_nodes() > max_nodes:
        strength = dict(graph.degree(weight="weight"))
        keep = sorted(graph, key=lambda x: (-strength[x], str(x)))[:max_nodes]
        graph = graph.subgraph(keep)
    fig = Figure(figsize=(10, 8), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0.14, 1, 0.86))  # the legend goes below, clear of the labels
    ax.set_axis_off()
    if graph.number_of_nodes():
        pos = nx.spring_layout(graph, weight="weight", seed=seed, k=1.6 / math.sqrt(len(graph)))
        edges = list(graph.edges(data="weight", default=1.0))
        if edges:
            top = max(w for _, _, w in edges) or 1.0
            ax.add_collection(
                LineCollection(
                    [(pos[a], pos[b]) for a, b, _ in edges],
                    linewidths=[0.5 + 4.5 * w / top for _, _, w in edges],
                    colors="#7a8794",
                    alpha=0.6,
                    zorder=1,
                )
            )
        group_names = sorted({graph.nodes[x].get("group", "") for x in graph})
        palette = [
            "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
            "#000000", "#999999", "#882255", "#44aa99", "#117733", "#332288", "#aa4499", "#ddcc77",
        ]  # fmt: skip
        colour = {g: palette[k % len(palette)] for k, g in enumerate(group_names)}
        for group in group_names:
            nodes = [x for x in graph if graph.nodes[x].get("group", "") == group]
            ax.scatter(
                [pos[x][0] for x in nodes],
                [pos[x][1] for x in nodes],
                s=260,
                c=colour[group],
                edgecolors="white",
                linewidths=1.5,
                zorder=2,
                label=taxonomy.group_label(group, lang) if group else "?",
            )
        for x in graph:
            ax.annotate(
                str(graph.nodes[x].get("name", x)),
                pos[x],
                xytext=(0, 11),
                textcoords="offset points",
                ha="center",
                fontsize=8,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
            )
        fig.legend(loc="lower center", ncol=4, fontsize=8, frameon=False)
        ax.margins(0.12)
    buffer = BytesIO()
    fig.savefig(buffer, format=fmt)
    return buffer.getvalue()
