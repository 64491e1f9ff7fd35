"""A claim whose ledger CSV is read block by block and never held whole
(:mod:`calculators.readers.blocks`): what it keeps of a row is its verdict, about 20
bytes, not its cells.

The file is read in passes, each block of each pass classified or written exactly as
:func:`~calculators.engine.claim.run_claim` treats the same rows of the whole ledger:

1. the reader's first reading: the loan ids (the rows carrying a duplicated one are
   found over the whole ledger), the file's SHA-256 and its notes;
2. every block classified, on a thread per core, given its rows' duplicates: per row
   its reason, principal and policy version are kept, and the summary's first invalid
   rows and unrecognized values gathered; then the one rounding and each loan's
   entitlement, as in memory;
3. for a program with its own warnings or summary entries
   (:class:`~calculators.engine.program.RowsHook`), each block with its verdicts for
   the hooks' parts;
4. when the rows are written (:class:`LoanBlocks`), each block with its verdicts and
   entitlements, as the per-loan output's rows.

The command line claims a ledger CSV this way when it writes no workbook; the result
equals the claim in memory, summary and per-loan output, byte for byte (tested).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import _progress
from .._money import exact_sum, leftover_threshold
from ..columnar.duplicates import duplicated_ids
from ..columnar.parallel import in_thread_pipeline
from ..columnar.text import TEXT
from ..policy.model import PolicyRow
from ..readers.blocks import LedgerBlocks, Piece
from ..readers.columns import REQUIRED, canonical_columns, canonical_name
from .claim import ClaimSpec
from .classify import version_dtype
from .codes import ELIGIBLE, STATUSES, reason_codes, status_of_reasons
from .details import INVALID_SHOWN, examples, unrecognized_combined, unrecognized_part
from .program import ClaimRows
from .result import ClaimResult, _version_total, per_loan_frame
from .split import RowVerdicts
from .validate import load, loan_id_column, principal_disagreement, raise_disagreement

_INVALID = 2  # the status code of invalid rows (see calculators.engine.codes)


def _rows(verdicts: RowVerdicts, start: int, stop: int) -> RowVerdicts:
    """The verdicts on rows ``start`` to ``stop``, their detail rows counted from
    ``start``."""
    first, last = np.searchsorted(verdicts.detail_rows, [start, stop])
    return replace(
        verdicts,
        codes=verdicts.codes[start:stop],
        principal_fen=verdicts.principal_fen[start:stop],
        principal_ok=verdicts.principal_ok[start:stop],
        version=verdicts.version[start:stop],
        detail_rows=verdicts.detail_rows[first:last] - start,
        details=verdicts.details.slice(first, last - first),
    )


@dataclass(frozen=True, eq=False)
class LoanBlocks:
    """The per-loan output of a :class:`StreamedClaim`, made a block at a time from the
    ledger read again (see :func:`~calculators.reports.csv_file.write_csv`).

    Attributes
    ----------
    ledger : LedgerBlocks
    verdicts : RowVerdicts
        Every row's, with its details.
    entitlement_fen : numpy.ndarray
        Every row's entitlement.
    versions : tuple of PolicyRow
    """

    ledger: LedgerBlocks
    verdicts: RowVerdicts = field(repr=False)
    entitlement_fen: np.ndarray = field(repr=False)
    versions: tuple[PolicyRow, ...] = field(repr=False)

    def __len__(self) -> int:
        return self.ledger.rows

    @functools.cached_property
    def meta(self) -> pd.DataFrame:
        """No rows, the per-loan output's columns and dtypes."""
        return per_loan_frame(
            self.ledger.meta, _rows(self.verdicts, 0, 0), self.entitlement_fen[:0], self.versions
        )

    @property
    def columns(self) -> pd.Index:
        return self.meta.columns

    def blocks(self) -> Iterator[Callable[[], pd.DataFrame]]:
        """The per-loan output in order, a block at a time: each made when called, on
        the thread that calls it (the ledger's block parsed there)."""
        for piece in self.ledger.pieces():
            yield functools.partial(self._loans, piece)

    def _loans(self, piece: Piece) -> pd.DataFrame:
        start, stop = piece.start, piece.start + (piece.rows or 0)
        return per_loan_frame(
            piece.frame(), _rows(self.verdicts, start, stop), self.entitlement_fen[start:stop],
            self.versions,
        )  # fmt: skip


