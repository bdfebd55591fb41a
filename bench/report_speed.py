"""Time the report command as an operator runs it: the demo project and a large one.

Each report is made anew (the PDFs the app keeps deleted first) by `flask --app run report` in a
fresh process, its start included, against a database made in a temporary folder. The floor,
measured in the same run right after it: a fresh Python process in which WeasyPrint lays out the
same PDF's text as plain paragraphs, one per line as its pages show it. Each line gives the
wall-clock seconds (medians of a few runs for the demo), the floor's and the ratio,
the same for CPU seconds (steadier on a busy machine), the pages and the PDF's size; the first
and last lines give the machine's load.

The large project has 10 workshops (the default programme's five, twice), 1,000 ideas, 200
businesses, 400 connections, 20 ecosystems and 500 evaluation responses (50 per workshop's
Form A). A last line runs the command on the large project again: unchanged data, so the PDF
the app kept is written (its bytes compared with the first).

The app's modules are compiled ahead first, as `make run` and `make bench` have them (`make
bytecode`); where PYTHONDONTWRITEBYTECODE is set, the command would otherwise compile them at
every start.

Run from the repository root: python -m bench.report_speed (--demo: the demo's line only, a
quicker check while working on the report).
"""

from __future__ import annotations

import os
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from io import BytesIO
from pathlib import Path

from app import create_app
from app.extensions import db
from config import BASE_DIR, Config
from evaluations import builder
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme.models import Step, Workshop
from workshops.projects import service as projects

DEMO_REPEATS = 3
FULL = {"ideas": 1000, "businesses": 200, "responses": 500, "connections": 400, "ecosystems": 20}
WORKSHOPS = 10
WORDS = [
    "kanal",
    "padling",
    "middag",
    "konsert",
    "sider",
    "geit",
    "smie",
    "ull",
    "båt",
    "buss",
    "museum",
    "frokost",
    "vinter",
    "sommer",
    "familie",
    "par",
    "guide",
    "kart",
    "helg",
    "marked",
    "scene",
    "lokal",
    "mat",
    "historie",
    "natur",
    "sykkel",
]
TAGS = ("accommodation", "meals", "local_food", "guided_tour", "live_performance", "venue")
SECTORS = ("55.10", "56.10", "93.29", "90.01", "91.02", "25.50", "14.39", "50.30", "79.12")


def _app(folder: Path):
    class BenchConfig(Config):
        SECRET_KEY = "bench-only"  # noqa: S105 - a throwaway database
        INSTANCE_PATH = folder / "instance"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{folder}/bench.sqlite3"
        DEMO_PASSWORD = "bench-password"  # noqa: S105 - a throwaway database

    return create_app(BenchConfig)


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 18))).capitalize()


def _responses(form, count: int, rng: random.Random) -> None:
    from evaluations import store

    made = []
    for _ in range(count):
        answers = []
        for question in form.questions:
            if question.type == "text":
                if rng.random() < 0.3:
                    answers.append(store.StoredAnswer(question.id, text=_sentence(rng)))
            elif question.options:
                picks = rng.sample(question.options, k=1 if question.type != "multiple" else 2)
                answers.extend(store.StoredAnswer(question.id, option.id) for option in picks)
        made.append(store.StoredResponse(store.new_id(), date(2026, 3, 1), tuple(answers)))
    store.add(form.id, made)


