"""Start-up: no heavy library that only some pages and commands need, Flask-Migrate set up
when first used, and the served app's start-up objects left out of later collections."""

from __future__ import annotations

import json
import subprocess
import sys

from config import BASE_DIR

# Alembic (through Flask-Migrate) only for `db` commands, icalendar only for calendar files,
# psycopg only on PostgreSQL (the probe runs on SQLite), NumPy and NetworkX only for the pairing
# engine.
HEAVY = (
    "weasyprint",
    "matplotlib",
    "scipy",
    "alembic",
    "flask_migrate",
    "icalendar",
    "psycopg",
    "networkx",
    "numpy",
)
# PostgreSQL's SQLAlchemy dialect only on PostgreSQL (the probe runs on SQLite).
HEAVY_PARTS = ("sqlalchemy.dialects.postgresql",)

PROBE = """
import json, sys
from app import create_app
from config import TestingConfig

class Probe(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"

create_app(Probe)
heavy, parts = %r, %r
print(json.dumps(sorted(
    name for name in sys.modules
    if name.split(".")[0] in heavy or any(name == p or name.startswith(p + ".") for p in parts)
)))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    """code run by a fresh interpreter of ours in the repository, with only these variables."""
    return subprocess.run(  # noqa: S603 - our own interpreter and a script of the tests
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(BASE_DIR), **env},
        check=False,
    )


def test_create_app_imports_no_heavy_library(tmp_path):
    result = run_python(PROBE % (HEAVY, HEAVY_PARTS), KRAFTVERK_INSTANCE=str(tmp_path))

    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"create_app imported {loaded[:5]}"


def test_the_db_commands_set_up_flask_migrate_when_first_used(app, runner):
    from flask_migrate.cli import db as flask_migrate_commands

    listed = runner.invoke(args=["db", "--help"])

    assert listed.exit_code == 0, listed.output
    assert "upgrade" in listed.output and "--directory" in listed.output
    assert app.cli.commands["db"] is flask_migrate_commands  # the stand-in replaced
    heads = runner.invoke(args=["db", "heads"])  # Alembic prints them on the process's stdout
    assert heads.exit_code == 0, heads.output


def test_the_migration_settings_set_up_flask_migrate_when_first_read(app):
    from app.extensions import db

    settings = app.extensions["migrate"]

    assert settings.db is db
    assert settings.configure_args == {"compare_type": True, "render_as_batch": True}
    assert app.extensions["migrate"].migrate.directory.endswith("migrations")


def test_the_served_app_leaves_the_collector_on_with_its_start_up_frozen(tmp_path):
    probe = "import gc, run; print(gc.isenabled(), gc.get_freeze_count() > 0)"
    result = run_python(
        probe,
        KRAFTVERK_INSTANCE=str(tmp_path),
        DATABASE_URL=f"sqlite:///{tmp_path}/probe.sqlite3",
    )

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["True", "True"]


def test_compiled_templates_are_kept_and_a_changed_template_compiled_again(tmp_path):
    from jinja2 import DictLoader, Environment

    from app import CompiledTemplates

    sources = {"page.html": "Hello {{ name }}"}
    folder = tmp_path / "compiled"

    def render() -> str:
        env = Environment(loader=DictLoader(sources), bytecode_cache=CompiledTemplates(str(folder)))
        return env.get_template("page.html").render(name="Kari")

    assert render() == "Hello Kari"
    assert len(list(folder.iterdir())) == 1
    sources["page.html"] = "Goodbye {{ name }}"
    assert render() == "Goodbye Kari"
    assert len(list(folder.iterdir())) == 1  # the same file, replaced


def test_a_folder_that_cannot_be_written_only_means_compiling_again(tmp_path):
    from jinja2 import DictLoader, Environment

    from app import CompiledTemplates

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    env = Environment(
        loader=DictLoader({"page.html": "Hi {{ name }}"}),
        bytecode_cache=CompiledTemplates(str(blocker / "compiled")),
    )

    assert env.get_template("page.html").render(name="Ola") == "Hi Ola"


def test_the_app_keeps_its_compiled_templates_in_the_instance_folder(tmp_path, monkeypatch):
    from pathlib import Path

    from method import parsed
    from tests.conftest import make_app

    monkeypatch.setattr(parsed, "_folder", None)  # the served app's folder, undone after
    served = make_app(tmp_path, TESTING=False)
    with served.test_request_context():
        served.jinja_env.get_template("reports/report_pdf.html")

    folder = Path(served.instance_path) / "cache" / "templates"
    assert [p.suffix for p in folder.glob("*/*")] == [".cache"]
    assert make_app(tmp_path / "test").jinja_env.bytecode_cache is None  # tests compile anew


def test_the_app_keeps_the_methods_parsed_data_in_the_instance_folder(tmp_path, monkeypatch):
    from pathlib import Path

    import yaml

    from method import parsed
    from tests.conftest import make_app

    monkeypatch.setattr(parsed, "_folder", None)  # the served app's folder, undone after
    make_app(tmp_path / "test")
    assert parsed._folder is None  # tests parse anew

    served = make_app(tmp_path, TESTING=False)
    folder = Path(served.instance_path) / "cache" / "method-data"
    assert parsed._folder == folder
    assert parsed.load("a: [1, 2]\n", yaml.SafeLoader, "a.yaml") == {"a": [1, 2]}
    assert [p.suffix for p in folder.iterdir()] == [".marshal"]


def test_a_damaged_compiled_template_is_compiled_again(tmp_path):
    from jinja2 import DictLoader, Environment

    from app import CompiledTemplates

    folder = tmp_path / "compiled"

    def render() -> str:
        env = Environment(
            loader=DictLoader({"page.html": "Hei {{ name }}"}),
            bytecode_cache=CompiledTemplates(str(folder)),
        )
        return env.get_template("page.html").render(name="Kari")

    render()
    (kept,) = folder.iterdir()
    kept.write_bytes(kept.read_bytes()[:40])

    assert render() == "Hei Kari"


def test_the_pairing_package_loads_each_name_when_first_used():
    code = (
        "import sys\n"
        "from workshops.businesses import pairing\n"
        "before = 'numpy' in sys.modules\n"
        "import workshops.businesses.pairing.ecosystems  # a submodule named as its function\n"
        "assert callable(pairing.ecosystems)\n"
        "assert sorted(pairing.__all__) == sorted(pairing._MODULE_OF)\n"
        "values = [getattr(pairing, name) for name in pairing.__all__]\n"
        "from workshops.businesses.pairing import score_pair\n"
        "from workshops.businesses.pairing.scoring import score_pair as defined\n"
        "assert score_pair is defined and pairing.matrix.score_matrix is pairing.score_matrix\n"
        "print(before, 'numpy' in sys.modules)\n"
    )
    result = run_python(code)

    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True"]
