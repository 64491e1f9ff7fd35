"""What follows a claim: the audit of a submitted claim (``audit``), the relending
facility (``facility``: maturity, extensions, interest, clawback), the small/micro
incentive (``incentive``), the NPL tolerance check (``npl``) and day counts
(``daycount``).

Each module loads when it is first used, so that a facility or incentive computed from
figures given loads no ledger machinery.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

__all__ = ["audit", "daycount", "facility", "incentive", "npl"]


def __getattr__(name: str) -> ModuleType:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return import_module(f".{name}", __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