@dataclass(frozen=True, eq=False)
class StreamedClaim(ClaimResult):
    """A claim of a ledger read block by block: ``loans`` is :class:`LoanBlocks`, and the
    summary's counts, per-version totals, first invalid rows and unrecognized values
    were gathered as the blocks were classified."""

    counts: tuple[int, dict[str, int], dict[str, int]] = field(default=(0, {}, {}), repr=False)
    per_version: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    first_invalid: tuple[dict[str, Any], ...] = field(default=(), repr=False)
    unrecognized_found: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    def row_counts(self) -> tuple[int, dict[str, int], dict[str, int]]:
        total, status, reasons = self.counts
        return total, dict(status), dict(reasons)

    def version_totals(self) -> list[dict[str, Any]]:
        return [dict(v) for v in self.per_version]

    def invalid_examples(self, limit: int = INVALID_SHOWN) -> list[dict[str, Any]]:
        if limit > INVALID_SHOWN:
            raise ValueError(f"a streamed claim keeps its first {INVALID_SHOWN} invalid rows")
        return [dict(row) for row in self.first_invalid[:limit]]

    def unrecognized(self) -> dict[str, dict[str, int]]:
        return {column: dict(values) for column, values in self.unrecognized_found.items()}


def stream_claim(
    spec: ClaimSpec, ledger: LedgerBlocks, loan_ids: list[pa.Array], *, progress: bool = False
) -> StreamedClaim:
    """Claim a ledger read block by block exactly as :func:`run_claim` claims it whole.

    Parameters
    ----------
    spec : ClaimSpec
    ledger : LedgerBlocks
    loan_ids : list of pyarrow.Array
        The loan-id cells of every row, as the first reading kept them
        (:func:`calculators.readers.blocks.scan_ledger`).
    progress : bool, default False
        Show a bar on stderr while the rows are classified.

    Raises
    ------
    LedgerFileError
        As :func:`run_claim` (a required column missing, the two principal columns
        disagreeing on a row), or the file changed between two readings.
    """
    load(ledger.meta, spec.extra_required)  # the columns, before any row is read again
    chunks = pa.chunked_array(loan_ids, type=pa.large_string())
    ids = pd.Series(pd.arrays.ArrowStringArray(chunks), dtype=TEXT)
    duplicate = duplicated_ids(ids, max(len(loan_ids), 1))
    del ids, chunks
    verdicts = RowVerdicts.empty(
        ledger.rows, spec.shares.denominator, version_dtype(len(spec.versions))
    )
    needs = (*REQUIRED, *spec.extra_required)
    invalid_status = status_of_reasons() == _INVALID
    names = reason_codes()

    def classify(piece: Piece) -> tuple[RowVerdicts, list[dict[str, Any]], Any]:
        start, frame = piece.start, piece.frame()
        raise_disagreement(principal_disagreement(canonical_columns(frame, needs)), start)
        found = spec.classify_rows(frame, duplicate[start : start + len(frame)])
        verdicts.put(start, found)
        shown = np.flatnonzero(invalid_status[found.codes])[:INVALID_SHOWN]
        first = _first_invalid(frame, found, shown, start, names)
        part = unrecognized_part(frame, found.codes)
        return replace(found, detail_rows=found.detail_rows + start), first, part

    parts: list[RowVerdicts] = []
    first_invalid: list[dict[str, Any]] = []
    unrecognized: list[Any] = []
    with _progress.bar(ledger.rows, _progress.classifying(), progress) as bar:
        for found, first, part in in_thread_pipeline(classify, ledger.pieces()):
            parts.append(found)
            first_invalid += first[: INVALID_SHOWN - len(first_invalid)]
            unrecognized.append(part)
            bar.update(len(found.codes))
    verdicts = verdicts.with_totals(parts)
    del parts
    entitlement = spec.entitlement(verdicts.floors_total, verdicts.remainder_counts)
    r, take = leftover_threshold(verdicts.remainder_counts, entitlement - verdicts.floors_total)
    per_loan = verdicts.entitlements(spec.shares, r, take)
    warned, extra = _own_entries(spec, ledger, verdicts, per_loan)
    loans = LoanBlocks(ledger, verdicts, per_loan, spec.versions)
    result: StreamedClaim = spec.result(
        StreamedClaim, loans, verdicts.eligible_total, exact_sum(per_loan), ledger.sha256,
        ledger.meta,
    )  # fmt: skip
    return replace(
        result,
        notes=(*result.notes, *warned, *ledger.notes),
        extra=extra,
        input_format=dict(ledger.input_format),
        counts=_counts(verdicts.codes, result.reasons_shown, names),
        per_version=tuple(_per_version(spec, verdicts, per_loan)),
        first_invalid=tuple(first_invalid),
        unrecognized_found=unrecognized_combined(unrecognized),
    )


