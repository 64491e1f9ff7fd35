"""The verdicts' totals and the per-loan split, worked by hand on rows of every kind."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pyarrow as pa
import pytest

from calculators._money import Shares, leftover_threshold
from calculators.engine import split as _split
from calculators.engine.codes import reason_index
from calculators.engine.split import RowVerdicts

E, X, BAD = reason_index("eligible"), reason_index("outside_period"), reason_index("invalid_date")
CODES = np.array([E, X, E, E, BAD, E, E, E], dtype=np.int8)
PRINCIPAL = np.array([101, 999, 102, 104, 7, 106, 3, 1], dtype=np.int64)
# 3/5 of each eligible principal, as floor and remainder in fifths of a fen:
# 101 -> 60 r3, 102 -> 61 r1, 104 -> 62 r2, 106 -> 63 r3, 3 -> 1 r4, 1 -> 0 r3
SHARES = Shares.of([Fraction(3, 5)])


def _verdicts() -> RowVerdicts:
    return RowVerdicts.of(
        CODES, PRINCIPAL, np.ones(8, dtype=bool), np.zeros(8, dtype=np.int8), SHARES,
        (np.zeros(0, dtype=np.int64), pa.array([], pa.large_string())),
    )  # fmt: skip


def test_totals_count_only_eligible_rows_and_the_others_at_remainder_zero() -> None:
    verdicts = _verdicts()
    assert verdicts.eligible_total == 101 + 102 + 104 + 106 + 3 + 1 == 417
    assert verdicts.floors_total == 60 + 61 + 62 + 63 + 1 + 0 == 247
    # remainders 0 (the two rows not eligible), 1, 2, 3 (three rows), 4
    assert verdicts.remainder_counts.tolist() == [2, 1, 1, 3, 1]
    # 3/5 x 417 = 250.2 -> 250: three fen over the floors
    assert SHARES.total(verdicts.floors_total, verdicts.remainder_counts) == 250


@pytest.mark.parametrize("block_rows", [1, 3, 1 << 19])
def test_leftover_fen_go_to_the_largest_remainders_earlier_rows_first(
    monkeypatch, block_rows
) -> None:
    monkeypatch.setattr(_split, "BLOCK_ROWS", block_rows)
    verdicts = _verdicts()
    r, take = leftover_threshold(verdicts.remainder_counts, 250 - 247)
    assert (r, take) == (3, 2)  # the remainder 4, then two of the three at 3
    got = verdicts.entitlements(SHARES, r, take)
    # rows 0 and 5 of the remainder-3 rows 0, 5 and 7; rows 1 and 4 are not eligible
    assert got.tolist() == [61, 0, 61, 62, 0, 64, 2, 0]
    assert got.dtype == np.int64
