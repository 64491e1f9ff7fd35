"""When a column goes through the compiled kernels of :mod:`calculators.columnar.kernels`.

Columns of at least :data:`KERNEL_ROWS` rows do, when numba can be imported; shorter ones
go through the numpy paths, which never load numba. Either way the answers are the same:
the tests run both paths on the same inputs.

Notes
-----
Loading the kernels costs a process about half a second, once (numba's import, its
cached machine code and LLVM's set-up); they save about 0.1 s of wall time per million
rows of a claim. So a column of at least :data:`LOAD_BLOCKS` blocks of
:data:`KERNEL_ROWS` rows (about 6.3 million: the whole loan-id column of a ledger that
large, searched for duplicates before the blocks are classified) loads them, where a
single claim from a fresh process repays the loading; once loaded, they serve every
column of at least :data:`KERNEL_ROWS` rows (one full block of classification,
:data:`calculators.columnar.parallel.BLOCK_ROWS`). ``relend demo``, the ledgers of most
lenders and a single command of a few million rows never load numba; a session that
claimed a very large ledger uses them for the next large one.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType

from .parallel import BLOCK_ROWS

KERNEL_ROWS = BLOCK_ROWS
"""The fewest rows a column needs to go through the compiled kernels: one full block of
classification."""


LOAD_BLOCKS = 24
"""A column of at least this many times :data:`KERNEL_ROWS` rows loads the kernels
(6,291,456 rows)."""


def kernels_for(rows: int) -> ModuleType | None:
    """The compiled kernels, for a column of ``rows`` rows; None: use numpy (a column
    under :data:`KERNEL_ROWS` rows, or under :data:`LOAD_BLOCKS` times that while the
    kernels are not loaded yet)."""
    if rows < KERNEL_ROWS:
        return None
    if rows >= LOAD_BLOCKS * KERNEL_ROWS or loaded_kernels.cache_info().currsize:
        return loaded_kernels()
    return None


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
