"""Imports point down: method <- workshops <- evaluations <- app (DESIGN.md)."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# What each package may import from the project (besides itself).
ALLOWED = {
    "method": set(),
    "workshops": {"method", "app.extensions", "app.db"},
    "evaluations": {"method", "workshops", "app.extensions", "app.db"},
}
PROJECT = ("app", "method", "workshops", "evaluations", "config")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def _allowed(name: str, package: str) -> bool:
    top = name.split(".")[0]
    if top not in PROJECT or top == package:
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED[package])


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_point_down(package):
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for name in _imports(path)
        if not _allowed(name, package)
    ]

    assert wrong == []


def test_method_knows_nothing_of_flask_or_sqlalchemy():
    wrong = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "method").rglob("*.py"))
        for name in _imports(path)
        if name.split(".")[0] in {"flask", "flask_babel", "sqlalchemy", "flask_sqlalchemy"}
    ]

    assert wrong == []
