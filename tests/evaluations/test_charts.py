"""Evaluation charts: honest slices and bars, readable labels, text kept as text, thread-safe."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import matplotlib
import pytest
from matplotlib.patches import Rectangle, Wedge

from evaluations.charts import (
    ChartData,
    Summary,
    build_figure,
    cache_key,
    data_table,
    kind_for,
    make_subtitle,
    render,
    summarise,
    too_few,
)

USEFUL = ChartData(
    title="How useful was this workshop?",
    kind="pie",
    labels=["Not useful", "Slightly useful", "Fairly useful", "Useful", "Very useful"],
    counts=[0, 2, 5, 11, 7],
    respondents=25,
    subtitle="n = 25 · response rate 83 % · 2025-03-04",
    ordinal=True,
)
# One big slice and many of 1-2 %: the labels crowd together unless spread.
ORG_TYPE = ChartData(
    title="What kind of business do you come from?",
    kind="pie",
    labels=[
        "Accommodation",
        "Food and drink",
        "Guiding, activities",
        "Culture, heritage",
        "Crafts, design",
        "Transport",
        "Other",
        "Public body",
        "Idea stage",
    ],
    counts=[80, 1, 2, 1, 2, 1, 1, 2, 1],
    respondents=91,
)
BEST = ChartData(
    title="Which parts gave you most?",
    kind="bar",
    labels=["Welcome", "Meet someone new", "Offer and need", "None"],
    counts=[5, 14, 9, 0],
    respondents=20,
)
SVG = "{http://www.w3.org/2000/svg}"


def pie_wedges(chart: ChartData) -> list[Wedge]:
    axes = build_figure(chart).axes[0]
    return [patch for patch in axes.patches if isinstance(patch, Wedge) and patch.get_fill()]


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def overlaps(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_png_output_starts_with_the_png_signature():
    assert render(USEFUL, "png").startswith(b"\x89PNG\r\n\x1a\n")


def test_svg_keeps_question_and_labels_as_selectable_text():
    texts = svg_texts(render(USEFUL, "svg"))

    assert "How useful was this workshop?" in texts
    assert "Very useful" in texts
    assert "7 (28 %)" in texts


def test_svg_text_setting_does_not_leak_into_global_settings():
    before = matplotlib.rcParams["svg.fonttype"]

    render(USEFUL, "svg")

    assert matplotlib.rcParams["svg.fonttype"] == before


def test_dollar_signs_in_options_stay_literal_text():
    chart = ChartData("Price per guest?", "pie", ["$5 or less", "$10"], [3, 4], 7)

    assert "$5 or less" in svg_texts(render(chart, "svg"))


def test_pie_slices_are_sized_by_the_counts():
    spans = [wedge.theta2 - wedge.theta1 for wedge in pie_wedges(USEFUL)]

    assert spans == pytest.approx([360 * n / 25 for n in (2, 5, 11, 7)])


def test_pie_slices_keep_option_order_clockwise_from_the_top_not_size():
    chart = ChartData("Pace?", "pie", ["Too slow", "About right", "Too fast"], [1, 9, 4], 14)

    wedges = pie_wedges(chart)

    assert wedges[0].theta2 == pytest.approx(90)
    for earlier, later in itertools.pairwise(wedges):
        assert later.theta2 == pytest.approx(earlier.theta1)
    assert [w.theta2 - w.theta1 for w in wedges] == pytest.approx(
        [360 / 14, 360 * 9 / 14, 360 * 4 / 14]
    )


def test_zero_count_options_are_left_out_of_the_pie_but_kept_in_the_table():
    labels = [text.get_text().split("\n")[0] for text in build_figure(USEFUL).axes[0].texts]

    assert "Not useful" not in labels
    assert len(pie_wedges(USEFUL)) == 4
    assert data_table(USEFUL) == [
        ("Not useful", 0, 0.0),
        ("Slightly useful", 2, 8.0),
        ("Fairly useful", 5, 20.0),
        ("Useful", 11, 44.0),
        ("Very useful", 7, 28.0),
    ]


def test_each_slice_label_shows_option_count_and_percentage():
    labels = [text.get_text() for text in build_figure(USEFUL).axes[0].texts]

    assert labels == [
        "Slightly useful\n2 (8 %)",
        "Fairly useful\n5 (20 %)",
        "Useful\n11 (44 %)",
        "Very useful\n7 (28 %)",
    ]


def test_labels_of_many_small_slices_do_not_overlap_and_stay_on_the_figure():
    figure = build_figure(ORG_TYPE)
    renderer = figure.canvas.get_renderer()
    figure.draw(renderer)
    boxes = [text.get_window_extent(renderer) for text in figure.axes[0].texts]
    page = figure.bbox

    assert len(boxes) == 9
    assert [(a, b) for a, b in itertools.combinations(boxes, 2) if overlaps(a, b)] == []
    assert all(page.x0 <= b.x0 and b.x1 <= page.x1 and page.y0 <= b.y0 for b in boxes)
    title = figure.texts[1].get_window_extent(renderer)  # the subtitle, lowest of the header
    assert all(b.y1 < title.y0 for b in boxes)


def test_single_option_fills_the_pie_with_one_label():
    chart = ChartData("Will you come next time?", "pie", ["Yes", "No"], [12, 0], 12)

    assert [w.theta2 - w.theta1 for w in pie_wedges(chart)] == pytest.approx([360])
    assert [t.get_text() for t in build_figure(chart).axes[0].texts] == ["Yes\n12 (100 %)"]


def test_bars_show_share_of_respondents_and_may_add_up_past_100():
    axes = build_figure(BEST).axes[0]
    bars = [patch for patch in axes.patches if isinstance(patch, Rectangle)]

    assert [bar.get_width() for bar in bars] == pytest.approx([25, 70, 45, 0])
    assert sum(bar.get_width() for bar in bars) > 100
    assert [t.get_text() for t in axes.texts] == ["5 (25 %)", "14 (70 %)", "9 (45 %)", "0 (0 %)"]
    assert data_table(BEST)[1] == ("Meet someone new", 14, 70.0)


def test_bars_keep_option_order_from_top_to_bottom():
    axes = build_figure(BEST).axes[0]

    labels = sorted(
        axes.get_yticklabels(), key=lambda t: -axes.transData.transform(t.get_position())[1]
    )

    assert [t.get_text() for t in labels] == [
        "Welcome",
        "Meet someone new",
        "Offer and need",
        "None",
    ]


def test_rendering_in_two_threads_at_once_gives_the_same_images_as_alone():
    before = matplotlib.rcParams["svg.fonttype"]
    jobs = [(USEFUL, "png"), (ORG_TYPE, "svg"), (BEST, "png"), (BEST, "svg")] * 2
    alone = [render(chart, fmt) for chart, fmt in jobs]

    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(lambda job: render(*job), jobs))

    assert together == alone
    assert matplotlib.rcParams["svg.fonttype"] == before


def test_fewer_than_five_respondents_are_too_few_to_show():
    assert [too_few(n) for n in (0, 4, 5, 30)] == [True, True, False, False]
    assert too_few(7, threshold=10)


def test_summary_counts_single_scale_and_multiple_answers_in_option_order():
    assert summarise("single", ["yes", "no", "unsure"], ["no", "yes", None, "no"]) == Summary(
        (1, 2, 0), 3
    )
    assert summarise("scale", ["1", "2", "3", "4", "5"], [5, 4, "4", None]) == Summary(
        (0, 0, 0, 2, 1), 3
    )
    assert summarise("multiple", ["a", "b", "none"], [["a", "b"], ["b"], [], ["none"]]) == Summary(
        (1, 2, 1), 3
    )


def test_summary_refuses_unknown_options_and_text_questions():
    with pytest.raises(ValueError, match="not one of the options"):
        summarise("single", ["yes", "no"], ["maybe"])
    with pytest.raises(ValueError, match="listed"):
        summarise("text", [], ["Great day"])


def test_question_types_map_to_pies_bars_or_lists():
    assert [kind_for(t) for t in ("single", "yesno", "scale", "multiple", "text")] == [
        "pie",
        "pie",
        "pie",
        "bar",
        None,
    ]


def test_subtitle_states_n_response_rate_and_date():
    assert make_subtitle(23, invited=30, day="2025-03-04", rate_label="svarprosent") == (
        "n = 23 · svarprosent 77 % · 2025-03-04"
    )
    assert make_subtitle(8) == "n = 8"


def test_cache_key_is_stable_and_follows_the_data():
    same = ChartData(**{**USEFUL.__dict__, "labels": list(USEFUL.labels)})
    changed = ChartData(**{**USEFUL.__dict__, "counts": [1, 2, 5, 11, 7]})

    assert cache_key(USEFUL) == cache_key(same)
    assert cache_key(USEFUL) != cache_key(changed)


def test_chart_data_refuses_inconsistent_input():
    with pytest.raises(ValueError, match="length"):
        ChartData("Q", "pie", ["a", "b"], [1], 1)
    with pytest.raises(ValueError, match="more votes than respondents"):
        ChartData("Q", "bar", ["a"], [3], 2)
    with pytest.raises(ValueError, match="kind"):
        ChartData("Q", "donut", ["a"], [1], 1)
