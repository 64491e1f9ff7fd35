"""Duplicate loan ids are found by looking up only the repeated keys.

``duplicated_ids`` hashes the stripped ids, keys each row by its hash's top 32 bits,
finds the keys that repeat, and compares as strings only the rows carrying one of them;
these tests force keys to collide at both ends of the key range, and hashes that differ
to share a key and a bitmap entry, and check the answer against a plain counter.
"""

from __future__ import annotations

import itertools
from collections import Counter
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.columnar import compiled as _compiled
from calculators.columnar import duplicates as _duplicates
from calculators.columnar.compiled import KERNEL_ROWS
from calculators.columnar.text import TextColumn

TOP = np.uint64(1 << 63)


def _oracle(values: list[str]) -> list[bool]:
    stripped = [v.strip(" \u3000") for v in values]
    counts = Counter(s for s in stripped if s)
    return [bool(s) and counts[s] > 1 for s in stripped]


def _few_hashes(part: TextColumn, width: int) -> np.ndarray:
    """Four hashes in all, two in each half of the range: ids of one length collide, and
    the two hashes of a half share their top 32 bits (one key for different ids)."""
    lengths = part.lengths.astype(np.uint64) % np.uint64(4)
    return np.where(lengths % np.uint64(2) == 1, TOP, np.uint64(0)) + lengths // np.uint64(2)


@given(st.lists(st.text("AB1 ", max_size=5), max_size=40), st.integers(1, 4))
def test_collisions_in_both_halves_stay_exact(values, blocks) -> None:
    with mock.patch.object(TextColumn, "hashes", _few_hashes):
        got = _duplicates.duplicated_ids(pd.Series(values, dtype=object), blocks)
    assert list(got) == _oracle(values)


def test_hand_worked_ledger() -> None:
    # " L1" and "L1 " strip to "L1" (twice); "L2" once; "" is never a duplicate; "L3"
    # three times; "L33" once though its hash may share a half with "L3"'s
    values = [" L1", "L2", "", "L3", "L1 ", "L3", "", "L33", "L3"]
    want = [True, False, False, True, True, True, False, False, True]
    assert list(_duplicates.duplicated_ids(pd.Series(values, dtype=object), 2)) == want
    with mock.patch.object(TextColumn, "hashes", _few_hashes):
        assert list(_duplicates.duplicated_ids(pd.Series(values, dtype=object), 2)) == want


def test_no_sorted_membership_over_every_hash() -> None:
    """``np.isin`` sorts every row's key together with the repeated ones; the lookup
    must probe a bitmap of the repeated keys instead (about 1 s at 10M rows)."""
    values = [f"L{i % 700}" for i in range(1_000)]  # 300 ids twice, 400 once
    with mock.patch.object(np, "isin", side_effect=AssertionError("np.isin over all hashes")):
        got = _duplicates.duplicated_ids(pd.Series(values, dtype=object), 2)
    assert int(got.sum()) == 600
    assert list(got) == _oracle(values)


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@given(
    st.lists(st.text("AB1 ", max_size=4), min_size=1, max_size=40),
    st.lists(st.integers(0, 40), max_size=6),
    st.integers(2, 4),
)
def test_a_column_in_many_chunks_is_read_chunk_by_chunk(kernel_rows, values, cuts, blocks) -> None:
    """A column read from a CSV comes in Arrow chunks; with at least as many chunks as
    blocks each chunk is its own part (no copy), and an id repeated in two chunks is
    still found."""
    import pyarrow as pa

    from calculators.columnar.text import TEXT

    bounds = sorted({0, len(values), *(min(c, len(values)) for c in cuts)})
    chunks = [pa.array(values[a:b], type=pa.large_string()) for a, b in itertools.pairwise(bounds)]
    series = pd.Series(pd.arrays.ArrowStringArray(pa.chunked_array(chunks)), dtype=TEXT)
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        assert list(_duplicates.duplicated_ids(series, blocks)) == _oracle(values)
    with mock.patch.object(TextColumn, "hashes", _few_hashes):
        assert list(_duplicates.duplicated_ids(series, blocks)) == _oracle(values)
