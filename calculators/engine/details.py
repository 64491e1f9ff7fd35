"""What was wrong with a row, in words: the ``detail`` column and the summary's
examples of invalid rows and of values a claim did not recognize.

A detail is data first: ``column='value'`` names the ledger's column and quotes the
cell as given, the same in every language, so that the row can be found and the value
searched for. The hints appended to it are sentences for the person fixing the ledger
(an Excel serial number for a date, an id that Excel turned into a number, a maturity
not after the disbursement): they are in the user's language, chosen once per block.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .._i18n import _
from ..columnar.parallel import in_threads
from ..columnar.text import TEXT, TextColumn
from ..readers.columns import canonical_name
from .codes import INVALID_REASONS, reason_index
from .program import registered
from .split import BLOCK_ROWS
from .validate import LoanColumns, loan_id_column

# the reasons whose rows get a detail, and the columns it shows (see row_details)
_QUOTED_REASONS = {
    "invalid_loan_id": "loan_id",
    "duplicate_loan_id": "loan_id",
    "invalid_borrower_id": "borrower_id",
    "non_cny": "currency",
}


DETAIL_REASONS = (*INVALID_REASONS, "non_cny")


_EXCEL_SERIAL = r"^\s*(?:[2-7]\d{4}|80000)\s*$"


_FINER_THAN_FEN = r"\.\d{7,}\s*$"  # 万元 with more than six decimals: part of a fen


def _wan_hint() -> str:
    return _(" (an amount in 万元 has at most 6 decimals: 0.000001 万元 is one fen)")


def _excel_hint() -> str:
    return _(" (an Excel serial number: export dates as text, e.g. 2022-07-01)")


# an 18-digit id that went through a floating-point number: Excel's scientific notation
# (9.11101085011946E+17), or all digits but exactly a double's value (911101085011945856)
_ID_AS_NUMBER = r"^\s*\d(?:\.\d+)?[eE]\+?0*1[5-8]\s*$"


def _id_hint() -> str:
    return _(
        " (an 18-digit id stored as a number in Excel, which keeps 15 digits: format the "
        "column as text and enter the ids again)"
    )


def _id_went_through_a_number(cells: pa.Array) -> np.ndarray:
    """Which borrower-id cells look like an id that was a number in Excel.

    Notes
    -----
    Scientific notation always does. An 18-digit cell does when it is exactly a double's
    value: above 2**53 doubles are spaced 64 or 128 apart, so a rounded id keeps that
    mark, and a real id has it by chance only 1 time in 64 or 128 (the row is invalid
    anyway; only the hint depends on this).
    """
    scientific = pc.match_substring_regex(cells, _ID_AS_NUMBER).to_numpy(zero_copy_only=False)
    stripped = pc.utf8_trim_whitespace(cells)
    digits = pc.match_substring_regex(stripped, r"^\d{18}$").to_numpy(zero_copy_only=False)
    exact = np.zeros(len(cells), dtype=bool)
    if digits.any():
        at = np.flatnonzero(digits)
        values = pc.cast(pc.take(stripped, pa.array(at)), pa.int64()).to_numpy()
        exact[at] = values.astype(np.float64).astype(np.int64) == values
    return scientific | exact


_LARGE = pa.large_string()


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, _LARGE)


def _raw(cols: LoanColumns, name: str, rows: np.ndarray) -> pa.Array:
    """The cells of column ``name`` at ``rows`` as given, as text (missing as "")."""
    return TextColumn.of(cols.frame[name].iloc[rows]).filled().array


def quoted(name: str, cells: pa.Array) -> pa.Array:
    """``name='cell'`` for each cell (the detail of an id or a code as given)."""
    return pc.binary_join_element_wise(_lit(f"{name}='"), cells, _lit("'"), _lit(""))


def _joined(parts: list[pa.Array], separator: str) -> pa.Array:
    """Element-wise join of text columns, null parts left out."""
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, _lit(separator), null_handling="skip")


def _detail_of(cols: LoanColumns, reason: str, rows: np.ndarray) -> pa.Array:
    """The detail of the rows (positions in ``cols``) whose reason is ``reason``."""
    if reason == "invalid_borrower_id":
        cells = _raw(cols, "borrower_id", rows)
        text = quoted("borrower_id", cells)
        hinted = pc.binary_join_element_wise(text, _lit(_id_hint()), _lit(""))
        return pc.if_else(pa.array(_id_went_through_a_number(cells)), hinted, text)
    if reason in _QUOTED_REASONS:
        name = _QUOTED_REASONS[reason]
        return quoted(name, _raw(cols, name, rows))
    if reason == "invalid_principal":
        names = [n for n in ("principal", "principal_wan", "principal_fen")
                 if n in cols.frame.columns]  # fmt: skip
        text = _joined([quoted(n, _raw(cols, n, rows)) for n in names], ", ")
        if "principal_wan" not in names:
            return text
        finer = pc.match_substring_regex(_raw(cols, "principal_wan", rows), _FINER_THAN_FEN)
        return pc.if_else(
            finer, pc.binary_join_element_wise(text, _lit(_wan_hint()), _lit("")), text
        )
    if reason == "maturity_not_after_disbursement":
        matures = quoted("maturity_date", _raw(cols, "maturity_date", rows))
        disbursed = quoted("disbursement_date", _raw(cols, "disbursement_date", rows))
        return pc.binary_join_element_wise(
            matures,
            # TRANSLATORS: a detail: maturity_date='...' (not after disbursement_date='...')
            _lit(_(" (not after ")),
            disbursed,
            _lit(_(")")),
            _lit(""),
        )
    assert reason == "invalid_date", reason
    parts = []
    for name, ok in zip(("disbursement_date", "maturity_date"), cols.dates_ok, strict=True):
        cells = _raw(cols, name, rows)
        serial = pc.match_substring_regex(cells, _EXCEL_SERIAL)
        text = quoted(name, cells)
        text = pc.if_else(
            serial, pc.binary_join_element_wise(text, _lit(_excel_hint()), _lit("")), text
        )
        parts.append(pc.if_else(pa.array(~ok[rows]), text, pa.nulls(len(rows), _LARGE)))
    return _joined(parts, "; ")


def row_details(
    cols: LoanColumns,
    codes: np.ndarray,
    program_columns: Mapping[str, str] | None = None,
    made: Mapping[str, Callable[[LoanColumns, np.ndarray], pa.Array]] | None = None,
) -> tuple[np.ndarray, pa.Array]:
    """What was wrong with each invalid row, and the unrecognized value of rows excluded
    for one (a currency outside the CNY aliases, a category outside the list).

    Returns
    -------
    rows : numpy.ndarray of int64
        The rows that get a detail, ascending.
    details : pyarrow.Array of large_string
        For each such row: the column and the offending value as given, e.g.
        ``disbursement_date='2022.07.01'``, ``principal='-5.00'``, ``loan_id=''``.

    program_columns : Mapping of str to str, optional
        A program's own reason codes and the ledger column each one's detail shows
        (``loan_rate_above_cap`` -> ``loan_rate``).
    made : Mapping of str to callable, optional
        Reason codes whose detail is made by a function of the columns and the rows
        (``already_claimed``: the claim that holds the loan).

    Notes
    -----
    Only the flagged rows (usually few) are read, reason by reason, with Arrow kernels:
    no Python per row.
    """
    found_rows, found_text = [np.zeros(0, dtype=np.int64)], [pa.array([], _LARGE)]
    own = dict(program_columns or {})
    makers = dict(made or {})
    for reason in (*DETAIL_REASONS, *own, *makers):
        rows = np.flatnonzero(codes == reason_index(reason))
        if len(rows):
            found_rows.append(rows)
            if reason in makers:
                text = makers[reason](cols, rows)
            elif reason in own:
                text = quoted(own[reason], _raw(cols, own[reason], rows))
            else:
                text = _detail_of(cols, reason, rows)
            found_text.append(text.cast(_LARGE))
    rows = np.concatenate(found_rows)
    order = np.argsort(rows, kind="stable")
    return rows[order], pc.take(pa.concat_arrays(found_text), pa.array(order))


def detail_column(rows: int, where: np.ndarray, details: pa.Array) -> pd.arrays.ArrowStringArray:
    """A text column of ``rows`` rows: ``details`` at the positions ``where`` (ascending),
    empty elsewhere; built from offsets, no Python per row.

    Notes
    -----
    The offsets are a step function of the row: a row ends where the details of the
    rows up to it end. They are written by ``np.repeat`` of those totals, a block of
    :data:`calculators.engine.split.BLOCK_ROWS` rows per thread, each block an Arrow chunk
    over the one buffer of the details' text (no copy of the text).
    """
    given = TextColumn.of(details)
    totals = np.zeros(len(where) + 1, dtype=np.int64)
    np.cumsum(given.lengths, out=totals[1:])
    text = pa.py_buffer(np.ascontiguousarray(given.used))

    def block(start: int) -> pa.Array:
        stop = min(start + BLOCK_ROWS, rows)
        first, last = np.searchsorted(where, [start, stop])
        # rows before each detail row of the block, then the rows after its last
        runs = np.diff(where[first:last] - start, prepend=0, append=stop - start)
        ends = np.empty(stop - start + 1, dtype=np.int64)
        ends[0] = totals[first]
        ends[1:] = np.repeat(totals[first : last + 1], runs)
        return pa.Array.from_buffers(_LARGE, stop - start, [None, pa.py_buffer(ends), text])

    chunks = in_threads(block, list(range(0, rows, BLOCK_ROWS)))
    return pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=_LARGE), dtype=TEXT)


INVALID_SHOWN = 10


def examples(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Invalid rows for the summary: a few rows, so a loop is fine; the frame's index is
    each row's position in the ledger."""
    ids = TextColumn.of(loan_id_column(rows)).filled().array.to_pylist()
    return [
        {"line": int(at) + 2, "loan_id": str(i), "reason": str(r), "detail": str(d)}
        for at, i, r, d in zip(rows.index, ids, rows["reason"], rows["detail"], strict=True)
    ]


