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

OUTPUT_COLUMNS = ("principal_fen", "status", "reason", "entitlement_fen")
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
            "a ledger without the output columns status, reason and entitlement_fen",
        )
    canonical_columns(frame, (*REQUIRED, *extra_required))
    return frame, digest


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
    if "principal_fen" in canon.columns:
        principal, principal_ok = parse_principal(canon["principal_fen"], "fen")
    else:
        principal, principal_ok = parse_principal(canon["principal"], "yuan")
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
        loan_id, borrowers, principal, disbursed, matures, invalid, is_cny, principal_ok, canon,
    )  # fmt: skip


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
        (``Int64``, empty where invalid), ``status``, ``reason`` and ``entitlement_fen``.
    eligible_principal_fen : int
    entitlement_fen : int
        ``round_half_up(ratio x eligible_principal_fen)``.
    deadline : calendars.Deadline
    input_sha256 : str
        SHA-256 of the ledger file's bytes, or for a DataFrame of its content
        (computed on first use).
    lists : dict
        What reference lists were used and how many ids each held.
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

    def summary(self) -> dict[str, Any]:
        """The claim as the JSON object ``relend claim --json`` prints."""
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

    ARRAYS: ClassVar[tuple[str, ...]] = ("codes", "principal_fen", "principal_ok")

    @classmethod
    def of(
        cls, codes: np.ndarray, principal_fen: np.ndarray, ok: np.ndarray, ratio: Fraction
    ) -> RowVerdicts:
        """The verdicts on some rows, with the totals of their split under ``ratio``."""
        eligible = _eligible(codes, principal_fen)
        floors, remainders = split_floors(eligible, ratio)
        counts = np.bincount(remainders, minlength=ratio.denominator)
        return cls(codes, principal_fen, ok, exact_sum(eligible), exact_sum(floors), counts)

    @property
    def eligible_principal(self) -> np.ndarray:
        """The principal where eligible, else 0."""
        return _eligible(self.codes, self.principal_fen)

    @classmethod
    def empty(cls, rows: int, denominator: int) -> RowVerdicts:
        """Arrays for ``rows`` rows, to be filled block by block with :meth:`put`."""
        codes, ok = np.empty(rows, dtype=np.int8), np.empty(rows, dtype=bool)
        principal = np.empty(rows, dtype=np.int64)
        return cls(codes, principal, ok, 0, 0, np.zeros(denominator, dtype=np.int64))

    def put(self, start: int, part: RowVerdicts) -> None:
        """Copy a block's arrays into rows ``start`` onward (totals are summed apart)."""
        for name in self.ARRAYS:
            getattr(self, name)[start : start + len(part.codes)] = getattr(part, name)

    def with_totals(self, parts: list[RowVerdicts]) -> RowVerdicts:
        """These arrays with the totals of ``parts`` added up."""
        return replace(
            self,
            eligible_total=sum(p.eligible_total for p in parts),
            floors_total=sum(p.floors_total for p in parts),
            remainder_counts=np.sum([p.remainder_counts for p in parts], axis=0),
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

    def classify_rows(self, frame: pd.DataFrame, duplicates: Duplicates = None) -> RowVerdicts:
        """Reason codes, principal and eligible principal for every row of ``frame``."""
        cols = columns(frame, duplicates)
        window = window_exclusions(cols, self.policy, self.period)
        decided = np.logical_or.reduce([mask for _, mask in (*cols.invalid, *window)])
        exclusions = [*window, *self.program_exclusions(cols, ~decided)]
        codes = classify(cols, exclusions)
        return RowVerdicts.of(codes, cols.principal_fen, cols.principal_ok, self.policy.ratio.value)

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
            return found

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
) -> ClaimSpec:
    """Check the period, policy and lender, and fix the deadline, before any ledger is read."""
    period = Quarter.parse(quarter)
    policy = policy_for_period(program, period)
    found = find_lender(lender, policy.lenders.value, program)
    deadline = deadline_for(period, calendar)
    return ClaimSpec(
        program, period, policy, found, deadline, extra_required, program_exclusions, lists
    )


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
    where invalid), ``status``, ``reason`` and ``entitlement_fen``.

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
    """Read a reference list, or refuse a missing one the program requires."""
    if source is None:
        if required:
            raise ParameterError(what, None, f"the {what} list: a file or an iterable of ids")
        return None
    return read_id_list(source, what)


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