def build_big(slug: str, scale: float, seed: int = 3) -> object:
    """Create the big project at a fraction of its full size; return it."""
    from method import catalogue

    rng = random.Random(seed)
    n = {kind: max(1, round(count * scale)) for kind, count in FULL.items()}
    project = projects.create(
        projects.ProjectData(
            slug=slug,
            name=f"Stor prosess {slug}",
            municipality="Storevik kommune",
            targets={"ideas": n["ideas"], "businesses": n["businesses"]},
        ),
        leaders=[],
    )
    businesses = [
        Business(
            project=project,
            name=f"Bedrift {i:03d} {rng.choice(WORDS)}",
            sector=rng.choice(SECTORS),
            offers=rng.sample(TAGS, 2),
            needs=rng.sample(TAGS, 2),
        )
        for i in range(n["businesses"])
    ]
    db.session.add_all(businesses)
    workshops = []
    templates = catalogue.workshop_templates()
    for position in range(WORKSHOPS):
        template = templates[position % len(templates)]
        round_ = f" ({position // len(templates) + 1})" if position >= len(templates) else ""
        workshop = Workshop(
            project=project,
            position=position,
            template_key=template.key,
            title=template.title.get("nb") + round_,
            starts_at=datetime(2026, 1, 14, 7) + timedelta(weeks=4 * position),
            status="closed",
            join_code=f"{slug[:2].upper()}{position}{rng.randint(100, 999)}"[:6],
        )
        db.session.add(workshop)
        steps = [
            Step(
                workshop=workshop,
                position=k,
                key=step.key,
                title=step.title.get("nb"),
                minutes=step.minutes or 10,
                collects=list(step.collects),
            )
            for k, step in enumerate(template.steps)
        ]
        db.session.add_all(steps)
        workshops.append((workshop, steps))
    db.session.flush()
    for workshop, _steps in workshops:
        for device in range(min(40, n["businesses"])):
            db.session.add(Participant(workshop_id=workshop.id, device=f"d-{device}"))
    for i in range(n["ideas"]):
        workshop, steps = workshops[i % len(workshops)]
        idea_steps = [s for s in steps if any(c.startswith("ideas") for c in s.collects)]
        db.session.add(
            Idea(
                workshop_id=workshop.id,
                step_id=rng.choice(idea_steps).id if idea_steps else None,
                text=_sentence(rng),
                hidden_at=datetime(2026, 1, 14, 9) if i % 97 == 0 else None,
            )
        )
    pairs = set()
    while len(pairs) < min(n["connections"], len(businesses) * (len(businesses) - 1) // 2):
        a, b = sorted(rng.sample(range(len(businesses)), 2))
        pairs.add((a, b))
    for a, b in sorted(pairs):
        db.session.add(
            Connection(
                project_id=project.id,
                a=businesses[a],
                b=businesses[b],
                status=rng.choice(("suggested", "introduced", "met", "collaborating")),
            )
        )
    for i in range(n["ecosystems"]):
        db.session.add(
            Ecosystem(
                project_id=project.id,
                name=f"Økosystem {i + 1}",
                product=_sentence(rng),
                status="testing",
                members=rng.sample(businesses, min(4, len(businesses))),
            )
        )
    db.session.flush()
    for workshop, _steps in workshops:
        form = builder.from_template(project, "A", workshop=workshop)
        form.status = "closed"
        db.session.flush()
        _responses(form, n["responses"] // len(workshops), rng)
    db.session.commit()
    return project


# The floor: a fresh Python process in which WeasyPrint lays out the report's own text as plain
# paragraphs, one per line as the pages show it (read back from the PDF by position, so the floor
# does not depend on the order in which the report's cells are drawn: read in drawing order, a
# table drawn column by column gives a line per cell, drawn row by row a line per row). The
# report's time is compared with it.
FLOOR = """
import html, sys
from weasyprint import HTML
paragraphs = [p.strip() for p in open(sys.argv[1], encoding="utf-8") if p.strip()]
body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
HTML(string=f"<html><body>{body}</body></html>").write_pdf()
"""


# The Makefile's PACKAGES: the app's own modules, which `make bytecode` compiles ahead.
APP_SOURCES = ("app", "method", "workshops", "evaluations", "config.py", "run.py")


def compile_app() -> None:
    """Compile the app's modules as `make bytecode` does (only files changed since are redone)."""
    subprocess.run(  # noqa: S603 - our own interpreter and the standard library's compiler
        [sys.executable, "-m", "compileall", "-q", *APP_SOURCES],
        cwd=BASE_DIR,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _environment(folder: Path) -> dict[str, str]:
    """The report command's environment: the bench's database and instance folder."""
    env = dict(os.environ)
    env.update(
        KRAFTVERK_INSTANCE=str(folder / "instance"),
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        PYTHONPATH=str(BASE_DIR),
    )
    return env


def _timed(command: list[str], **options) -> tuple[float, float]:
    """Run command; its wall-clock seconds and its CPU seconds (user and system)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, **options)  # noqa: S603 - our own interpreter
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def report_seconds(folder: Path, slug: str, *, kept: bool = False) -> tuple[float, float, bytes]:
    """Wall and CPU seconds of `flask --app run report` in a fresh process, and its PDF.

    The PDFs the app keeps are deleted first unless kept is true: the report is made anew.
    """
    if not kept:
        with sqlite3.connect(folder / "bench.sqlite3") as connection:
            connection.execute("DELETE FROM pdf_cache")
    output = folder / f"{slug}.pdf"
    command = [sys.executable, "-m", "flask", "--app", "run", "report", "--project", slug]
    wall, cpu = _timed(
        [*command, "--output", str(output)],
        cwd=BASE_DIR,
        env=_environment(folder),
        stdout=subprocess.DEVNULL,
    )
    return wall, cpu, output.read_bytes()


def floor_seconds(pdf: bytes, folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds a fresh process takes to lay out the PDF's text as paragraphs, one
    per line of its pages (runs of spaces closed up)."""
    from pypdf import PdfReader

    text_file = folder / "floor.txt"
    reader = PdfReader(BytesIO(pdf))
    lines = (
        " ".join(line.split())
        for page in reader.pages
        for line in (page.extract_text(extraction_mode="layout") or "").splitlines()
    )
    text_file.write_text("\n".join(line for line in lines if line), "utf-8")
    return _timed([sys.executable, "-c", FLOOR, str(text_file)])


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _c in runs), statistics.median(c for _w, c in runs)


def _pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def _line(name: str, report: tuple[float, float], floor: tuple[float, float], pdf: bytes) -> None:
    print(
        f"{name:34} {report[0]:6.2f} s  floor {floor[0]:5.2f} s  ratio to floor "
        f"{report[0] / floor[0]:5.2f}  (CPU {report[1]:5.2f} s / {floor[1]:5.2f} s = "
        f"{report[1] / floor[1]:4.2f})  {_pages(pdf):3d} pages  pdf {len(pdf) / 2**20:5.2f} MB",
        flush=True,
    )


def _load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv: list[str] | None = None) -> None:
    """Make the demo's and the large project's report by the command; print a line for each."""
    demo_only = "--demo" in (sys.argv[1:] if argv is None else argv)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        app = _app(folder)
        with app.app_context():
            db.create_all()
            from app import demo

            demo.ensure()
            if not demo_only:
                build_big("big", 1.0)
            db.session.remove()
        compile_app()
        print(_load(), flush=True)
        report_seconds(folder, "demo")  # the disk cache warm outside the timings
        runs = [report_seconds(folder, "demo") for _ in range(DEMO_REPEATS)]
        pdf = runs[0][2]
        floors = [floor_seconds(pdf, folder) for _ in range(DEMO_REPEATS)]
        _line(
            f"demo (medians of {DEMO_REPEATS})",
            _median([(w, c) for w, c, _pdf in runs]),
            _median(floors),
            pdf,
        )
        if demo_only:
            print(_load(), flush=True)
            return
        wall, cpu, pdf = report_seconds(folder, "big")
        _line(
            f"large ({FULL['ideas']} ideas, {WORKSHOPS} workshops)",
            (wall, cpu),
            floor_seconds(pdf, folder),
            pdf,
        )
        wall, _cpu, kept = report_seconds(folder, "big", kept=True)
        print(
            f"{'large, PDF kept':34} {wall:6.2f} s  (the command again, data unchanged: "
            f"{'the same bytes' if kept == pdf else 'DIFFERENT bytes'})",
            flush=True,
        )
        print(_load(), flush=True)
        with app.app_context():
            db.drop_all()


if __name__ == "__main__":
    main()