def _unrecognized() -> list[tuple[str, str, Callable[[pd.Series], np.ndarray] | None]]:
    """Values a claim excludes rows for because it may not recognize them: the column,
    the reason code its rows get, and which values relend knows (None: none), the
    programs' own (see :attr:`calculators.engine.program.ExclusionRule.recognized`) first."""
    own = {
        (rule.column, rule.reason): rule.recognized
        for program in registered().values()
        for rule in program.rules
        if rule.column and rule.recognized is not None
    }
    return [*((column, reason, known) for (column, reason), known in own.items()),
            ("currency", "non_cny", None)]  # fmt: skip


def unrecognized_values(loans: Any) -> dict[str, dict[str, int]]:
    """Per column, each distinct value rows were excluded for as unrecognized, with its
    row count (most rows first), so that a misspelling shows at once.

    Notes
    -----
    Only rows whose reason is that column's (``non_cny``, or a program's own, as
    transport's ``category_not_eligible``): a row excluded earlier (invalid, outside the
    period) costs nothing by its spelling. Values are shown as given (a missing one as
    ``""``); counted per distinct value. A value relend knows, excluded only because the
    version covering the loan does not support it (the category 中小微物流仓储企业 in
    2022), is not a misspelling and is left out.
    Works on a pandas or a Dask frame of per-loan output.
    """
    out: dict[str, dict[str, int]] = {}
    for column, reason, known in _unrecognized():
        header = next((c for c in loans.columns if canonical_name(c) == column), None)
        if header is None:
            continue
        values = loans[header][loans["reason"] == reason]
        counts = values.astype(TEXT).fillna("").value_counts()
        if hasattr(counts, "compute"):
            counts = counts.compute()
        ranked = _ranked(counts.items(), known)
        if ranked:
            out[column] = ranked
    return out


