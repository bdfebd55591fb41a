"""Imports point down: method <- workshops <- evaluations <- app (DESIGN.md), and inside
workshops/ the rooms form a fixed order, bottom to top, with no circle anywhere."""

import ast
import functools
import re
from dataclasses import dataclass
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
# The rooms of workshops/, bottom to top: a room imports only rooms before it (docs/architecture.md).
# Below them all: the shared modules at workshops/ top (http, devices, codes, events, pdf,
# spreadsheets); above them all: the demo loader.
ROOM_ORDER = ("projects", "programme", "live", "ideas", "businesses", "registrations", "privacy")
# Folders whose code may not hide a failed import of the project's own packages.
CODE_FOLDERS = ("app", "method", "workshops", "evaluations", "bench", "tests", "migrations")
ARCHITECTURE = ROOT / "docs" / "architecture.md"
LISTED_LOCAL_IMPORT = re.compile(r"^\| `([\w/.]+\.py)` `(\w+)` \|", re.MULTILINE)


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to an absolute module name."""

    source: str  # the importing module
    name: str
    line: int
    function: str | None  # the function it is inside: it runs only when that one does
    type_checking: bool  # under `if TYPE_CHECKING:`: never runs

    @property
    def module_level(self) -> bool:
        return self.function is None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@functools.cache
def project_files() -> dict[str, Path]:
    files = {module_name(p): p for top in PROJECT[:-1] for p in sorted((ROOT / top).rglob("*.py"))}
    files["config"] = ROOT / "config.py"
    return files


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _enclosing(node: ast.AST, parents: dict, test) -> ast.AST | None:
    while node in parents:
        node = parents[node]
        if test(node):
            return node
    return None


def _is_function(node: ast.AST) -> bool:
    return isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)


def _is_type_checking(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _targets(source: str, node: ast.Import | ast.ImportFrom, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the importing module's package, one level up per extra dot
        package = source.split(".") if is_package else source.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    # `from a import b` imports the module a.b when there is one, else a name of module a.
    modules = project_files()
    return [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]


@functools.cache
def imports_of(path: Path) -> tuple[Import, ...]:
    source = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            function = _enclosing(node, parents, _is_function)
            type_checking = _enclosing(node, parents, _is_type_checking) is not None
            for name in _targets(source, node, path.name == "__init__.py"):
                found.append(
                    Import(source, name, node.lineno, function and function.name, type_checking)
                )
    return tuple(found)


def _allowed(name: str, package: str) -> bool:
    top = name.split(".")[0]
    if top not in PROJECT or top == package:
        return True
    return any(name == a or name.startswith(a + ".") for a in ALLOWED[package])


def _project_module(name: str) -> str | None:
    """The project module an import runs: the longest known prefix of its name."""
    parts = name.split(".")
    while parts and ".".join(parts) not in project_files():
        parts.pop()
    return ".".join(parts) or None


def _module_graph(*, include_type_checking: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports when it is imported (not inside functions)."""
    graph: dict[str, set[str]] = {}
    for module, path in project_files().items():
        graph[module] = {
            target
            for i in imports_of(path)
            if i.module_level and (include_type_checking or not i.type_checking)
            for target in [_project_module(i.name)]
            if target and target != module
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def room_of(module: str) -> str | None:
    """A workshops/ module's room; "shared" for the modules beside the rooms; None elsewhere."""
    parts = module.split(".")
    if parts[0] != "workshops" or len(parts) == 1:
        return None
    if (ROOT / "workshops" / parts[1]).is_dir():
        return parts[1]
    return "demo" if parts[1] == "demo" else "shared"


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_point_down(package):
    wrong = [
        f"{path.relative_to(ROOT)}:{i.line}: {i.name}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for i in imports_of(path)
        if not _allowed(i.name, package)
    ]

    assert wrong == []


def test_relative_imports_are_resolved_for_the_layer_check():
    tree = ast.parse("from ..app import extensions\nfrom . import models\n")
    first, second = tree.body

    assert _targets("workshops.ideas.views", first, False) == ["workshops.app"]
    assert _targets("workshops.ideas", second, True) == ["workshops.ideas.models"]
    assert _targets("workshops.ideas.views", second, False) == ["workshops.ideas.models"]


def test_method_knows_nothing_of_flask_or_sqlalchemy():
    wrong = [
        f"{path.relative_to(ROOT)}:{i.line}: {i.name}"
        for path in sorted((ROOT / "method").rglob("*.py"))
        for i in imports_of(path)
        if i.name.split(".")[0] in {"flask", "flask_babel", "sqlalchemy", "flask_sqlalchemy"}
    ]

    assert wrong == []


def test_every_room_has_its_place_in_the_room_order():
    rooms = {p.parent.name for p in (ROOT / "workshops").glob("*/__init__.py")}

    assert rooms == set(ROOM_ORDER)


def test_rooms_import_only_rooms_below_them():
    rank = {"shared": 0, **{room: n for n, room in enumerate(ROOM_ORDER, 1)}, "demo": 99}
    wrong = []
    for module, path in project_files().items():
        room = room_of(module)
        if room is None:
            continue
        for i in imports_of(path):
            target = room_of(i.name)
            if not i.module_level or i.type_checking or target in (None, room):
                continue
            if rank[target] >= rank[room]:
                wrong.append(f"{path.relative_to(ROOT)}:{i.line}: {room} -> {i.name}")

    assert wrong == []


def test_rooms_form_no_circle():
    graph: dict[str, set[str]] = {}
    for module, targets in _module_graph().items():
        room = room_of(module)
        for target in targets:
            other = room_of(target)
            if room and other and other != room:
                graph.setdefault(room, set()).add(other)

    assert _cycles(graph) == []


def test_no_module_level_import_circle_in_the_project():
    assert _cycles(_module_graph()) == []


def test_the_circle_finder_finds_a_circle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return False
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(ast.unparse(n) in {"ImportError", "ModuleNotFoundError"} for n in names)


def _imports_project(body: list[ast.stmt]) -> bool:
    own = (*PROJECT, "bench", "tests")
    for node in (n for stmt in body for n in ast.walk(stmt)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = ["." if node.level else node.module or ""]
        elif isinstance(node, ast.Call) and ast.unparse(node.func).endswith("import_module"):
            arg = node.args[0] if node.args else None
            names = [arg.value if isinstance(arg, ast.Constant) else ""]
        else:
            continue
        if any(name == "." or name.split(".")[0] in own for name in names):
            return True
    return False


def test_no_failed_import_of_the_project_is_hidden():
    files = [p for folder in CODE_FOLDERS for p in sorted((ROOT / folder).rglob("*.py"))]
    wrong = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in files + [ROOT / "config.py", ROOT / "run.py"]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Try)
        and any(_catches_import_error(h) for h in node.handlers)
        and _imports_project(node.body)
    ]

    assert wrong == []


def test_every_function_local_import_is_listed_in_the_architecture_doc():
    found = {
        (str(path.relative_to(ROOT)), i.function)
        for path in project_files().values()
        for i in imports_of(path)
        if i.function
    }
    listed = set(LISTED_LOCAL_IMPORT.findall(ARCHITECTURE.read_text(encoding="utf-8")))

    assert (sorted(found - listed), sorted(listed - found)) == ([], [])
