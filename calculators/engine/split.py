"""Splitting a claim over its loans: per-row verdicts, the exact totals of each
loan's share under its version's ratio, and the largest-remainder split of the one
rounded entitlement, block by block on a thread per core.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np
import pyarrow as pa

from .._money import Shares, exact_sum
from ..columnar.parallel import (
    BLOCK_ROWS as BLOCK_ROWS,  # the blocks of this engine (tests shrink them)
)
from ..columnar.parallel import in_threads
from .codes import ELIGIBLE


@dataclass(frozen=True)
class RowVerdicts:
    """Per-row results of classification, as parallel numpy arrays, and their totals.

    Notes
    -----
    The per-loan split needs, besides these, each eligible loan's floor and remainder
    under its version's ratio; they are computed block by block twice (for the totals,
    then for the entitlements) rather than kept, which costs less than storing two int64
    columns.
    """

    codes: np.ndarray  # int8 index into reason_codes()
    principal_fen: np.ndarray
    principal_ok: np.ndarray
    version: np.ndarray  # index into the program's versions (version_dtype), -1 none
    eligible_total: int  # exact sum of the eligible principal
    floors_total: int  # exact sum of floor(ratio x eligible principal)
    remainder_counts: np.ndarray  # eligible loans per remainder, 0 .. denominator - 1
    detail_rows: np.ndarray  # the rows with a detail (see row_details), ascending
    details: pa.Array

    ARRAYS: ClassVar[tuple[str, ...]] = ("codes", "principal_fen", "principal_ok", "version")

    @classmethod
    def of(
        cls,
        codes: np.ndarray,
        principal_fen: np.ndarray,
        ok: np.ndarray,
        version: np.ndarray,
        shares: Shares,
        details: tuple[np.ndarray, pa.Array],
    ) -> RowVerdicts:
        """The verdicts on some rows, with the totals of their split under ``shares``.

        Only the eligible rows are split: every other row's share is 0, floor and
        remainder (it is counted at remainder 0).
        """
        rows = np.flatnonzero(codes == ELIGIBLE)
        eligible = np.take(principal_fen, rows)
        floors, remainders = shares.split(eligible, np.take(version, rows))
        counts = np.bincount(remainders, minlength=shares.denominator)
        counts[0] += len(codes) - len(rows)
        return cls(
            codes, principal_fen, ok, version, exact_sum(eligible), exact_sum(floors), counts,
            *details,
        )  # fmt: skip

    @property
    def eligible_principal(self) -> np.ndarray:
        """The principal where eligible, else 0."""
        return _eligible(self.codes, self.principal_fen)

    @classmethod
    def empty(cls, rows: int, denominator: int, version_dtype: np.dtype) -> RowVerdicts:
        """Arrays for ``rows`` rows, to be filled block by block with :meth:`put`
        (``version_dtype``: that of the version index, see
        :func:`calculators.engine.classify.version_dtype`)."""
        codes, ok = np.empty(rows, dtype=np.int8), np.empty(rows, dtype=bool)
        principal, version = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=version_dtype)
        none = np.zeros(0, dtype=np.int64), pa.array([], pa.large_string())
        counts = np.zeros(denominator, dtype=np.int64)
        return cls(codes, principal, ok, version, 0, 0, counts, *none)

    def put(self, start: int, part: RowVerdicts) -> None:
        """Copy a block's arrays into rows ``start`` onward (totals are summed apart)."""
        for name in self.ARRAYS:
            getattr(self, name)[start : start + len(part.codes)] = getattr(part, name)

    def with_totals(self, parts: list[RowVerdicts]) -> RowVerdicts:
        """These arrays with the totals and details of ``parts`` (in row order, their
        ``detail_rows`` already counted from the first row of the whole) added up."""
        return replace(
            self,
            eligible_total=sum(p.eligible_total for p in parts),
            floors_total=sum(p.floors_total for p in parts),
            remainder_counts=np.sum([p.remainder_counts for p in parts], axis=0),
            detail_rows=np.concatenate([self.detail_rows, *(p.detail_rows for p in parts)]),
            details=pa.concat_arrays([self.details, *(p.details for p in parts)]),
        )

    def entitlements(self, shares: Shares, r: int, take: int) -> np.ndarray:
        """Each loan's floor plus its leftover fen (see :func:`leftover_threshold`):
        one more fen above remainder ``r``, and for the first ``take`` loans at ``r``.

        Computed block by block on a thread per core, over the eligible rows only: the
        others get 0 (their remainder, 0, is never ``r``, which is 1 or more when
        ``take`` is, see :func:`leftover_threshold`).
        """
        out = np.zeros(len(self.codes), dtype=np.int64)

        def block(start: int) -> np.ndarray:
            part = slice(start, start + BLOCK_ROWS)
            rows = np.flatnonzero(self.codes[part] == ELIGIBLE)
            floors, remainders = shares.split(
                np.take(self.principal_fen[part], rows), np.take(self.version[part], rows)
            )
            floors += remainders > r
            out[part][rows] = floors
            return rows[np.flatnonzero(remainders == r)[:take]] + start if take else rows[:0]

        at_r = in_threads(block, list(range(0, len(out), BLOCK_ROWS)))
        if take:
            out[np.concatenate(at_r)[:take]] += 1
        return out


def _eligible(codes: np.ndarray, principal_fen: np.ndarray) -> np.ndarray:
    return principal_fen * (codes == ELIGIBLE)  # 0 where not eligible
