"""Time the evaluation results page and the answering API.

1. A results page of 12 charts for 500 responses: the page and its 12 PNGs, cold (nothing
   cached) and warm (the chart cache full). Aim: warm <= 300 ms, cold <= 3 s.
2. Answers as a regional host gets them: 15 open forms of workshop size (one workshop each),
   each device answering one form (device n answers form n mod 15). A burst of 300 respondents
   (20 per form) posting to the API at once from 8 threads against the app served as `make run`
   serves it (gunicorn, 2 gthread workers of 4 threads: tests/serverkit.py) on a file SQLite
   database: answers per second. Then 1,500 more respondents (100 per form, so each form ends
   with 120 responses) paced evenly over 10 s (each POST sent at its time from a pool of 64
   threads): latency p50/p95 from the POST's planned time to its 201.
3. The worst case, labelled as such: the same burst of 300 and 1,500 paced, all to ONE further
   form (which ends with 1,800 responses).
The baseline of each line is a bare Flask + SQLite insert of one row per POST
(bench/bare_answer.py) under the same gunicorn command, with its posts spread over the same
number of form tokens in the same way, served alongside the app in the same run: each burst is
sent in halves taking turns (app, bare, bare, app) so a change in the machine's load weighs on
both alike, and each paced run of the app is followed by the bare one's. The ratio says what the
app's rules cost. Aims (issue 18): burst at least 0.5x bare, paced p95 at most 300 ms.

Run from the repository root: python -m bench.evaluations_speed (`answers` for 2 and 3 only).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.serverkit import app_env, percentile, serving

RESPONSES = 500
BURST = 300
THREADS = 8
REPEATS = 3
PACED, PACED_SECONDS, PACED_THREADS = 1500, 10.0, 64
FORMS = 15  # open forms of workshop size; device n answers form n % FORMS


def _app(folder: Path):
    from tests.conftest import make_app

    return make_app(folder, SQLALCHEMY_DATABASE_URI=f"sqlite:///{folder}/bench.sqlite3")


def _setup(app, responses_wanted: int, forms: int = 1):
    """A project, `forms` workshops whose Form A has 12 charted questions, answers to the first.

    Returns the first form's id and the tokens of all the forms.
    """
    from app.auth.models import User
    from app.extensions import db
    from evaluations import responses
    from workshops.projects import service as projects

    db.create_all()
    user = User(email="bench@example.org", name="Bench", can_create_projects=True)
    user.set_password("bench-password")
    db.session.add(user)
    db.session.flush()
    project = projects.create(projects.ProjectData(slug="bench", name="Bench"), leaders=[user])
    made = [_workshop_form(project, n) for n in range(forms)]
    db.session.commit()
    form = made[0]
    rng = random.Random(5)  # noqa: S311 - benchmark data
    for n in range(responses_wanted):
        checked, problems = responses.check(form, draw(form, rng))
        assert not problems, problems
        responses.submit(form, checked, f"bench-device-{n:06d}", responses.local_today("UTC"))
    db.session.commit()
    return form.id, [f.token for f in made]


def _workshop_form(project, n: int):
    """A workshop of the project with an open Form A of 12 charted questions."""
    from app.extensions import db
    from evaluations import builder
    from workshops.programme.models import Step, Workshop

    code = "BEN" + "".join("ABCDEFGHJKLMNPQRSTUVWXYZ"[int(d)] for d in f"{n:03d}")
    workshop = Workshop(project=project, title=f"W{n + 1}", join_code=code, template_key="W1")
    for position, title in enumerate(["Velkommen", "Møt noen nye", "Tilbud og behov", "Vevet"]):
        workshop.steps.append(Step(position=position, key=f"W1.{position + 1}", title=title))
    db.session.add(workshop)
    db.session.flush()
    form = builder.from_template(project, "A", workshop=workshop, language="en")
    # Form A charts 10 questions; two more scales make the 12 of the page.
    builder.add_question(form, "scale", "How clear was the programme?", required=True)
    builder.add_question(form, "scale", "How good was the food?", scale_set="satisfied")
    builder.set_status(form, "open")
    return form


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
        form_id, _tokens = _setup(app, RESPONSES)
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


def _send(url: str, body: dict, device: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Device": device},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def _burst(url_for_device, body_for_device, devices: range, tag: str) -> float:
    """Seconds for one POST per device in `devices` from THREADS threads (all must get 201)."""

    def send(n: int) -> int:
        return _send(url_for_device(n), body_for_device(n), f"{tag}-burst-{n:08d}")

    start = time.perf_counter()
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(send, devices))
    elapsed = time.perf_counter() - start
    assert statuses.count(201) == len(devices), {s: statuses.count(s) for s in set(statuses)}
    return elapsed


def _paced(url_for_device, body_for_device, tag: str) -> tuple[float, float, float]:
    """p50, p95 and max ms from each POST's planned time to its 201, PACED over PACED_SECONDS."""
    start = time.perf_counter() + 0.5

    def send(n: int) -> float:
        planned = start + n * PACED_SECONDS / PACED
        time.sleep(max(0.0, planned - time.perf_counter()))
        status = _send(url_for_device(n), body_for_device(n), f"{tag}-paced-{n:08d}")
        assert status == 201, status
        return (time.perf_counter() - planned) * 1000

    with ThreadPoolExecutor(PACED_THREADS) as pool:
        latencies = list(pool.map(send, range(PACED)))
    return percentile(latencies, 50), percentile(latencies, 95), max(latencies)


