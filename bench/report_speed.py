"""Time the method report: the demo project, and a big one at a quarter and at full size.

The big project has 5 workshops with the default programme's steps, 1,000 ideas, 200 businesses,
400 connections, 20 ecosystems and 500 evaluation responses (100 per workshop's Form A). Each line
gives the seconds to assemble and render the PDF (median of a few runs for the demo), its pages,
the PDF's size, the process's peak memory so far, and the ratio to the floor: a fresh Python
process in which WeasyPrint lays out the same PDF's text as plain paragraphs.

Run from the repository root: python -m bench.report_speed
"""

from __future__ import annotations

import random
import resource
import secrets
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from app import create_app
from app.extensions import db
from app.reports import data, render
from config import Config
from evaluations import builder
from workshops.businesses.models import Business, Connection, Ecosystem
from workshops.ideas.models import Idea
from workshops.live.models import Participant
from workshops.programme.models import Step, Workshop
from workshops.projects import service as projects
from workshops.projects.models import Project

DEMO_REPEATS = 2
FULL = {"ideas": 1000, "businesses": 200, "responses": 500, "connections": 400, "ecosystems": 20}
SCALES = (0.25, 1.0)
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
    from evaluations.models import Answer, Response

    for _ in range(count):
        response = Response(
            id=secrets.token_hex(16), form_id=form.id, submitted_on=date(2026, 3, 1)
        )
        db.session.add(response)
        for question in form.questions:
            if question.type == "text":
                if rng.random() < 0.3:
                    db.session.add(
                        Answer(
                            response_id=response.id, question_id=question.id, text=_sentence(rng)
                        )
                    )
            elif question.options:
                picks = rng.sample(question.options, k=1 if question.type != "multiple" else 2)
                for item, option in enumerate(picks):
                    db.session.add(
                        Answer(
                            response_id=response.id,
                            question_id=question.id,
                            item=item,
                            option_id=option.id,
                        )
                    )


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
    for position, template in enumerate(catalogue.workshop_templates()):
        workshop = Workshop(
            project=project,
            position=position,
            template_key=template.key,
            title=template.title.get("nb"),
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


def _render(project) -> bytes:
    lang = project.language
    return render.report_pdf(data.assemble(project, lang), lang)


# The floor: a fresh Python process in which WeasyPrint lays out the report's own text as plain
# paragraphs (the text read back from the PDF). The report's time is compared with it.
FLOOR = """
import html, sys
from weasyprint import HTML
paragraphs = [p.strip() for p in open(sys.argv[1], encoding="utf-8") if p.strip()]
body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
HTML(string=f"<html><body>{body}</body></html>").write_pdf()
"""


def floor_seconds(pdf: bytes) -> float:
    """Seconds a fresh process takes to lay out the PDF's text as plain paragraphs."""
    import subprocess
    import sys
    from io import BytesIO

    from pypdf import PdfReader

    text = "\n".join(page.extract_text() or "" for page in PdfReader(BytesIO(pdf)).pages)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR, handle.name], check=True)  # noqa: S603
        return time.perf_counter() - start


def _pages(pdf: bytes) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(PdfReader(BytesIO(pdf)).pages)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _line(name: str, seconds: float, pdf: bytes, base: float) -> None:
    floor = floor_seconds(pdf)
    print(
        f"{name:24} {seconds:6.2f} s  {_pages(pdf):3d} pages  pdf {len(pdf) / 2**20:5.2f} MB  "
        f"peak memory {_peak_mb():6.0f} MB  ratio to demo {seconds / base:5.2f}  "
        f"floor {floor:5.2f} s  ratio to floor {seconds / floor:5.2f}"
    )


def main() -> None:
    """Render the demo's report and the big project's at two sizes; print a line for each."""
    with tempfile.TemporaryDirectory() as folder:
        app = _app(Path(folder))
        with app.app_context():
            db.create_all()
            from app import demo

            demo.ensure()
            demo_project = db.session.scalar(db.select(Project).where(Project.slug == "demo"))
            _render(demo_project)  # fonts, templates and chart images warm outside the timing
            times = []
            for _ in range(DEMO_REPEATS):
                start = time.perf_counter()
                pdf = _render(demo_project)
                times.append(time.perf_counter() - start)
            base = statistics.median(times)
            _line("demo (baseline)", base, pdf, base)
            for scale in SCALES:
                project = build_big(f"big-{int(scale * 100)}", scale)
                start = time.perf_counter()
                pdf = _render(project)
                seconds = time.perf_counter() - start
                ideas = round(FULL["ideas"] * scale)
                _line(f"big x{scale:<4} ({ideas} ideas)", seconds, pdf, base)
            db.session.remove()
            db.drop_all()


if __name__ == "__main__":
    main()
