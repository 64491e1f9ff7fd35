"""A block's temporaries stay small: a claim in a fresh process maps and zeroes every
byte of them it has not used before, so the block size bounds what a first claim pays
beyond the rows themselves (numpy's allocations, as ``tracemalloc`` traces them)."""

from __future__ import annotations

import sys
import tracemalloc

from calculators.columnar import compiled as _compiled
from calculators.columnar import parallel as _parallel
from calculators.engine import split as _split
from calculators.programs import tech as tech_relending
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import generate

PER_THREAD_MIB = 28
"""At most this many MiB of numpy temporaries for each block classified at once (some
20 MiB with blocks of 262,144 rows; blocks of 524,288 rows took 38 MiB)."""


def test_the_temporaries_of_a_block_stay_under_a_bound() -> None:
    found = generate.generate(2 * _split.BLOCK_ROWS + 1000)
    spec = tech_relending.claim_spec(generate.QUARTER, generate.LENDER, found.eligible)
    spec.classify_frame(found.frame.iloc[:100])  # the modules and tables of a first claim
    threads = min(_parallel._cores(), 3)
    tracemalloc.start()
    try:
        verdicts = spec.classify_frame(found.frame)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(verdicts.codes) == len(found.frame)
    assert (peak - kept) / threads < PER_THREAD_MIB * 2**20


def test_the_kernels_load_from_the_same_ledger_size_whatever_the_block() -> None:
    assert _compiled.LOAD_BLOCKS * _compiled.KERNEL_ROWS == 6_291_456
