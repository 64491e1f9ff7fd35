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

from tests.paths import ROOT

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


LAYERS = (
    ("calendars",),
    ("calculators._errors", "calculators._i18n", "calculators._money",
     "calculators._progress", "calculators._version", "calculators._deprecated"),
    ("calculators.columnar",),
    ("calculators.policy",),
    ("calculators.readers",),
    ("calculators.engine",),
    ("calculators.programs",),
    ("calculators.tools",),
    ("calculators.reports",),
    ("calculators.book",),
    ("calculators.web",),
    ("calculators.cli",),
    ("calculators",),
)  # fmt: skip
"""The floors of the house, from the ground up: a module may import its own floor and
the floors below it, never one above. Within a package, ``columnar`` < ``policy`` <
``readers`` < ``engine`` < ``programs`` < ``tools`` < ``reports`` < ``book`` < ``web`` <
``cli``; the package's ``__init__.py`` stands on top and wires them together."""


def floor(module: str) -> int:
    """The floor of ``module`` in :data:`LAYERS` (the longest prefix that names it)."""
    best, found = -1, -1
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), number
    assert found >= 0, module
    return found


def arrows_up(graph: Mapping[str, frozenset[str]]) -> list[tuple[str, str]]:
    """Every import of a module on a higher floor than the importer."""
    return sorted(
        (module, target)
        for module, targets in graph.items()
        for target in targets
        if floor(target) > floor(module)
    )


def program_modules() -> frozenset[str]:
    """The program modules: every module of ``calculators.programs`` but its
    ``__init__.py`` (which imports each once, in the registration order)."""
    return frozenset(m for m in _modules() if m.startswith("calculators.programs."))


def test_the_graph_is_read() -> None:
    """The reader sees lazy and TYPE_CHECKING imports and ``from . import x``."""
    graph = import_graph()
    assert "calculators.columnar.kernels" in graph["calculators.columnar.compiled"]  # lazy
    assert "calculators.engine.validate" in graph["calculators.engine.program"]  # TYPE_CHECKING
    assert "calculators.programs.tech" in graph["calculators.programs"]  # from . import (...)
    assert "calendars._calendar" in graph["calendars"]
    assert {"calculators.programs.tech", "calculators.programs.equipment"} <= program_modules()


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


def test_every_module_stands_on_a_floor() -> None:
    assert all(floor(module) >= 0 for module in import_graph())


def test_no_arrow_runs_up() -> None:
    """No module imports one on a floor above it: the engine never imports a program, a
    tool, a report or the command line; readers never import the engine; and so on."""
    assert arrows_up(import_graph()) == []


def test_an_arrow_up_is_found() -> None:
    graph = {
        "calculators.engine.claim": frozenset({"calculators.programs.tech"}),
        "calculators.programs.tech": frozenset({"calculators.engine.claim"}),
    }
    assert arrows_up(graph) == [("calculators.engine.claim", "calculators.programs.tech")]


def test_programs_do_not_import_each_other() -> None:
    programs = program_modules()
    graph = import_graph()
    crossing = {m: sorted(graph[m] & programs) for m in sorted(programs) if graph[m] & programs}
    assert crossing == {}


def test_only_the_programs_package_imports_a_program() -> None:
    """A program is one file: no module outside ``calculators/programs/`` imports one
    (the package's ``__init__.py`` imports them all, once, in the registration order)."""
    programs = program_modules()
    graph = import_graph()
    outside = {
        module: sorted(graph[module] & programs)
        for module in graph
        if module != "calculators.programs" and not module.startswith("calculators.programs.")
        and graph[module] & programs
    }  # fmt: skip
    assert outside == {}


MAX_LINES = 600


def test_no_module_over_600_lines() -> None:
    """Small rooms: every module of both packages fits in 600 lines."""
    long = {
        str(path.relative_to(ROOT)): n
        for path in _modules().values()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
