"""relend's modules compiled to bytecode before a benchmark, as an installed package has
them.

pip compiles a package's modules when it installs it. A process importing relend from
this working tree compiles and caches them itself, except where
``PYTHONDONTWRITEBYTECODE`` is set (some CI and sandbox machines): there every fresh
process would compile some 200 modules again, about 0.05 s of a cold command that a
user's installed relend never pays. The benchmarks time what users run, so they compile
the modules first.
"""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def compile_packages(root: Path = ROOT) -> None:
    """Write the bytecode of ``calendars`` and ``calculators`` under ``root``."""
    for name in ("calendars", "calculators"):
        compileall.compile_dir(root / name, quiet=1)
