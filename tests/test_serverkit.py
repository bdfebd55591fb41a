"""The gunicorn harness of the fault tests and benchmarks starts the server as `make run` does."""

import ast
import re
import shlex
from pathlib import Path

from tests import serverkit

ROOT = Path(__file__).resolve().parents[1]


def _make_run_gunicorn() -> list[str]:
    """The gunicorn line of the Makefile's `run` recipe, its variables filled in."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    variables = dict(re.findall(r"^(\w+) \?= (.*)$", text, flags=re.MULTILINE))
    recipe = text.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    line = next(x for x in recipe.splitlines() if "gunicorn" in x)
    line = re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), line)
    return shlex.split(line)


def test_harness_starts_gunicorn_with_the_options_of_make_run():
    made = _make_run_gunicorn()
    ours = serverkit.gunicorn_command("run:app", 5000)

    assert made[0].endswith("/gunicorn") and ours[1:3] == ["-m", "gunicorn"]
    assert made[1:] == [
        "--config",
        "python:app.gunicorn_conf",  # the access log without evaluation answers (app/access_log.py)
        "--workers",
        str(serverkit.WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(serverkit.THREADS),
        "--bind",
        "127.0.0.1:5000",  # the Makefile's default HOST and PORT
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "",
        "run:app",
    ]
    assert ours[3:] == made[1:]


def test_no_test_imports_from_bench():
    wrong = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            wrong += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "bench"]

    assert wrong == []