def _first_invalid(
    frame: pd.DataFrame, found: RowVerdicts, rows: np.ndarray, start: int, names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The summary's entries (:func:`examples`) of the invalid ``rows`` of a block."""
    if not len(rows):
        return []
    at = np.searchsorted(found.detail_rows, rows)
    known = at < len(found.detail_rows)
    known[known] = found.detail_rows[at[known]] == rows[known]
    details = found.details.to_pylist()
    shown = pd.DataFrame(
        {
            "loan_id": loan_id_column(frame).iloc[rows].to_numpy(),
            "reason": [names[code] for code in found.codes[rows]],
            "detail": [details[a] if k else "" for a, k in zip(at, known, strict=True)],
        },
        index=rows + start,
    )
    return examples(shown)


def _counts(
    codes: np.ndarray, shown: tuple[str, ...], names: tuple[str, ...]
) -> tuple[int, dict[str, int], dict[str, int]]:
    """Rows in all, per status and per reason shown (as :meth:`ClaimResult.row_counts`)."""
    by_reason = np.bincount(codes.astype(np.intp), minlength=len(names))
    by_status = np.bincount(status_of_reasons()[codes.astype(np.intp)], minlength=len(STATUSES))
    per_reason = dict(zip(names, by_reason.tolist(), strict=True))
    return (
        len(codes),
        {s: int(by_status[k]) for k, s in enumerate(STATUSES)},
        {code: int(per_reason.get(code, 0)) for code in shown},
    )


def _per_version(
    spec: ClaimSpec, verdicts: RowVerdicts, per_loan: np.ndarray
) -> Iterator[dict[str, Any]]:
    """Per version overlapping the period: its eligible loans, principal and entitlement."""
    eligible = verdicts.codes == ELIGIBLE
    for row in spec.policies:
        mine = eligible & (verdicts.version == spec.versions.index(row))
        yield _version_total(
            row, int(mine.sum()), exact_sum(verdicts.principal_fen[mine]),
            exact_sum(per_loan[mine]),
        )  # fmt: skip


def _own_entries(
    spec: ClaimSpec, ledger: LedgerBlocks, verdicts: RowVerdicts, per_loan: np.ndarray
) -> tuple[tuple[dict[str, str], ...], dict[str, Any]]:
    """The program's own warnings and summary entries, from each block's part: the
    ledger read once more, only for a program that has them, and not for a hook that
    needs a column the ledger lacks (see
    :attr:`~calculators.engine.program.RowsHook.needs`)."""
    program = spec.program
    hooks = {name: hook for name in ("warn", "summarize")
             if (hook := getattr(program, name)) is not None}  # fmt: skip
    given = {canonical_name(c) for c in ledger.columns}
    reading = {name: hook for name, hook in hooks.items()
               if all(k in given for k in hook.needs)}  # fmt: skip
    parts: dict[str, list[Any]] = {name: [] for name in hooks}
    for name in hooks.keys() - reading.keys():  # a column missing: the part of no rows
        none = ClaimRows(spec.versions, ledger.meta, verdicts.codes[:0], verdicts.version[:0],
                         verdicts.principal_fen[:0], per_loan[:0])  # fmt: skip
        parts[name].append(hooks[name].part(none))

    def part(piece: Piece) -> dict[str, Any]:
        frame = piece.frame()
        at = slice(piece.start, piece.start + len(frame))
        rows = ClaimRows(spec.versions, frame, verdicts.codes[at], verdicts.version[at],
                         verdicts.principal_fen[at], per_loan[at])  # fmt: skip
        return {name: hook.part(rows) for name, hook in reading.items()}

    if reading:
        for found in in_thread_pipeline(part, ledger.pieces()):
            for name, value in found.items():
                parts[name].append(value)
    warned = hooks["warn"].combine(spec.versions, parts["warn"]) if "warn" in hooks else ()
    extra = (
        hooks["summarize"].combine(spec.versions, parts["summarize"])
        if "summarize" in hooks
        else {}
    )
    return tuple(warned), dict(extra)


__all__ = ["LoanBlocks", "StreamedClaim", "stream_claim"]
