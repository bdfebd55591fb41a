"""The app starts without the heavy libraries only some pages and commands need."""

from __future__ import annotations

import json
import subprocess
import sys

from config import BASE_DIR

HEAVY = ("weasyprint", "matplotlib", "scipy")

PROBE = """
import json, sys
from app import create_app
from config import TestingConfig

class Probe(TestingConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"

create_app(Probe)
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in %r)))
"""


def test_create_app_imports_no_heavy_library(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own interpreter and a constant script
        [sys.executable, "-c", PROBE % (HEAVY,)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            "PATH": "/usr/bin:/bin",
            "KRAFTVERK_INSTANCE": str(tmp_path),
            "PYTHONPATH": str(BASE_DIR),
        },
        check=False,
    )

    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == [], f"create_app imported {sorted({n.split('.')[0] for n in loaded})}"
