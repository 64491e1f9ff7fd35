"""When a column goes through the compiled kernels of :mod:`calculators.columnar.kernels`.

Columns of at least :data:`KERNEL_ROWS` rows do, when numba can be imported; shorter ones
go through the numpy paths, which never load numba. Either way the answers are the same:
the tests run both paths on the same inputs.

Notes
-----
Loading the kernels costs a process about half a second, once (numba's import and its
cached machine code); they save about 0.1 s of wall time per million rows of a claim.
So they are kept for ledgers of at least one full block of classification
(:data:`calculators.columnar.parallel.BLOCK_ROWS`, 524,288 rows): ``relend demo`` and the
ledgers of most lenders never load numba, a session that claims large ledgers more than
once gains from the first, and a single command gains from a few million rows.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from .parallel import BLOCK_ROWS

KERNEL_ROWS = BLOCK_ROWS
"""The fewest rows a column needs to go through the compiled kernels: one full block of
classification."""


def kernels_for(rows: int) -> ModuleType | None:
    """The compiled kernels, for a column of ``rows`` rows; None: use numpy."""
    return loaded_kernels() if rows >= KERNEL_ROWS else None


@lru_cache(maxsize=1)
def loaded_kernels() -> ModuleType | None:
    """:mod:`calculators.columnar.kernels`, imported (and numba with it) on first use; None when
    numba cannot be imported (not installed, or not for this platform) or cannot keep
    its compiled code anywhere (numba refuses to define a cached kernel when neither the
    package's folder nor a user cache folder is writable): the numpy paths give the same
    answers, only slower."""
    try:
        from . import kernels
    except (ImportError, OSError, RuntimeError):
        return None
    return kernels
