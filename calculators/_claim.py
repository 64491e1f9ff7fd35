"""What the tech and transport claims share: the per-loan pass and the result.

Every input row is classified once, vectorized over whole columns, into ``eligible``,
``excluded`` or ``invalid`` with exactly one reason code; the first reason that applies
wins, in the order of :data:`calculators._ledger.REASONS` read as invalid reasons
first, then exclusions in the order listed there.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from fractions import Fraction
from importlib import metadata
from pathlib import Path
from typing import Any, ClassVar, TypeAlias

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from calendars import BusinessCalendar, Deadline, Quarter, deadline_for

from ._bytes import (
    contiguous,
    data,
    lengths,
    offsets,
)
from ._dates import add_months, epoch_days, parse_dates
from ._duplicates import duplicated_ids, stripped_part
from ._errors import LedgerFileError, ParameterError
from ._ids import IdColumn, IdSet, normalized
from ._ledger import (
    CNY_ALIASES,
    INVALID_REASONS,
    REASONS,
    REQUIRED,
    LedgerFile,
    canonical_columns,
    canonical_name,
    read_id_list,
    read_ledger,
)
from ._lenders import Lender, find_lender
from ._money import (
    ROUNDING_RULE,
    apply_ratio,
    exact_sum,
    fen_to_yuan,
    leftover_threshold,
    parse_principal,
    split_floors,
)
from ._parallel import in_threads
from ._policy import PolicyRow, policy_for_period
from ._text import TEXT, arrow_text, text_chunks

OUTPUT_COLUMNS = ("principal_fen", "status", "reason", "entitlement_fen", "detail")
Ledger: TypeAlias = pd.DataFrame | str | Path | LedgerFile
IdList: TypeAlias = str | Path | Iterable[str]


def relend_version() -> str:
    """The installed relend version, or ``0+unknown`` when run from a source tree."""
    try:
        return metadata.version("relend")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def decimal_text(value: Fraction | Decimal) -> str:
    """An exact ratio or rate as a plain decimal string (``3/5`` -> ``"0.6"``)."""
    q = Fraction(value)
    text = format(Decimal(q.numerator) / Decimal(q.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class LoanColumns:
    """A ledger's columns as exact values, one entry per input row."""

    loan_id: pa.Array  # stripped
    borrowers: IdColumn
    principal_fen: np.ndarray
    disbursed: np.ndarray  # int64 days since 1970-01-01
    matures: np.ndarray
    invalid: list[tuple[str, np.ndarray]]
    is_cny: np.ndarray
    principal_ok: np.ndarray
    dates_ok: tuple[np.ndarray, np.ndarray]  # disbursement, maturity readable
    frame: pd.DataFrame = field(repr=False)

    def borrower_in(self, ids: IdSet, where: np.ndarray | None = None) -> np.ndarray:
        """Which rows' borrower is in ``ids`` (exact; integer lookups, see ``_ids``).

        Only the rows in ``where`` (default: all) are looked up; the others are False.
        """
        return self.borrowers.isin(ids, where)


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a DataFrame's content, index left out.

    Notes
    -----
    Column by column: the column's name, then for text columns each row's byte length
    (int64), which rows are missing and the UTF-8 bytes themselves; for other columns
    pandas' row hashes. Equal content gives an equal digest whatever the chunking or
    the string storage.
    """
    digest = hashlib.sha256()
    for name, column in frame.items():
        digest.update(f"{name!s}\0".encode())
        if isinstance(column.dtype, pd.StringDtype):
            text = contiguous(arrow_text(column))
            missing = pc.is_null(text).to_numpy(zero_copy_only=False)
            ends = offsets(text)
            for part in (lengths(text), np.packbits(missing), data(text)[ends[0] : ends[-1]]):
                digest.update(np.ascontiguousarray(part).data)
        else:
            digest.update(pd.util.hash_pandas_object(column, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def load(ledger: Ledger, extra_required: tuple[str, ...] = ()) -> tuple[pd.DataFrame, str | None]:
    """The raw ledger frame and the file's SHA-256 (None for a DataFrame: see ClaimResult)."""
    if isinstance(ledger, str | Path):
        ledger = read_ledger(ledger)
    if isinstance(ledger, LedgerFile):
        frame, digest = ledger.frame, ledger.sha256
    elif isinstance(ledger, pd.DataFrame):
        frame, digest = ledger, None
    else:
        raise ParameterError("ledger", type(ledger).__name__, "a DataFrame or a path to a CSV")
    clash = [c for c in OUTPUT_COLUMNS if c in frame.columns and c != "principal_fen"]
    if clash:
        raise LedgerFileError(
            "column",
            clash[0],
            "a ledger without the output columns status, reason, entitlement_fen and detail",
        )
    canon = canonical_columns(frame, (*REQUIRED, *extra_required))
    raise_disagreement(principal_disagreement(canon))
    return frame, digest


