"""made_ahead(): a forked child loads WeasyPrint while the command gathers its data, then makes
the PDF, byte for byte the PDF this process would make; a child that fails or is not needed
changes nothing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from config import BASE_DIR
from tests.app.test_startup_imports import run_python

# A fresh interpreter with an app (WeasyPrint not loaded): the PDF made inside made_ahead(),
# then the same HTML made here, and what the parent loaded. MODE picks the child's fate.
SCRIPT = """
import json, os, sys
from app import create_app
from config import TestingConfig

class Probe(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"

app = create_app(Probe)
from workshops import pdf
MODE = %r
parent = os.getpid()
if MODE == "child fails":
    load = pdf.load_weasyprint
    def failing():
        if os.getpid() != parent:
            raise RuntimeError("no fonts in the child")
        return load()
    pdf.load_weasyprint = failing
if MODE == "fork fails":
    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")
    os.fork = no_fork
fds_before = len(os.listdir("/proc/self/fd"))
if MODE == "threads":
    import threading
    threading.Thread(target=threading.Event().wait, daemon=True).start()
html = "<html lang='en'><head><title>T</title></head><body><h1>Kraftverk</h1><p>Æøå 😀</p></body></html>"
with app.app_context():
    with pdf.made_ahead():
        child = pdf._Ahead.current.pid if pdf._Ahead.current else None
        if MODE == "interrupted":  # here, not in the child: the parent stops while it sends
            real_fdopen = os.fdopen
            class Broken:
                def __init__(self, handle):
                    self.handle = handle
                def __enter__(self):
                    return self
                def __exit__(self, *exc):
                    self.handle.close()
                def write(self, data):
                    self.handle.write(data[:100])
                    raise KeyboardInterrupt
            os.fdopen = lambda fd, mode="r": Broken(real_fdopen(fd, mode)) if "w" in mode else real_fdopen(fd, mode)
            try:
                pdf.html_to_pdf(html)
            except KeyboardInterrupt:
                interrupted = True
            os.fdopen = real_fdopen
            made = None
        elif MODE in ("not needed", "threads"):
            made = None
        else:
            made = pdf.html_to_pdf(html)
    loaded_by_then = "weasyprint" in sys.modules
    here = pdf.html_to_pdf(html)
try:
    os.waitpid(child, os.WNOHANG) if child else None
    reaped = child is None
except ChildProcessError:
    reaped = True
print(json.dumps({"child": child is not None, "loaded_by_then": loaded_by_then,
                  "fds_left": len(os.listdir("/proc/self/fd")) - fds_before,
                  "same": made == here if made else None, "pdf": (made or b"")[:5].decode(),
                  "reaped": reaped}))
"""


def _run(mode: str, tmp_path) -> tuple[dict, str]:
    result = run_python(SCRIPT % (mode,), KRAFTVERK_INSTANCE=str(tmp_path))
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1]), result.stderr


def test_the_child_makes_the_pdf_and_this_process_never_loads_weasyprint(tmp_path):
    outcome, _stderr = _run("child makes it", tmp_path)

    assert outcome == {
        "child": True,
        "loaded_by_then": False,  # the PDF came from the child
        "same": True,  # the same bytes as made here
        "pdf": "%PDF-",
        "reaped": True,
        "fds_left": 0,
    }


def test_a_child_that_fails_only_means_the_pdf_is_made_here(tmp_path):
    outcome, stderr = _run("child fails", tmp_path)

    assert outcome == {
        "child": True,
        "loaded_by_then": True,  # made in this process
        "same": True,
        "pdf": "%PDF-",
        "reaped": True,
        "fds_left": 0,
    }
    assert "no fonts in the child" in stderr  # the child's error is told, not hidden
    assert "made here instead" in stderr


def test_a_child_not_asked_for_a_pdf_is_ended(tmp_path):
    outcome, _stderr = _run("not needed", tmp_path)

    assert outcome["child"] is True
    assert outcome["reaped"] is True  # no process left behind
    assert outcome["loaded_by_then"] is False


def test_a_fork_the_system_refuses_only_means_the_pdf_is_made_here(tmp_path):
    outcome, stderr = _run("fork fails", tmp_path)

    assert outcome["child"] is False
    assert (outcome["same"], outcome["pdf"], outcome["fds_left"]) == (True, "%PDF-", 0)
    assert "no child process for the PDF" in stderr


def test_a_parent_interrupted_while_it_sends_ends_its_child(tmp_path):
    # Before the fix the parent waited forever for a child blocked on a pipe nobody read.
    outcome, _stderr = _run("interrupted", tmp_path)

    assert outcome["child"] is True
    assert outcome["reaped"] is True
    assert outcome["fds_left"] == 0


def test_nothing_is_forked_from_a_process_that_runs_other_threads(tmp_path):
    outcome, _stderr = _run("threads", tmp_path)

    assert outcome["child"] is False


def test_nothing_is_forked_where_weasyprint_is_loaded(app):
    from workshops import pdf

    pdf.load_weasyprint()
    with app.app_context(), pdf.made_ahead():
        assert pdf._Ahead.current is None


@pytest.mark.db
def test_the_report_command_made_by_its_child_leaves_the_database_to_the_parent(
    story, db, app, tmp_path
):
    """The command as an operator runs it, on the test database (PostgreSQL in its run): the
    child makes the PDF, and the parent still writes the kept PDF over its own connection."""
    from app.reports.models import PdfCache

    db.session.commit()
    output = tmp_path / "report.pdf"
    result = subprocess.run(  # noqa: S603 - our own interpreter and the app's command
        [sys.executable, "-m", "flask", "--app", "run", "report", "--project", "slusedal",
         "--output", str(output)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(BASE_DIR),
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "KRAFTVERK_INSTANCE": str(tmp_path / "command-instance"),
            "SECRET_KEY": "test-only",
        },
    )  # fmt: skip

    assert result.returncode == 0, result.stderr[-3000:]
    assert output.read_bytes().startswith(b"%PDF-")
    assert "made here" not in result.stderr  # the child made it
    assert "PDF cache not" not in result.stderr  # and the parent read and wrote the kept PDFs
    db.session.remove()
    assert db.session.scalar(db.select(db.func.count()).select_from(PdfCache)) == 1


# start_ahead(), as run.py calls it for `flask --app run report`: the child is forked before the
# app is built, taken by the command's made_ahead() block, and makes the same bytes; a process
# that never opens the block ends it at exit.
EARLY = """
import atexit, json, os, sys
from workshops import pdf

def reaped_by_then():  # runs after start_ahead's handler (atexit runs the last registered first)
    try:
        os.waitpid(early, os.WNOHANG)
        print("child not reaped at exit", file=sys.stderr)
        os._exit(3)
    except ChildProcessError:
        pass

atexit.register(reaped_by_then)
pdf.start_ahead()
early = pdf._Ahead.early.pid if pdf._Ahead.early else None
from app import create_app
from config import TestingConfig

class Probe(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"

app = create_app(Probe)
html = "<html lang='en'><head><title>T</title></head><body><p>Æøå 😀</p></body></html>"
taken = None
if %r:
    with app.app_context():
        with pdf.made_ahead():
            taken = pdf._Ahead.current.pid if pdf._Ahead.current else None
            made = pdf.html_to_pdf(html)
        loaded_by_then = "weasyprint" in sys.modules
        same = made == pdf.html_to_pdf(html)
else:
    loaded_by_then, same = "weasyprint" in sys.modules, None
print(json.dumps({"early": early, "taken": taken, "loaded_by_then": loaded_by_then,
                  "same": same}))
"""


def test_a_child_started_before_the_app_is_taken_by_the_block_and_makes_the_same_pdf(tmp_path):
    result = run_python(EARLY % (True,), KRAFTVERK_INSTANCE=str(tmp_path))

    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["early"] is not None
    assert outcome["taken"] == outcome["early"]  # no second child
    assert outcome["loaded_by_then"] is False  # the PDF came from the child
    assert outcome["same"] is True
    assert "made here" not in result.stderr


def test_a_child_started_early_and_never_taken_is_ended_at_exit(tmp_path):
    result = run_python(EARLY % (False,), KRAFTVERK_INSTANCE=str(tmp_path))

    # The script's own last exit handler finds the child reaped already (exit status 3 if not).
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["early"] is not None and outcome["loaded_by_then"] is False


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["/venv/bin/flask", "--app", "run", "report", "--project", "x", "--output", "r.pdf"],
            True,
        ),
        (["/usr/lib/python3/site-packages/flask/__main__.py", "-A", "run", "report"], True),
        (["flask", "--app", "report", "db", "upgrade"], False),  # an app named like the command
        (["flask", "--app", "run", "export", "--output", "report"], False),
        (["flask", "--env-file", "report", "--debug", "report"], True),
        (["/venv/bin/gunicorn", "report"], False),
        (["flask"], False),
        ([], False),
    ],
)
def test_the_report_command_line_is_recognised_and_nothing_else(argv, expected):
    from workshops import pdf

    assert pdf.runs_pdf_command(argv) is expected


WARM = """
import sys
from workshops import pdf
html = "<html lang='nb'><head><title>T</title></head><body><h1>Å</h1><p>ø 😀</p></body></html>"
if sys.argv[-1] == "warm":
    pdf.warm_up()
sys.stdout.buffer.write(pdf._render(html, pdf.PDF_VARIANT, {}))
"""


def test_the_warm_up_changes_no_byte_of_the_next_pdf():
    def made(mode: str) -> bytes:
        result = subprocess.run(  # noqa: S603 - our own interpreter and a script of the tests
            [sys.executable, "-c", WARM, mode],
            cwd=BASE_DIR,
            capture_output=True,
            timeout=120,
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(BASE_DIR)},
            check=True,
        )
        return result.stdout

    cold, warm = made("cold"), made("warm")
    assert cold.startswith(b"%PDF-")
    assert warm == cold
