"""Classifying rows: the exclusions every program shares, each loan matched to the
policy version covering its disbursement date, and one reason code per row (the first
that applies).
"""

from __future__ import annotations

import numpy as np

from calendars import Month, Quarter

from ..columnar.dates import add_months, epoch_days
from ..policy.model import PolicyRow
from .codes import ELIGIBLE, reason_index
from .validate import LoanColumns

_OPEN_END = np.iinfo(np.int64).max


def version_dtype(count: int) -> np.dtype:
    """The narrowest signed integer holding a version index of ``count`` versions, and -1.

    Notes
    -----
    A program's own files have a few versions (int8, one byte a row); a user's policy
    file may bring hundreds, whose index an int8 would wrap (version 128 read as -128).
    Measured on a 1M-row ledger, int8, int16 and int32 claim in the same time within
    the machine's noise; the narrowest is kept for its memory.
    """
    for kind in (np.int8, np.int16, np.int32):
        if count <= np.iinfo(kind).max:
            return np.dtype(kind)
    return np.dtype(np.int64)


def version_of(disbursed: np.ndarray, versions: tuple[PolicyRow, ...]) -> np.ndarray:
    """Per row, the index of the last version starting on or before its disbursement
    date (-1: before every version); versions are in date order and do not overlap.
    The index is of :func:`version_dtype`.

    Notes
    -----
    With a few versions (a program's own files), the index is how many versions start on
    or before the date, less one: one comparison per version, some fifteen times as fast
    as a binary search per row on half a million rows.
    """
    firsts = np.array([epoch_days(v.first_disbursement.value) for v in versions], dtype=np.int64)
    dtype = version_dtype(len(versions))
    if len(firsts) > _COMPARED_VERSIONS:
        return (np.searchsorted(firsts, disbursed, side="right") - 1).astype(dtype)
    found = np.full(len(disbursed), -1, dtype=dtype)
    for first in firsts:
        found += disbursed >= first
    return found


_COMPARED_VERSIONS = 8
"""Up to this many versions, :func:`version_of` compares each row with each version's
first day instead of searching."""


def window_exclusions(
    cols: LoanColumns, versions: tuple[PolicyRow, ...], period: Quarter | Month,
    version: np.ndarray,
) -> list[tuple[str, np.ndarray]]:  # fmt: skip
    """Exclusions every program shares: currency, policy window, claim period, term.

    Notes
    -----
    ``before_policy_start``: disbursed before the program's first version;
    ``after_policy_end``: after the version it falls in ended (after the last version,
    or in a gap between two); ``term_under_minimum``: shorter than the minimum term of
    the version covering the loan (tech: 6 calendar months, month-end clamped,
    tech notice 三, seed 765; ``term_under_6_months`` in earlier outputs).
    """
    d = cols.disbursed
    lasts = np.array(
        [_OPEN_END if v.last_disbursement.value is None
         else epoch_days(v.last_disbursement.value) for v in versions],
        dtype=np.int64,
    )  # fmt: skip
    before = version < 0
    covering = np.clip(version, 0, None)
    after = ~before & (d > lasts[covering])
    minimum = np.array([v.min_term_months.value for v in versions], dtype=np.int64)
    minimums = sorted(set(minimum.tolist()))
    if len(minimums) == 1:  # every version's minimum (tech: 6 months): no gather
        months = minimums[0]
        short = np.zeros(len(d), dtype=bool)
        if months:
            short = ~before & (cols.matures < add_months(d, months))
    else:
        # per row, the minimum term of its version (0: none, or no version); one pass
        # per distinct minimum, not per version (a user's file may bring hundreds)
        row_minimum = np.where(before, 0, minimum[covering])
        short = np.zeros(len(d), dtype=bool)
        for months in [m for m in minimums if m]:
            short |= (row_minimum == months) & (cols.matures < add_months(d, months))
    return [
        ("non_cny", ~cols.is_cny),
        ("before_policy_start", before),
        ("after_policy_end", after),
        ("outside_period", (d < epoch_days(period.start)) | (d > epoch_days(period.end))),
        ("term_under_minimum", short),
    ]


def classify(cols: LoanColumns, exclusions: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """One reason code per row (the first that applies, as an index into
    :func:`calculators.engine.codes.reason_codes`).

    Notes
    -----
    The reasons are written last to first, so that the first that applies is the one
    left: ``codes += (reason - codes) x mask``, in int8 arithmetic, which numpy runs
    several times as fast as ``np.putmask`` (every code is below 128).
    """
    codes = np.full(len(cols.is_cny), ELIGIBLE, dtype=np.int8)
    step = np.empty_like(codes)
    for name, mask in reversed([*cols.invalid, *exclusions]):
        np.subtract(np.int8(reason_index(name)), codes, out=step)
        np.multiply(step, mask, out=step)
        codes += step
    return codes
