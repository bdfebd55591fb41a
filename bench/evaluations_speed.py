"""Time the evaluation results page and the answering API.

1. A results page of 12 charts for 500 responses: the page and its 12 PNGs, cold (nothing
   cached) and warm (the chart cache full). Aim: warm <= 300 ms, cold <= 3 s.
2. A burst of 300 respondents posting Form A to the API from 8 threads against the app served
   as `make run` serves it (gunicorn, 2 gthread workers of 4 threads: tests/serverkit.py) on a
   file SQLite database: answers per second. The baseline is a bare Flask + SQLite insert of the
   same rows (bench/bare_answer.py) under the same gunicorn command, so the ratio says what the
   app's rules cost.

Run from the repository root: python -m bench.evaluations_speed
"""

from __future__ import annotations

import json
import os
import random
import statistics
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.serverkit import app_env, serving

RESPONSES = 500
BURST = 300
THREADS = 8
REPEATS = 3


def _app(folder: Path):
    from tests.conftest import make_app

    return make_app(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite3")


def _setup(app, responses_wanted: int):
    """A project, a workshop whose Form A has 12 charted questions, and answers."""
    from app.auth.models import User
    from app.extensions import db
    from evaluations import builder, responses
    from workshops.programme.models import Step, Workshop
    from workshops.projects import service as projects

    db.create_all()
    user = User(email="bench@example.org", name="Bench", can_create_projects=True)
    user.set_password("bench-password")
    db.session.add(user)
    db.session.flush()
    project = projects.create(projects.ProjectData(slug="bench", name="Bench"), leaders=[user])
    workshop = Workshop(project=project, title="W1", join_code="BEN234", template_key="W1")
    for n, title in enumerate(["Velkommen", "Møt noen nye", "Tilbud og behov", "Vevet"]):
        workshop.steps.append(Step(position=n, key=f"W1.{n + 1}", title=title))
    db.session.add(workshop)
    db.session.flush()
    form = builder.from_template(project, "A", workshop=workshop, language="en")
    # Form A charts 10 questions; two more scales make the 12 of the page.
    builder.add_question(form, "scale", "How clear was the programme?", required=True)
    builder.add_question(form, "scale", "How good was the food?", scale_set="satisfied")
    builder.set_status(form, "open")
    db.session.commit()
    rng = random.Random(5)  # noqa: S311 - benchmark data
    for n in range(responses_wanted):
        checked, problems = responses.check(form, draw(form, rng))
        assert not problems, problems
        responses.submit(form, checked, f"bench-device-{n:06d}", responses.local_today("UTC"))
    db.session.commit()
    return form.id, form.token


def draw(form, rng: random.Random) -> dict:
    """Plausible answers to every question of the form."""
    answers: dict = {}
    for q in form.questions:
        options = list(q.options)
        if q.type == "text":
            if rng.random() < 0.3:
                answers[str(q.id)] = rng.choice(["Mer tid", "Bra!", "Kaffe", "Nye kontakter"])
        elif q.type == "scale":
            answers[str(q.id)] = rng.choices([1, 2, 3, 4, 5], [1, 2, 4, 6, 4])[0]
        elif q.type == "multiple":
            plain = [o for o in options if not o.exclusive]
            picked = rng.sample(plain, rng.randint(1, min(3, len(plain))))
            answers[str(q.id)] = [str(o.id) for o in picked]
        else:
            answers[str(q.id)] = str(rng.choice(options).id)
    return answers


def results_page(folder: Path) -> tuple[float, float, int]:
    """Median cold and warm times (ms) of the page plus its chart images."""
    from app.extensions import db
    from evaluations.routes import chart_cache

    app = _app(folder)
    with app.app_context():
        form_id, _token = _setup(app, RESPONSES)
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": "bench-password"})
        url = f"/projects/bench/evaluations/{form_id}/results?lang=en"

        def load() -> int:
            page = client.get(url).get_data(as_text=True)
            images = [
                part.split('"', 1)[0].replace("&amp;", "&") for part in page.split('<img src="')[1:]
            ]
            for image in images:
                assert client.get(image).status_code == 200
            return len(images)

        cold, warm = [], []
        charts = 0
        for _ in range(REPEATS):
            cache = chart_cache()
            cache.clear_memory()
            for path in (cache.folder or Path("/nonexistent")).glob("*"):
                path.unlink()
            start = time.perf_counter()
            charts = load()
            cold.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            load()
            warm.append((time.perf_counter() - start) * 1000)
        db.session.remove()
        db.engine.dispose()
    return statistics.median(cold), statistics.median(warm), charts


def _burst(url_for_device, body_for_device, count: int) -> float:
    """Answers per second for `count` POSTs from THREADS threads."""

    def send(n: int) -> int:
        request = urllib.request.Request(
            url_for_device(n),
            data=json.dumps(body_for_device(n)).encode(),
            headers={"Content-Type": "application/json", "X-Device": f"burst-device-{n:08d}"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                return reply.status
        except urllib.error.HTTPError as error:
            return error.code

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(send, range(count)))
    elapsed = time.perf_counter() - start
    assert statuses.count(201) == count, {s: statuses.count(s) for s in set(statuses)}
    return count / elapsed


def api_burst(folder: Path) -> float:
    """Answers per second the evaluation API takes in a burst."""
    from app.extensions import db
    from evaluations.models import EvaluationForm

    app = _app(folder)
    with app.app_context():
        _form_id, token = _setup(app, 0)
        form = db.session.scalar(db.select(EvaluationForm).where(EvaluationForm.token == token))
        rng = random.Random(9)  # noqa: S311 - benchmark data
        bodies = [{"answers": draw(form, rng)} for _ in range(BURST)]
        db.session.remove()
        db.engine.dispose()
    env = app_env(folder, f"sqlite:///{folder}/bench.sqlite3")
    with serving(env, folder) as server:
        url = f"http://127.0.0.1:{server.port}/api/v1/evaluations/{token}"
        return _burst(lambda n: url, lambda n: bodies[n], BURST)


def bare_burst(folder: Path) -> float:
    """Baseline: a bare Flask app inserting one row per POST into SQLite (WAL)."""
    from bench.bare_answer import create_schema

    path = folder / "bare.sqlite3"
    create_schema(str(path))
    env = dict(os.environ, BARE_DATABASE=str(path))
    with serving(env, folder, "bench.bare_answer:app") as server:
        url = f"http://127.0.0.1:{server.port}/answer"
        return _burst(lambda n: url, lambda n: {"answers": {"1": n}}, BURST)


def main() -> None:
    """Print one line per figure with its ratio."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "page").mkdir()
        (folder / "api").mkdir()
        (folder / "bare").mkdir()
        cold, warm, charts = results_page(folder / "page")
        bare = bare_burst(folder / "bare")
        api = api_burst(folder / "api")
    print(
        f"results page, {charts} charts, {RESPONSES} responses: cold {cold:7.1f} ms  "
        f"(aim 3000 ms, ratio {cold / 3000:.2f})"
    )
    print(
        f"results page, {charts} charts, {RESPONSES} responses: warm {warm:7.1f} ms  "
        f"(aim 300 ms, ratio {warm / 300:.2f}; cold/warm {cold / warm:.1f}x)"
    )
    print(
        f"bare Flask+SQLite insert burst (gunicorn as make run), {BURST} posts, {THREADS} threads: "
        f"{bare:7.1f} answers/s (baseline, ratio 1.00)"
    )
    print(
        f"evaluation API burst (gunicorn as make run), {BURST} respondents, {THREADS} threads: "
        f"{api:7.1f} answers/s (ratio {api / bare:.2f} of the bare insert)"
    )


if __name__ == "__main__":
    main()