Disagreement: TypeAlias = tuple[int, str, str, str]  # position, loan id, yuan, fen


def principal_disagreement(canon: pd.DataFrame) -> Disagreement | None:
    """The first row whose ``principal`` and ``principal_fen`` are both readable and differ.

    ``canon`` has canonical column names; None when it lacks one of the two columns or
    they agree wherever both are readable.
    """
    if not {"principal", "principal_fen"} <= set(canon.columns):
        return None
    yuan, yuan_ok = parse_principal(canon["principal"], "yuan")
    fen, fen_ok = parse_principal(canon["principal_fen"], "fen")
    differ = np.flatnonzero(yuan_ok & fen_ok & (yuan != fen))
    if not len(differ):
        return None
    k = int(differ[0])
    row = canon.iloc[k]
    return k, str(row["loan_id"]).strip(), str(row["principal"]), str(row["principal_fen"])


def raise_disagreement(found: Disagreement | None, offset: int = 0) -> None:
    """Refuse a ledger whose two principal columns disagree (see :func:`principal_disagreement`).

    Notes
    -----
    A ledger with both columns is accepted only when they give the same amount on every
    row where both are readable: which of two different amounts is right cannot be
    guessed. ``offset`` is the row's position in the whole ledger before this part.
    """
    if found is None:
        return
    k, loan_id, yuan, fen = found
    raise LedgerFileError(
        "principal",
        yuan,
        f"the amount of principal_fen={fen!r} on line {offset + k + 2} (loan_id {loan_id!r}): "
        f"a ledger with both principal and principal_fen needs them to agree on every row; "
        f"give one of the two columns, or correct the row",
    )


Duplicates = frozenset[str] | np.ndarray | None
# a program's own exclusions, given the columns and the rows still open (no earlier
# reason applies); masks only matter on open rows, the first reason that applies wins
ProgramExclusions: TypeAlias = Callable[[LoanColumns, np.ndarray], list[tuple[str, np.ndarray]]]


def columns(frame: pd.DataFrame, duplicates: Duplicates = None) -> LoanColumns:
    """Validate every row of a ledger, vectorized.

    Parameters
    ----------
    frame : pandas.DataFrame
    duplicates : frozenset of str or numpy.ndarray of bool, optional
        When ``frame`` is one part of a larger ledger: the loan ids that occur more than
        once in the whole ledger, or the rows of ``frame`` that carry one. By default
        duplicates are found within ``frame``.
    """
    canon = canonical_columns(frame, REQUIRED)
    loan_id = stripped_part(text_chunks(canon["loan_id"]))
    empty_id = lengths(loan_id) == 0
    if duplicates is None:
        duplicate = duplicated_ids(canon["loan_id"])
    elif isinstance(duplicates, np.ndarray):
        duplicate = duplicates
    else:
        repeated = pa.array(sorted(duplicates), type=pa.large_string())
        duplicate = pc.is_in(loan_id, value_set=repeated).to_numpy(zero_copy_only=False)
        duplicate &= ~empty_id
    borrowers = IdColumn.of(normalized(arrow_text(canon["borrower_id"])))
    principal, principal_ok = _principal(canon)
    disbursed, d_ok = parse_dates(canon["disbursement_date"])
    matures, m_ok = parse_dates(canon["maturity_date"])
    dates_ok = d_ok & m_ok
    if "currency" in canon.columns:
        currency = normalized(arrow_text(canon["currency"]))
        aliases = pa.array(CNY_ALIASES, type=currency.type)
        is_cny = pc.is_in(currency, value_set=aliases).to_numpy(zero_copy_only=False)
    else:
        is_cny = np.ones(len(canon), dtype=bool)
    invalid = [
        ("invalid_loan_id", empty_id),
        ("duplicate_loan_id", duplicate),
        ("invalid_borrower_id", ~borrowers.ok),
        ("invalid_principal", ~principal_ok),
        ("invalid_date", ~dates_ok),
        ("maturity_not_after_disbursement", dates_ok & (matures <= disbursed)),
    ]
    assert [name for name, _ in invalid] == list(INVALID_REASONS)
    return LoanColumns(
        loan_id, borrowers, principal, disbursed, matures, invalid, is_cny, principal_ok,
        (d_ok, m_ok), canon,
    )  # fmt: skip