def unrecognized_rows(
    frame: pd.DataFrame, codes: np.ndarray
) -> dict[str, tuple[np.ndarray, pa.Array]]:
    """Per column, the rows of ``frame`` (headers as given; ``codes`` their reasons)
    excluded for their value in it, and those values as given (see
    :func:`unrecognized_values`)."""
    out: dict[str, tuple[np.ndarray, pa.Array]] = {}
    for column, reason, _known in _unrecognized():
        header = next((c for c in frame.columns if canonical_name(c) == column), None)
        rows = np.flatnonzero(codes == reason_index(reason))
        if header is None or not len(rows):
            continue
        out[column] = rows, TextColumn.of(frame[header].iloc[rows]).filled().array
    return out


def value_counts(values: pa.Array) -> Counter[str]:
    """Each distinct text and how many times it occurs."""
    counted = pc.value_counts(values).flatten()
    return Counter(dict(zip(counted[0].to_pylist(), counted[1].to_pylist(), strict=True)))


def unrecognized_counted(counts: Mapping[str, Counter[str]]) -> dict[str, dict[str, int]]:
    """:func:`unrecognized_values` from, per column, the values rows were excluded for
    (:func:`unrecognized_rows`) counted over the whole ledger."""
    out: dict[str, dict[str, int]] = {}
    for column, _reason, known in _unrecognized():
        ranked = _ranked(counts.get(column, Counter()).items(), known)
        if ranked:
            out[column] = ranked
    return out


def _ranked(
    counts: Iterable[tuple[Any, int]], known: Callable[[pd.Series], np.ndarray] | None
) -> dict[str, int]:
    """Values and their row counts, those relend knows (``known``) left out, most rows
    first (then by value)."""
    found = [(str(value), int(n)) for value, n in counts if n]
    if known is not None and found:
        recognized = known(pd.Series([value for value, _n in found], dtype=object))
        found = [item for item, yes in zip(found, recognized, strict=True) if not yes]
    return dict(sorted(found, key=lambda item: (-item[1], item[0])))