Figures = dict[str, tuple[float, tuple[float, float, float]]]
SLICES = ("api", "bare", "bare", "api")  # the burst in halves taking turns, as load drifts


def _shapes(targets: dict) -> dict[str, Figures]:
    """For the API and the bare insert, both served: the burst then the paced posts spread over
    the first FORMS tokens (device n: form n % FORMS), then the same to the last token alone (the
    worst case). targets[name] = (base URL, tokens, bodies(token, n) for device n's body)."""
    figures: dict[str, Figures] = {name: {} for name in targets}
    for shape in ("spread", "one form"):
        url, body = {}, {}
        for name, (base, tokens, bodies) in targets.items():

            def token_of(n: int, tokens=tokens, shape=shape) -> str:
                return tokens[n % FORMS] if shape == "spread" else tokens[FORMS]

            url[name] = lambda n, base=base, token_of=token_of: base + token_of(n)
            body[name] = lambda n, bodies=bodies, token_of=token_of: bodies(token_of(n), n)
        seconds = dict.fromkeys(targets, 0.0)
        halves = {"api": [range(BURST // 2), range(BURST // 2, BURST)]}
        halves["bare"] = list(halves["api"])
        for name in SLICES:
            seconds[name] += _burst(url[name], body[name], halves[name].pop(0), shape[:3])
        for name in ("api", "bare"):
            paced = _paced(
                lambda n, post=url[name]: post(n + BURST),
                lambda n, made=body[name]: made(n + BURST),
                shape[:3],
            )
            figures[name][shape] = (BURST / seconds[name], paced)
    return figures


def answer_figures(folder: Path) -> dict[str, Figures]:
    """The evaluation API and the bare insert served side by side: burst and paced, spread over
    FORMS forms and to one form."""
    from app.extensions import db
    from bench.bare_answer import create_schema
    from evaluations.models import EvaluationForm

    (folder / "api").mkdir()
    (folder / "bare").mkdir()
    app = _app(folder / "api")
    with app.app_context():
        _form_id, tokens = _setup(app, 0, FORMS + 1)
        rng = random.Random(9)  # noqa: S311 - benchmark data
        bodies = {}
        for token in tokens:
            form = db.session.scalar(db.select(EvaluationForm).where(EvaluationForm.token == token))
            bodies[token] = [{"answers": draw(form, rng)} for _ in range(BURST + PACED)]
        db.session.remove()
        db.engine.dispose()
    env = app_env(folder / "api", f"sqlite:///{folder}/api/bench.sqlite3")
    path = folder / "bare" / "bare.sqlite3"
    create_schema(str(path))
    bare_env = dict(os.environ, BARE_DATABASE=str(path))
    with (
        serving(env, folder / "api") as server,
        serving(bare_env, folder / "bare", "bench.bare_answer:app") as bare,
    ):
        return _shapes(
            {
                "api": (
                    f"http://127.0.0.1:{server.port}/api/v1/evaluations/",
                    tokens,
                    lambda token, n: bodies[token][n],
                ),
                "bare": (
                    f"http://127.0.0.1:{bare.port}/answer/",
                    [f"bare-form-{n}" for n in range(FORMS + 1)],
                    lambda token, n: {"answers": {"1": n}},  # noqa: ARG005
                ),
            }
        )


def main() -> None:
    """Print one line per figure with its ratio."""
    answers_only = sys.argv[1:] == ["answers"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "page").mkdir()
        (folder / "answers").mkdir()
        if not answers_only:
            cold, warm, charts = results_page(folder / "page")
        figures = answer_figures(folder / "answers")
        answers, bare_figures = figures["api"], figures["bare"]
    if not answers_only:
        print(
            f"results page, {charts} charts, {RESPONSES} responses: cold {cold:7.1f} ms  "
            f"(aim 3000 ms, ratio {cold / 3000:.2f})"
        )
        print(
            f"results page, {charts} charts, {RESPONSES} responses: warm {warm:7.1f} ms  "
            f"(aim 300 ms, ratio {warm / 300:.2f}; cold/warm {cold / warm:.1f}x)"
        )
    where = {
        "spread": f"spread over {FORMS} open forms, each device answering one form",
        "one form": "WORST CASE: all to ONE form",
    }
    for shape in ("spread", "one form"):
        (api, api_paced), (bare, bare_paced) = answers[shape], bare_figures[shape]
        print(
            f"answers burst, {BURST} posts from {THREADS} threads, {where[shape]} "
            f"(gunicorn as make run): API {api:.1f}/s, bare insert {bare:.1f}/s, "
            f"ratio {api / bare:.2f} (aim >= 0.5)"
        )
        for label, (p50, p95, worst) in (("API", api_paced), ("bare insert", bare_paced)):
            print(
                f"answers paced, {PACED} over {PACED_SECONDS:.0f} s after the burst, {where[shape]}: "
                f"{label} p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {worst:.0f} ms"
                + (" (aim API p95 <= 300 ms)" if label == "API" else "")
            )
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
