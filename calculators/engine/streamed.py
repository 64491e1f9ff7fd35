"""A claim whose ledger CSV is read block by block and never held whole
(:mod:`calculators.readers.blocks`): what it keeps of a row is its verdict, about 20
bytes, not its cells.

The file is read in passes, each block of each pass classified or written exactly as
:func:`~calculators.engine.claim.run_claim` treats the same rows of the whole ledger:

1. the first reading (its SHA-256 and notes as it is read): every block classified, on a
   thread per core, as if no loan id were repeated; per row its reason, principal,
   policy version and loan-id cell are kept, and the summary's first invalid rows and
   unrecognized values gathered. Then the rows whose loan id is repeated over the whole
   ledger become duplicates, as the whole-ledger claim makes them (their other reasons
   give way), and the one rounding and each loan's entitlement follow, as in memory;
2. for a program with its own warnings or summary entries
   (:class:`~calculators.engine.program.RowsHook`) whose columns the ledger has, each
   block with its verdicts for the hooks' parts;
3. when the rows are written (:class:`LoanBlocks`), each block with its verdicts and
   entitlements, as the per-loan output's rows.

The command line claims a ledger CSV this way when it writes no workbook; the result
equals the claim in memory, summary and per-loan output, byte for byte (tested).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from .._errors import LedgerFileError
from .._money import exact_sum, leftover_threshold
from ..columnar.duplicates import duplicated_ids
from ..columnar.parallel import in_thread_pipeline
from ..columnar.text import TEXT, TextColumn
from ..policy.model import PolicyRow
from ..readers.blocks import CsvLedger, FirstReading, LedgerBlocks, Piece
from ..readers.columns import REQUIRED, canonical_columns, canonical_name
from .claim import ClaimSpec
from .classify import version_dtype
from .codes import ELIGIBLE, STATUSES, reason_codes, reason_index, status_of_reasons
from .details import (
    INVALID_SHOWN,
    examples,
    quoted,
    unrecognized_counted,
    unrecognized_rows,
    value_counts,
)
from .program import ClaimRows
from .result import ClaimResult, _version_total, per_loan_frame
from .split import RowVerdicts
from .validate import load, loan_id_column, principal_disagreement, raise_disagreement

_INVALID = STATUSES.index("invalid")


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
    spec: ClaimSpec, ledger: CsvLedger, *, progress: bool = False
) -> StreamedClaim | None:
    """Claim a ledger read block by block exactly as :func:`run_claim` claims it whole.

    Parameters
    ----------
    spec : ClaimSpec
    ledger : CsvLedger
        See :func:`calculators.readers.blocks.open_ledger`.
    progress : bool, default False
        Show a bar on stderr while the file is first read and its rows classified.

    Returns
    -------
    StreamedClaim or None
        None for a ledger the whole reading must take, which words what is wrong: a
        column missing, a row Arrow's parser refuses, no rows.

    Raises
    ------
    LedgerFileError
        As :func:`run_claim` (the two principal columns disagreeing on a row), or the
        file changed between two readings.

    Notes
    -----
    Each block is classified as if no loan id were repeated; the rows carrying a
    duplicated one are then found over the whole ledger and given
    ``duplicate_loan_id``, their detail the id as given, unless their id is
    ``invalid_loan_id`` (never a duplicate): the reasons are checked in order and the
    first that applies wins, and ``duplicate_loan_id`` comes before every other, so the
    codes are those of a claim that knew the duplicates (tested).
    """
    try:
        load(ledger.meta, spec.extra_required)
    except LedgerFileError:
        return None  # the whole reading says so, after any row it refuses
    needs = (*REQUIRED, *spec.extra_required)

    def classify(piece: Piece) -> tuple[Any, ...]:
        frame, marked = piece.parsed()
        disagreement = principal_disagreement(canonical_columns(frame, needs))
        found = spec.classify_rows(frame, np.zeros(len(frame), dtype=bool))
        ids = TextColumn.of(loan_id_column(frame)).filled().array
        return marked, disagreement, found, ids, unrecognized_rows(frame, found.codes)

    reading = FirstReading()
    parts: list[RowVerdicts] = []
    ids: list[pa.Array] = []
    odd: list[dict[str, tuple[np.ndarray, pa.Array]]] = []
    refused = None
    try:
        for marked, disagreement, found, cells, unknown in in_thread_pipeline(
            classify, ledger.first_pieces(reading, progress)
        ):
            start = reading.add(len(found.codes), marked)
            if disagreement is not None and refused is None:
                refused = disagreement, start
            parts.append(replace(found, detail_rows=found.detail_rows + start))
            ids.append(cells)
            odd.append({c: (rows + start, values) for c, (rows, values) in unknown.items()})
    except pa.ArrowInvalid:
        return None
    if not reading.rows:
        return None
    if refused is not None:
        raise_disagreement(*refused)
    blocks = ledger.read_again(reading)
    loan_ids = pa.chunked_array(ids, type=pa.large_string())
    verdicts, changed = _with_duplicates(spec, parts, loan_ids)
    del parts
    entitlement = spec.entitlement(verdicts.floors_total, verdicts.remainder_counts)
    r, take = leftover_threshold(verdicts.remainder_counts, entitlement - verdicts.floors_total)
    per_loan = verdicts.entitlements(spec.shares, r, take)
    warned, extra = _own_entries(spec, blocks, verdicts, per_loan)
    loans = LoanBlocks(blocks, verdicts, per_loan, spec.versions)
    result: StreamedClaim = spec.result(
        StreamedClaim, loans, verdicts.eligible_total, exact_sum(per_loan), blocks.sha256,
        blocks.meta,
    )  # fmt: skip
    names = reason_codes()
    return replace(
        result,
        notes=(*result.notes, *warned, *blocks.notes),
        extra=extra,
        input_format=dict(blocks.input_format),
        counts=_counts(verdicts.codes, result.reasons_shown, names),
        per_version=tuple(_per_version(spec, verdicts, per_loan)),
        first_invalid=tuple(_first_invalid(verdicts, loan_ids, names)),
        unrecognized_found=_unrecognized(odd, changed),
    )


def _with_duplicates(
    spec: ClaimSpec, parts: list[RowVerdicts], loan_ids: pa.ChunkedArray
) -> tuple[RowVerdicts, np.ndarray]:
    """The blocks' verdicts as one, the rows carrying a loan id repeated anywhere in the
    ledger given ``duplicate_loan_id`` (but ``invalid_loan_id`` ones), and those rows."""
    rows = sum(len(part.codes) for part in parts)
    whole = RowVerdicts.empty(rows, spec.shares.denominator, version_dtype(len(spec.versions)))
    start = 0
    for part in parts:
        whole.put(start, part)
        start += len(part.codes)
    whole = whole.with_totals(parts)
    ids = pd.Series(pd.arrays.ArrowStringArray(loan_ids), dtype=TEXT)
    changed = duplicated_ids(ids, max(loan_ids.num_chunks, 1))
    changed &= whole.codes != reason_index("invalid_loan_id")
    if not changed.any():
        return whole, changed
    codes = whole.codes
    codes[changed] = reason_index("duplicate_loan_id")
    kept = ~changed[whole.detail_rows]
    repeated = np.flatnonzero(changed)
    detail_rows = np.concatenate([whole.detail_rows[kept], repeated])
    found = quoted("loan_id", loan_ids.take(pa.array(repeated)).combine_chunks())
    text = pa.concat_arrays([whole.details.filter(pa.array(kept)), found.cast(pa.large_string())])
    order = np.argsort(detail_rows, kind="stable")
    verdicts = RowVerdicts.of(
        codes, whole.principal_fen, whole.principal_ok, whole.version, spec.shares,
        (detail_rows[order], text.take(pa.array(order))),
    )  # fmt: skip
    return verdicts, changed


def _first_invalid(
    verdicts: RowVerdicts, loan_ids: pa.ChunkedArray, names: tuple[str, ...]
) -> list[dict[str, Any]]:
    """The summary's first invalid rows (:func:`examples`)."""
    rows = np.flatnonzero(status_of_reasons()[verdicts.codes] == _INVALID)[:INVALID_SHOWN]
    if not len(rows):
        return []
    at = np.searchsorted(verdicts.detail_rows, rows)
    known = at < len(verdicts.detail_rows)
    known[known] = verdicts.detail_rows[at[known]] == rows[known]
    details = verdicts.details.take(pa.array(np.where(known, at, 0))).to_pylist()
    shown = pd.DataFrame(
        {
            "loan_id": loan_ids.take(pa.array(rows)).to_pylist(),
            "reason": [names[code] for code in verdicts.codes[rows]],
            "detail": [d if k else "" for d, k in zip(details, known, strict=True)],
        },
        index=rows,
    )
    return examples(shown)


def _unrecognized(
    parts: list[dict[str, tuple[np.ndarray, pa.Array]]], changed: np.ndarray
) -> dict[str, dict[str, int]]:
    """The summary's unrecognized values from the blocks' rows excluded for one, those
    found to carry a duplicated loan id left out."""
    counts: dict[str, Counter[str]] = {}
    for part in parts:
        for column, (rows, values) in part.items():
            kept = values.filter(pa.array(~changed[rows]))
            counts.setdefault(column, Counter()).update(value_counts(kept))
    return unrecognized_counted(counts)


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