def _principal(canon: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Principal in fen and validity, from ``principal`` (yuan) or ``principal_fen``.

    Notes
    -----
    With both columns a row is valid only when both are readable and equal: a row where
    one is empty or unreadable is ``invalid_principal`` (its detail shows both values).
    Rows where both are readable and differ make the whole ledger refused before this
    (:func:`raise_disagreement`); here they are invalid too.
    """
    if "principal_fen" not in canon.columns:
        return parse_principal(canon["principal"], "yuan")
    fen, ok = parse_principal(canon["principal_fen"], "fen")
    if "principal" in canon.columns:
        yuan, yuan_ok = parse_principal(canon["principal"], "yuan")
        ok = ok & yuan_ok & (fen == yuan)
        fen = np.where(ok, fen, 0)
    return fen, ok


# the reasons whose rows get a detail, and the columns it shows (see row_details)
_QUOTED_REASONS = {
    "invalid_loan_id": "loan_id",
    "duplicate_loan_id": "loan_id",
    "invalid_borrower_id": "borrower_id",
    "non_cny": "currency",
    "category_not_eligible": "borrower_category",
}
DETAIL_REASONS = (*INVALID_REASONS, "non_cny", "category_not_eligible")
_EXCEL_SERIAL = r"^\s*(?:[2-7]\d{4}|80000)\s*$"
_EXCEL_HINT = " (an Excel serial number: export dates as text, e.g. 2022-07-01)"
_LARGE = pa.large_string()


def _lit(text: str) -> pa.Scalar:
    return pa.scalar(text, _LARGE)


def _raw(cols: LoanColumns, name: str, rows: np.ndarray) -> pa.Array:
    """The cells of column ``name`` at ``rows`` as given, as text (missing as "")."""
    cells = arrow_text(cols.frame[name].iloc[rows])
    return pc.fill_null(cells.cast(_LARGE), "")


def _quoted(name: str, cells: pa.Array) -> pa.Array:
    """``name='cell'`` for each cell."""
    return pc.binary_join_element_wise(_lit(f"{name}='"), cells, _lit("'"), _lit(""))


def _joined(parts: list[pa.Array], separator: str) -> pa.Array:
    """Element-wise join of text columns, null parts left out."""
    if len(parts) == 1:
        return parts[0]
    return pc.binary_join_element_wise(*parts, _lit(separator), null_handling="skip")


def _detail_of(cols: LoanColumns, reason: str, rows: np.ndarray) -> pa.Array:
    """The detail of the rows (positions in ``cols``) whose reason is ``reason``."""
    if reason in _QUOTED_REASONS:
        name = _QUOTED_REASONS[reason]
        return _quoted(name, _raw(cols, name, rows))
    if reason == "invalid_principal":
        names = [n for n in ("principal", "principal_fen") if n in cols.frame.columns]
        return _joined([_quoted(n, _raw(cols, n, rows)) for n in names], ", ")
    if reason == "maturity_not_after_disbursement":
        matures = _quoted("maturity_date", _raw(cols, "maturity_date", rows))
        disbursed = _quoted("disbursement_date", _raw(cols, "disbursement_date", rows))
        return pc.binary_join_element_wise(
            matures, _lit(" (not after "), disbursed, _lit(")"), _lit("")
        )
    assert reason == "invalid_date", reason
    parts = []
    for name, ok in zip(("disbursement_date", "maturity_date"), cols.dates_ok, strict=True):
        cells = _raw(cols, name, rows)
        serial = pc.match_substring_regex(cells, _EXCEL_SERIAL)
        text = _quoted(name, cells)
        text = pc.if_else(
            serial, pc.binary_join_element_wise(text, _lit(_EXCEL_HINT), _lit("")), text
        )
        parts.append(pc.if_else(pa.array(~ok[rows]), text, pa.nulls(len(rows), _LARGE)))
    return _joined(parts, "; ")


def row_details(cols: LoanColumns, codes: np.ndarray) -> tuple[np.ndarray, pa.Array]:
    """What was wrong with each invalid row, and the unrecognized value of rows excluded
    for one (a currency outside the CNY aliases, a category outside the list).

    Returns
    -------
    rows : numpy.ndarray of int64
        The rows that get a detail, ascending.
    details : pyarrow.Array of large_string
        For each such row: the column and the offending value as given, e.g.
        ``disbursement_date='2022.07.01'``, ``principal='-5.00'``, ``loan_id=''``.

    Notes
    -----
    Only the flagged rows (usually few) are read, reason by reason, with Arrow kernels:
    no Python per row.
    """
    found_rows, found_text = [np.zeros(0, dtype=np.int64)], [pa.array([], _LARGE)]
    for reason in DETAIL_REASONS:
        rows = np.flatnonzero(codes == REASONS.index(reason))
        if len(rows):
            found_rows.append(rows)
            found_text.append(_detail_of(cols, reason, rows).cast(_LARGE))
    rows = np.concatenate(found_rows)
    order = np.argsort(rows, kind="stable")
    return rows[order], pc.take(pa.concat_arrays(found_text), pa.array(order))


def detail_column(rows: int, where: np.ndarray, details: pa.Array) -> pd.arrays.ArrowStringArray:
    """A text column of ``rows`` rows: ``details`` at the positions ``where`` (ascending),
    empty elsewhere; built from offsets, no Python per row."""
    details = contiguous(details)
    sizes = np.zeros(rows, dtype=np.int64)
    sizes[where] = lengths(details)
    ends = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(sizes, out=ends[1:])
    given = offsets(details)
    text = np.ascontiguousarray(data(details)[given[0] : given[-1]])
    column = pa.Array.from_buffers(_LARGE, rows, [None, pa.py_buffer(ends), pa.py_buffer(text)])
    return pd.arrays.ArrowStringArray(pa.chunked_array([column]))


def window_exclusions(
    cols: LoanColumns, policy: PolicyRow, period: Quarter
) -> list[tuple[str, np.ndarray]]:
    """Exclusions every program shares: currency, policy window, claim period, term."""
    day = epoch_days
    first = day(policy.first_disbursement.value)
    last = policy.last_disbursement.value
    d = cols.disbursed
    out = [
        ("non_cny", ~cols.is_cny),
        ("before_policy_start", d < first),
        ("after_policy_end", d > day(last) if last else np.zeros(len(d), dtype=bool)),
        ("outside_period", (d < day(period.start)) | (d > day(period.end))),
    ]
    months = policy.min_term_months.value
    if months:
        out.append(("term_under_6_months", cols.matures < add_months(d, months)))
    return out


def classify(cols: LoanColumns, exclusions: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """One reason code per row (the first that applies, as an index into REASONS).

    Notes
    -----
    The reasons are written last to first, so that the first that applies is the one
    left (``np.putmask`` in place: no temporaries).
    """
    codes = np.full(len(cols.is_cny), ELIGIBLE, dtype=np.int8)
    for name, mask in reversed([*cols.invalid, *exclusions]):
        np.putmask(codes, mask, np.int8(REASONS.index(name)))
    return codes


INVALID_SHOWN = 10
_INVALID = 2  # the status code of invalid rows (see _STATUS_OF_REASON)


def examples(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """Invalid rows for the summary: a few rows, so a loop is fine; the frame's index is
    each row's position in the ledger."""
    ids = loan_id_column(rows).astype(TEXT).fillna("")
    return [
        {"line": int(at) + 2, "loan_id": str(i), "reason": str(r), "detail": str(d)}
        for at, i, r, d in zip(rows.index, ids, rows["reason"], rows["detail"], strict=True)
    ]


@dataclass(frozen=True, eq=False)
class ClaimResult:
    """A computed relending claim.

    Attributes
    ----------
    program : str
    policy : PolicyRow
    quarter : Quarter
    lender : Lender
    loans : pandas.DataFrame
        Every input row in input order, its columns as given, plus ``principal_fen``
        (``Int64``, empty where invalid), ``status``, ``reason``, ``entitlement_fen`` and
        ``detail`` (see :func:`row_details`).
    eligible_principal_fen : int
    entitlement_fen : int
        ``round_half_up(ratio x eligible_principal_fen)``.
    deadline : calendars.Deadline
    input_sha256 : str
        SHA-256 of the ledger file's bytes, or for a DataFrame of its content
        (computed on first use).
    lists : dict
        What reference lists were used and how many ids each held.
    screening : dict
        For each reference list a program screens borrowers against: ``screened`` or
        ``not_screened`` (transport without a dishonesty list).
    notes : tuple of dict
        Warnings known before the ledger was read (``code`` and ``message``); the summary
        adds those about the ledger itself.
    """

    program: str
    policy: PolicyRow
    quarter: Quarter
    lender: Lender
    loans: pd.DataFrame
    eligible_principal_fen: int
    entitlement_fen: int
    deadline: Deadline
    file_sha256: str | None
    lists: dict[str, Any]
    source_frame: pd.DataFrame = field(repr=False)
    screening: dict[str, str] = field(default_factory=dict)
    notes: tuple[dict[str, str], ...] = ()

    @functools.cached_property
    def input_sha256(self) -> str:
        """SHA-256 of the ledger file, or of the DataFrame's content."""
        return self.file_sha256 or frame_digest(self.source_frame)

    @property
    def loan_ids(self) -> pd.Series:
        """The ledger's loan ids, stripped, whatever the column's header (借据号, loan_id)."""
        return stripped_loan_ids(self.loans)

    def row_counts(self) -> tuple[int, dict[str, int], dict[str, int]]:
        """Rows in all, rows per status, rows per reason code (every code, zeros kept)."""
        status = self.loans["status"].value_counts()
        reasons = self.loans["reason"].value_counts()
        return (
            len(self.loans),
            {s: int(status.get(s, 0)) for s in ("eligible", "excluded", "invalid")},
            {code: int(reasons.get(code, 0)) for code in REASONS},
        )

    def invalid_examples(self, limit: int = INVALID_SHOWN) -> list[dict[str, Any]]:
        """The first ``limit`` invalid rows: line in the ledger file (the header is line 1,
        so row 0 is line 2), loan id as given, reason and detail."""
        status = self.loans["status"]
        rows = np.flatnonzero(status.cat.codes.to_numpy() == _INVALID)[:limit]
        return examples(self.loans.iloc[rows])

    def warnings(self, total_rows: int) -> list[dict[str, str]]:
        """What the user should know about this claim, each with a stable ``code``."""
        found = list(self.notes)
        if total_rows == 0:
            found.append(
                {
                    "code": "ledger_has_no_rows",
                    "message": "the ledger has a header and no rows: the claim is 0",
                }
            )
        return found

    def summary(self) -> dict[str, Any]:
        """The claim as the JSON object ``relend claim --json`` prints.

        Notes
        -----
        ``invalid_rows`` lists the first 10 invalid rows (``line``, ``loan_id``,
        ``reason``, ``detail``); ``screening`` says which reference lists borrowers were
        screened against; ``warnings`` has ``code`` and ``message`` for each warning
        (``dishonest_list_not_given``, ``dishonest_list_empty``, ``ledger_has_no_rows``).
        """
        total, status, reasons = self.row_counts()
        return {
            "tool": self.program,
            "policy": self.policy.version,
            "policy_title": self.policy.title,
            "quarter": str(self.quarter),
            "lender": self.lender.code,
            "lender_name": self.lender.name,
            "ratio": decimal_text(self.policy.ratio.value),
            "loans_total": total,
            "loans_eligible": status["eligible"],
            "loans_excluded": status["excluded"],
            "loans_invalid": status["invalid"],
            "reasons": reasons,
            "invalid_rows": self.invalid_examples() if status["invalid"] else [],
            "eligible_principal_fen": self.eligible_principal_fen,
            "eligible_principal_yuan": fen_to_yuan(self.eligible_principal_fen),
            "entitlement_fen": self.entitlement_fen,
            "entitlement_yuan": fen_to_yuan(self.entitlement_fen),
            "deadline": self.deadline.date.isoformat(),
            "deadline_nominal": self.deadline.nominal.isoformat(),
            "calendar": self.deadline.calendar,
            "calendar_status": self.deadline.calendar_status,
            "rounding": ROUNDING_RULE,
            "lists": self.lists,
            "screening": self.screening,
            "warnings": self.warnings(total),
            "sources": self.policy.sources(),
            "input_sha256": self.input_sha256,
            "version": relend_version(),
            "unrecognized": unrecognized_values(self.loans),
        }


BLOCK_ROWS = 1 << 19


@dataclass(frozen=True)
class RowVerdicts:
    """Per-row results of classification, as parallel numpy arrays, and their totals.

    Notes
    -----
    The per-loan split needs, besides these, each eligible loan's floor and remainder
    under the ratio; they are computed block by block twice (for the totals, then for
    the entitlements) rather than kept, which costs less than storing two int64 columns.
    """

    codes: np.ndarray  # int8 index into REASONS
    principal_fen: np.ndarray
    principal_ok: np.ndarray
    eligible_total: int  # exact sum of the eligible principal
    floors_total: int  # exact sum of floor(ratio x eligible principal)
    remainder_counts: np.ndarray  # eligible loans per remainder, 0 .. denominator - 1
    detail_rows: np.ndarray  # the rows with a detail (see row_details), ascending
    details: pa.Array

    ARRAYS: ClassVar[tuple[str, ...]] = ("codes", "principal_fen", "principal_ok")

    @classmethod
    def of(
        cls,
        codes: np.ndarray,
        principal_fen: np.ndarray,
        ok: np.ndarray,
        ratio: Fraction,
        details: tuple[np.ndarray, pa.Array],
    ) -> RowVerdicts:
        """The verdicts on some rows, with the totals of their split under ``ratio``."""
        eligible = _eligible(codes, principal_fen)
        floors, remainders = split_floors(eligible, ratio)
        counts = np.bincount(remainders, minlength=ratio.denominator)
        return cls(
            codes, principal_fen, ok, exact_sum(eligible), exact_sum(floors), counts, *details
        )

    @property
    def eligible_principal(self) -> np.ndarray:
        """The principal where eligible, else 0."""
        return _eligible(self.codes, self.principal_fen)

    @classmethod
    def empty(cls, rows: int, denominator: int) -> RowVerdicts:
        """Arrays for ``rows`` rows, to be filled block by block with :meth:`put`."""
        codes, ok = np.empty(rows, dtype=np.int8), np.empty(rows, dtype=bool)
        principal = np.empty(rows, dtype=np.int64)
        none = np.zeros(0, dtype=np.int64), pa.array([], pa.large_string())
        return cls(codes, principal, ok, 0, 0, np.zeros(denominator, dtype=np.int64), *none)

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

    def entitlements(self, ratio: Fraction, r: int, take: int) -> np.ndarray:
        """Each loan's floor plus its leftover fen (see :func:`leftover_threshold`):
        one more fen above remainder ``r``, and for the first ``take`` loans at ``r``.

        Computed block by block on a thread per core.
        """
        out = np.empty(len(self.codes), dtype=np.int64)

        def block(start: int) -> np.ndarray:
            part = slice(start, start + BLOCK_ROWS)
            floors, remainders = split_floors(
                _eligible(self.codes[part], self.principal_fen[part]), ratio
            )
            np.add(floors, remainders > r, out=out[part])
            return np.flatnonzero(remainders == r)[:take] + start if take else floors[:0]

        at_r = in_threads(block, list(range(0, len(out), BLOCK_ROWS)))
        if take:
            out[np.concatenate(at_r)[:take]] += 1
        return out


def _eligible(codes: np.ndarray, principal_fen: np.ndarray) -> np.ndarray:
    return np.where(codes == ELIGIBLE, principal_fen, 0)


@dataclass(frozen=True)
class ClaimSpec:
    """Everything that defines a claim except the ledger itself."""

    program: str
    period: Quarter
    policy: PolicyRow
    lender: Lender
    deadline: Deadline
    extra_required: tuple[str, ...]
    program_exclusions: ProgramExclusions = field(repr=False)
    lists: dict[str, Any]
    screening: dict[str, str] = field(default_factory=dict)
    warnings: tuple[dict[str, str], ...] = ()

    def classify_rows(self, frame: pd.DataFrame, duplicates: Duplicates = None) -> RowVerdicts:
        """Reason codes, principal and eligible principal for every row of ``frame``."""
        cols = columns(frame, duplicates)
        window = window_exclusions(cols, self.policy, self.period)
        decided = np.logical_or.reduce([mask for _, mask in (*cols.invalid, *window)])
        exclusions = [*window, *self.program_exclusions(cols, ~decided)]
        codes = classify(cols, exclusions)
        return RowVerdicts.of(
            codes,
            cols.principal_fen,
            cols.principal_ok,
            self.policy.ratio.value,
            row_details(cols, codes),
        )

    def classify_frame(self, frame: pd.DataFrame, duplicates: Duplicates = None) -> RowVerdicts:
        """The verdicts on every row of ``frame``: reason codes, principal, and the
        eligible principal's floor and remainder under the ratio, with their totals.

        Notes
        -----
        Rows are classified in blocks of :data:`BLOCK_ROWS`, on as many threads as
        there are cores (the Arrow and numpy kernels release the GIL), which also
        bounds the temporaries on large ledgers; duplicate loan ids are found over the
        whole frame first. Block size and thread count never change a result (tested).
        """
        starts = range(0, max(len(frame), 1), BLOCK_ROWS)
        if duplicates is None and len(starts) > 1:
            duplicates = duplicated_ids(loan_id_column(frame), len(starts))

        verdicts = RowVerdicts.empty(len(frame), self.policy.ratio.value.denominator)

        def block(start: int) -> RowVerdicts:
            part = duplicates
            if isinstance(duplicates, np.ndarray):
                part = duplicates[start : start + BLOCK_ROWS]
            found = self.classify_rows(frame.iloc[start : start + BLOCK_ROWS], part)
            verdicts.put(start, found)
            return replace(found, detail_rows=found.detail_rows + start)

        return verdicts.with_totals(in_threads(block, list(starts)))

    def result(
        self,
        kind: type[ClaimResult],
        loans: Any,
        principal_fen: int,
        entitlement_fen: int,
        digest: str | None,
        source: Any,
    ) -> Any:
        """The claim's result object, of ``kind`` (in memory or partitioned)."""
        return kind(
            program=self.program,
            policy=self.policy,
            quarter=self.period,
            lender=self.lender,
            loans=loans,
            eligible_principal_fen=principal_fen,
            entitlement_fen=entitlement_fen,
            deadline=self.deadline,
            file_sha256=digest,
            lists=self.lists,
            source_frame=source,
            screening=self.screening,
            notes=self.warnings,
        )


def prepare(
    program: str,
    quarter: str | Quarter,
    lender: str | Lender,
    *,
    extra_required: tuple[str, ...],
    program_exclusions: ProgramExclusions,
    lists: dict[str, Any],
    calendar: BusinessCalendar | str | None,
    screening: dict[str, str] | None = None,
    warnings: tuple[dict[str, str], ...] = (),
) -> ClaimSpec:
    """Check the period, policy and lender, and fix the deadline, before any ledger is read."""
    period = Quarter.parse(quarter)
    policy = policy_for_period(program, period)
    found = find_lender(lender, policy.lenders.value, program)
    deadline = deadline_for(period, calendar)
    return ClaimSpec(
        program, period, policy, found, deadline, extra_required, program_exclusions, lists,
        screening or {}, warnings,
    )  # fmt: skip


def run_claim(spec: ClaimSpec, ledger: Ledger) -> ClaimResult:
    """Validate, classify and split a ledger in memory."""
    frame, digest = load(ledger, spec.extra_required)
    verdicts = spec.classify_frame(frame)
    entitlement = apply_ratio(verdicts.eligible_total, spec.policy.ratio.value)
    r, take = leftover_threshold(verdicts.remainder_counts, entitlement - verdicts.floors_total)
    loans = per_loan_frame(frame, verdicts, verdicts.entitlements(spec.policy.ratio.value, r, take))
    return spec.result(
        ClaimResult,
        loans,
        verdicts.eligible_total,
        exact_sum(loans["entitlement_fen"]),
        digest,
        frame,
    )


ELIGIBLE = REASONS.index("eligible")
_STATUS_OF_REASON = np.array(
    [0 if r == "eligible" else 2 if r in INVALID_REASONS else 1 for r in REASONS], dtype=np.int8
)


def per_loan_frame(
    frame: pd.DataFrame, verdicts: RowVerdicts, entitlement_fen: np.ndarray
) -> pd.DataFrame:
    """The ledger's rows and columns as given, then ``principal_fen`` (``Int64``, empty
    where invalid), ``status``, ``reason``, ``entitlement_fen`` and ``detail`` (what was
    wrong with an invalid row, or the unrecognized value of an excluded one; else empty).

    Notes
    -----
    The new columns are put beside the input's without copying either (copy-on-write:
    the input is never changed). A ``principal_fen`` column in the input is replaced
    in place.
    """
    added = {
        "principal_fen": pd.arrays.IntegerArray(verdicts.principal_fen, ~verdicts.principal_ok),
        "status": pd.Categorical.from_codes(
            _STATUS_OF_REASON[verdicts.codes], categories=["eligible", "excluded", "invalid"]
        ),
        "reason": pd.Categorical.from_codes(verdicts.codes, categories=list(REASONS)),
        "entitlement_fen": entitlement_fen,
        "detail": detail_column(len(frame), verdicts.detail_rows, verdicts.details),
    }
    loans = frame.reset_index(drop=True)
    if "principal_fen" in loans.columns:
        loans["principal_fen"] = added.pop("principal_fen")
    return pd.concat([loans, pd.DataFrame(added, copy=False)], axis=1)


def loan_id_column(frame: pd.DataFrame) -> pd.Series:
    """The loan-id column as given, whatever its header (借据号, loan_id)."""
    return frame[next(c for c in frame.columns if canonical_name(c) == "loan_id")]


def stripped_loan_ids(frame: pd.DataFrame) -> pd.Series:
    """The loan-id column, whatever its header (借据号, loan_id), stripped, empty for missing."""
    return loan_id_column(frame).astype(TEXT).fillna("").str.strip()


def id_list(source: IdList | None, what: str, *, required: bool) -> IdSet | None:
    """Read a reference list, or refuse a missing one the program requires.

    A list the program requires must hold at least one id (an empty eligible list would
    make every loan ineligible, silently); an optional one may be empty.
    """
    if source is None:
        if required:
            raise ParameterError(what, None, f"the {what} list: a file or an iterable of ids")
        return None
    return read_id_list(source, what, allow_empty=not required)


# values a claim excludes rows for because it does not recognize them: the column, the
# reason code its rows get
UNRECOGNIZED = (("borrower_category", "category_not_eligible"), ("currency", "non_cny"))


def unrecognized_values(loans: Any) -> dict[str, dict[str, int]]:
    """Per column, each distinct value rows were excluded for as unrecognized, with its
    row count (most rows first), so that a misspelling shows at once.

    Notes
    -----
    Only rows whose reason is that column's (``category_not_eligible``, ``non_cny``):
    a row excluded earlier (invalid, outside the period) costs nothing by its spelling.
    Values are shown as given (a missing one as ``""``); counted per distinct value.
    Works on a pandas or a Dask frame of per-loan output.
    """
    out: dict[str, dict[str, int]] = {}
    for column, reason in UNRECOGNIZED:
        header = next((c for c in loans.columns if canonical_name(c) == column), None)
        if header is None:
            continue
        values = loans[header][loans["reason"] == reason]
        counts = values.astype(TEXT).fillna("").value_counts()
        if hasattr(counts, "compute"):
            counts = counts.compute()
        if len(counts):
            ranked = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))
            out[column] = {str(value): int(n) for value, n in ranked}
    return out
