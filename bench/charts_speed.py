"""Time the evaluation charts: 12 charts (pies and bars) from 500 answers, as PNG and as SVG.

Run from the repository root: python -m bench.charts_speed
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable

from evaluations.charts import ChartData, kind_for, make_subtitle, render, summarise
from method.evaluation_templates import QuestionTemplate, build_form

RESPONSES = 500
INVITED = 620
REPEATS = 3
# The steps participants may pick in "Which parts gave you most?", per workshop (METHOD.md).
WORKSHOP_STEPS = {
    "W1": [
        "Welcome",
        "Meet someone new",
        "Offer and need",
        "Cooperation that worked",
        "Our web",
        "First joint ideas",
    ],
    "W2": ["Mirror", "Guest journey", "Four realms", "Bold ideas", "Clusters", "Marketplace"],
    "W3": [
        "Groups",
        "Speed meetings",
        "Who is it for?",
        "Help from the room",
        "Roles and money",
        "15 % and a test",
    ],
}


def answers_for(question: QuestionTemplate, rng: random.Random) -> list[object]:
    """Draw plausible answers: skewed towards some options, a few skipped."""
    keys = [option.key for option in question.options]
    weights = [rng.uniform(0.2, 3.0) for _ in keys]
    drawn: list[object] = []
    for _ in range(RESPONSES):
        if rng.random() < 0.04:
            drawn.append(None)
        elif question.type == "multiple":
            drawn.append(sorted(set(rng.choices(keys[:-1], weights[:-1], k=rng.randint(1, 3)))))
        elif question.type == "scale":
            drawn.append(int(rng.choices(keys, weights)[0]))
        else:
            drawn.append(rng.choices(keys, weights)[0])
    return drawn


def sample_charts() -> list[tuple[str, ChartData]]:
    """Build Form A's nine pies and the "which parts" bars for three workshops."""
    rng = random.Random(7)
    charts = []
    for workshop, titles in WORKSHOP_STEPS.items():
        steps = [(f"{workshop}.{i}", title) for i, title in enumerate(titles, start=1)]
        for question in build_form("A", "en", steps).questions:
            kind = kind_for(question.type)
            if kind is None or (workshop != "W1" and kind == "pie"):
                continue
            summary = summarise(
                question.type, [o.key for o in question.options], answers_for(question, rng)
            )
            chart = ChartData(
                title=question.text["en"],
                kind=kind,
                labels=[option.text["en"] for option in question.options],
                counts=summary.counts,
                respondents=summary.respondents,
                subtitle=make_subtitle(summary.respondents, INVITED, "2025-03-04"),
                ordinal=question.type == "scale",
            )
            charts.append((f"{workshop}.{question.key}", chart))
    return charts


def timed(action: Callable[[], bytes]) -> tuple[float, int]:
    """Return the median time in milliseconds over REPEATS runs and the output size."""
    times, size = [], 0
    for _ in range(REPEATS):
        start = time.perf_counter()
        size = len(action())
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), size


def main() -> None:
    """Render every sample chart as PNG and SVG and print one line per chart and a total."""
    render(sample_charts()[0][1])  # warm the font cache outside the timings
    charts = sample_charts()
    total_png = total_svg = 0.0
    print(f"{len(charts)} charts, {RESPONSES} responses each, median of {REPEATS} runs")
    for name, chart in charts:
        png_ms, png_size = timed(lambda chart=chart: render(chart, "png"))
        svg_ms, svg_size = timed(lambda chart=chart: render(chart, "svg"))
        total_png += png_ms
        total_svg += svg_ms
        print(
            f"{name:14} {chart.kind:4} options={len(chart.labels):2}  "
            f"png {png_ms:6.1f} ms {png_size / 1024:6.1f} KB  "
            f"svg {svg_ms:6.1f} ms {svg_size / 1024:6.1f} KB"
        )
    print(f"{'total':14} {'':4} {'':10}  png {total_png:6.1f} ms {'':9}  svg {total_svg:6.1f} ms")


if __name__ == "__main__":
    main()
