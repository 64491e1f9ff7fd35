"""The import graph of ``calculators`` and ``calendars``, read from the source: no module
imports, however indirectly, one that imports it back, and no program module imports
another program module (what programs share lives in a module below them).

Every ``import`` and ``from ... import`` anywhere in a module counts: at the top, inside
a function (a lazy import still ties the two modules) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("calculators", "calendars")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> Mapping[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _targets(module: str, path: Path, node: ast.AST) -> Iterator[str]:
    """The project's modules an import statement names (a name imported from a package
    is the submodule when there is one, else the package itself)."""
    known = _modules()
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                yield alias.name
        return
    assert isinstance(node, ast.ImportFrom)
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    if base not in known:
        return
    bare = True
    for alias in node.names:
        if f"{base}.{alias.name}" in known:
            yield f"{base}.{alias.name}"
        else:
            bare = False
    if not bare:
        yield base


@cache
def import_graph() -> Mapping[str, frozenset[str]]:
    """Each module of the two packages and the modules of the two packages it imports."""
    graph: dict[str, frozenset[str]] = {}
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        targets = {
            target
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for target in _targets(module, path, node)
        }
        graph[module] = frozenset(targets - {module})
    return graph


def circles(graph: Mapping[str, frozenset[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def program_modules() -> frozenset[str]:
    """The modules that register a program: those importing ``register`` from the
    registry (the package's ``__init__.py`` hands it on)."""
    found = set()
    for module, path in _modules().items():
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").endswith("_registry")
                and any(alias.name == "register" for alias in node.names)
            ):
                found.add(module)
    return frozenset(found)


def test_the_graph_is_read() -> None:
    """The reader sees lazy and TYPE_CHECKING imports and ``from . import x``."""
    graph = import_graph()
    assert "calculators._kernels" in graph["calculators._compiled"]  # inside a function
    assert "calculators._validate" in graph["calculators._registry"]  # TYPE_CHECKING
    assert "calculators.tech_relending" in graph["calculators"]  # from . import (...)
    assert "calendars._calendar" in graph["calendars"]
    assert {"calculators.tech_relending", "calculators.equipment"} <= program_modules()


def test_no_import_circle() -> None:
    """No circle among the modules of either package, the command line, the packages'
    ``__init__.py`` and the web app included; a lazy import is an import."""
    assert circles(import_graph()) == []


def test_circles_are_found() -> None:
    """Two modules importing each other are a circle, whoever else imports them; a chain
    is not."""
    assert circles({"a": frozenset({"b"}), "b": frozenset({"a"}), "c": frozenset({"a"})}) == [
        ["a", "b"]
    ]
    assert circles({"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset()}) == []


def test_programs_do_not_import_each_other() -> None:
    programs = program_modules()
    graph = import_graph()
    crossing = {m: sorted(graph[m] & programs) for m in sorted(programs) if graph[m] & programs}
    assert crossing == {}


def test_names_moved_down_stay_importable_from_where_they_were() -> None:
    """Code written against the old homes keeps working."""
    from calculators import _columns, _ids, _ledger, _policy, _rules, elderly_care, equipment
    from calendars import _i18n, _language

    for name in ("set_language", "using_language", "language_from_environment"):
        assert getattr(_i18n, name) is getattr(_language, name)
    assert _ledger.COLUMN_ALIASES is _columns.COLUMN_ALIASES
    assert elderly_care.province_codes is _ids.province_codes
    assert elderly_care.own_figure is _policy.own_figure
    assert equipment.parse_loan_rate is _rules.parse_loan_rate
