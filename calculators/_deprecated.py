"""Names and module paths of the flat layout, kept importable for one release.

Each old path warns with a :class:`DeprecationWarning` naming the new one, then hands
back what the new path holds (an old module path is a stand-in whose every name is
the new module's), so that code written for the old layout keeps running while it
moves.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType

# old module -> new module (calculators.<old> -> calculators.<new>)
MOVED_MODULES = {
    "audit": "tools.audit",
    "buyback": "programs.buyback",
    "carbon_reduction": "programs.carbon",
    "coal": "programs.coal",
    "consumption": "programs.consumption",
    "elderly_care": "programs.elderly_care",
    "equipment": "programs.equipment",
    "facility": "tools.facility",
    "housing_relending": "programs.housing",
    "microloan_incentive": "tools.incentive",
    "npl_tolerance": "tools.npl",
    "tech_relending": "programs.tech",
    "transport_relending": "programs.transport",
}

PACKAGE = "calculators"


def warn_moved(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is now ``new`` and goes in the next release."""
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


def moved_module(name: str) -> ModuleType:
    """The module at the new path of old module ``name`` (a name in ``MOVED_MODULES``),
    with the warning."""
    new = f"{PACKAGE}.{MOVED_MODULES[name]}"
    warn_moved(f"{PACKAGE}.{name}", new, stacklevel=4)
    return importlib.import_module(new)


class _MovedLoader(importlib.abc.Loader):
    """Makes the old module a thin stand-in whose names are those of the new one."""

    def __init__(self, name: str) -> None:
        self._name = name

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # the default: a new, empty module under the old name

    def exec_module(self, module: ModuleType) -> None:
        new = moved_module(self._name)
        module.__doc__ = new.__doc__
        module.__all__ = list(getattr(new, "__all__", ()))  # type: ignore[attr-defined]
        module.__getattr__ = lambda attribute: getattr(new, attribute)  # type: ignore[method-assign]
        module.__dir__ = lambda: dir(new)  # type: ignore[method-assign]


class _MovedFinder(importlib.abc.MetaPathFinder):
    """Finds ``import calculators.tech_relending`` and the like."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        package, _, name = fullname.rpartition(".")
        if package != PACKAGE or name not in MOVED_MODULES:
            return None
        return importlib.machinery.ModuleSpec(fullname, _MovedLoader(name))


def install() -> None:
    """Put the finder of old module paths on ``sys.meta_path`` (once)."""
    if not any(isinstance(finder, _MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
