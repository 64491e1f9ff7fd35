"""The generic claim engine: any registered program, validated, classified and split.

Every input row is classified once, vectorized over whole columns, into ``eligible``,
``excluded`` or ``invalid`` with exactly one reason code; the first reason that applies
wins: invalid reasons first (:data:`calculators._reasons.INVALID_REASONS`), then the
exclusions every program shares (:data:`calculators._reasons.COMMON_EXCLUSIONS`), then
the program's own rules in the order it lists them (:mod:`calculators._registry`).

Each loan is claimed under the policy version covering its disbursement date, so a
period spanning two versions (tech 2024Q2: loans before and after 2024-04-07) is
claimed loan by loan; the per-loan output names the version (``policy_version``).
"""

from __future__ import annotations

import functools
import hashlib
import html
from collections.abc import Iterable, Mapping
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

from calendars import BusinessCalendar, Deadline, Month, Quarter, deadline_for, parse_period

from ._bytes import (
    contiguous,
    data,
    lengths,
    offsets,
)
from ._dates import add_months, epoch_days, parse_dates
from ._duplicates import duplicated_ids, stripped_part
from ._errors import LedgerFileError, ParameterError, PolicyNotFoundError
from ._ids import IdColumn, IdSet, normalized
from ._ledger import (
    CNY_ALIASES,
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
    Shares,
    exact_sum,
    fen_to_yuan,
    leftover_threshold,
    parse_principal,
)
from ._parallel import in_threads
from ._policy import PolicyRow, PolicyTable, policy_table
from ._reasons import (
    COMMON_EXCLUSIONS,
    ELIGIBLE,
    INVALID_REASONS,
    STATUSES,
    reason_codes,
    reason_index,
    status_of_reasons,
)
from ._registry import Program, RuleInput, get_program
from ._text import TEXT, arrow_text, text_chunks

OUTPUT_COLUMNS = (
    "principal_fen", "status", "reason", "entitlement_fen", "detail", "policy_version",
)  # fmt: skip
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
            "a ledger without the output columns status, reason, entitlement_fen, detail "
            "and policy_version",
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
        rows = np.flatnonzero(codes == reason_index(reason))
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


_OPEN_END = np.iinfo(np.int64).max


def version_of(disbursed: np.ndarray, versions: tuple[PolicyRow, ...]) -> np.ndarray:
    """Per row, the index of the last version starting on or before its disbursement
    date (-1: before every version); versions are in date order and do not overlap."""
    firsts = np.array([epoch_days(v.first_disbursement.value) for v in versions], dtype=np.int64)
    return (np.searchsorted(firsts, disbursed, side="right") - 1).astype(np.int8)


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
    after = ~before & (d > lasts[np.clip(version, 0, None)])
    short = np.zeros(len(d), dtype=bool)
    for k, row in enumerate(versions):
        months = row.min_term_months.value
        if months:
            short |= (version == k) & (cols.matures < add_months(d, months))
    return [
        ("non_cny", ~cols.is_cny),
        ("before_policy_start", before),
        ("after_policy_end", after),
        ("outside_period", (d < epoch_days(period.start)) | (d > epoch_days(period.end))),
        ("term_under_minimum", short),
    ]


def classify(cols: LoanColumns, exclusions: list[tuple[str, np.ndarray]]) -> np.ndarray:
    """One reason code per row (the first that applies, as an index into
    :func:`calculators._reasons.reason_codes`).

    Notes
    -----
    The reasons are written last to first, so that the first that applies is the one
    left (``np.putmask`` in place: no temporaries).
    """
    codes = np.full(len(cols.is_cny), ELIGIBLE, dtype=np.int8)
    for name, mask in reversed([*cols.invalid, *exclusions]):
        np.putmask(codes, mask, np.int8(reason_index(name)))
    return codes


INVALID_SHOWN = 10
_INVALID = 2  # the status code of invalid rows (see calculators._reasons)


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
        The first policy version overlapping the period (see ``policies``).
    policies : tuple of PolicyRow
        Every version overlapping the period, in date order; each loan is claimed under
        the one covering its disbursement date (``policy_version`` per loan).
    quarter : Quarter or Month
        The claim period.
    lender : Lender
    loans : pandas.DataFrame
        Every input row in input order, its columns as given, plus ``principal_fen``
        (``Int64``, empty where invalid), ``status``, ``reason``, ``entitlement_fen``,
        ``detail`` (see :func:`row_details`) and ``policy_version``.
    eligible_principal_fen : int
    entitlement_fen : int
        ``round_half_up`` of the exact sum of each eligible loan's ratio x principal,
        rounded once.
    deadline : calendars.Deadline
    input_sha256 : str
        SHA-256 of the ledger file's bytes, or for a DataFrame of its content
        (computed on first use).
    lists : dict
        What reference lists were used and how many ids each held.
    screening : dict
        For each optional reference list a program screens borrowers against:
        ``screened`` or ``not_screened`` (transport without a dishonesty list).
    notes : tuple of dict
        Warnings known before the ledger was read (``code`` and ``message``); the summary
        adds those about the ledger itself.
    policy_source : dict
        What the policy table was made from: the package, and any user policy files
        with their SHA-256.
    """

    program: str
    policy: PolicyRow
    quarter: Quarter | Month
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
    policies: tuple[PolicyRow, ...] = ()
    policy_source: dict[str, Any] = field(default_factory=dict)
    reasons_shown: tuple[str, ...] = ()

    def __repr__(self) -> str:
        versions = "+".join(p.version for p in self.policies) or self.policy.version
        return (
            f"<ClaimResult {self.program} {versions} {self.quarter} {self.lender.code}: "
            f"{len(self.loans):,} rows, entitlement {fen_to_yuan(self.entitlement_fen)} yuan, "
            f"apply by {self.deadline.date.isoformat()}>"
        )

    @functools.cached_property
    def input_sha256(self) -> str:
        """SHA-256 of the ledger file, or of the DataFrame's content."""
        return self.file_sha256 or frame_digest(self.source_frame)

    @property
    def loan_ids(self) -> pd.Series:
        """The ledger's loan ids, stripped, whatever the column's header (借据号, loan_id)."""
        return stripped_loan_ids(self.loans)

    def row_counts(self) -> tuple[int, dict[str, int], dict[str, int]]:
        """Rows in all, rows per status, rows per reason code (every code of the program,
        zeros kept)."""
        status = self.loans["status"].value_counts()
        reasons = self.loans["reason"].value_counts()
        return (
            len(self.loans),
            {s: int(status.get(s, 0)) for s in STATUSES},
            {code: int(reasons.get(code, 0)) for code in self.reasons_shown},
        )

    def version_totals(self) -> list[dict[str, Any]]:
        """Per policy version overlapping the period: eligible loans, their principal and
        entitlement (exact sums of the per-loan columns)."""
        loans = self.loans
        eligible = (loans["status"] == "eligible").to_numpy()
        version = loans["policy_version"].astype(object).to_numpy()
        out = []
        for row in self.policies:
            mine = eligible & (version == row.version)
            out.append(
                _version_total(
                    row, int(mine.sum()),
                    exact_sum(loans["principal_fen"].to_numpy(dtype=np.int64, na_value=0)[mine]),
                    exact_sum(loans["entitlement_fen"].to_numpy()[mine]),
                )
            )  # fmt: skip
        return out

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
        ``policy_versions`` gives each version overlapping the period with its ratio and
        the loans, principal and entitlement claimed under it; ``sources_by_version``
        every figure of each with its source.
        """
        total, status, reasons = self.row_counts()
        policies = self.policies or (self.policy,)
        ratios = {decimal_text(p.ratio.value) for p in policies}
        return {
            "tool": self.program,
            "policy": ", ".join(p.version for p in policies),
            "policy_title": ", ".join(dict.fromkeys(p.title for p in policies)),
            "quarter": str(self.quarter),
            "lender": self.lender.code,
            "lender_name": self.lender.name,
            "ratio": ratios.pop() if len(ratios) == 1 else "by policy version",
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
            "policy_versions": self.version_totals(),
            "policy_source": self.policy_source,
            "sources": self.policy.sources(),
            "sources_by_version": {p.version: p.sources() for p in policies},
            "input_sha256": self.input_sha256,
            "version": relend_version(),
            "unrecognized": unrecognized_values(self.loans),
        }

    def _repr_html_(self) -> str:
        s = self.summary()
        rows = [
            ("program", f"{s['tool']} ({s['policy']})"), ("period", s["quarter"]),
            ("lender", f"{s['lender']} {s['lender_name']}"),
            ("loans", f"{s['loans_total']:,}: {s['loans_eligible']:,} eligible, "
                      f"{s['loans_excluded']:,} excluded, {s['loans_invalid']:,} invalid"),
            ("eligible principal", f"{s['eligible_principal_yuan']} yuan"),
            ("entitlement", f"{s['entitlement_yuan']} yuan ({s['ratio']} x principal, "
                            "rounded half up once)"),
            ("apply by", f"{s['deadline']} ({s['calendar']}, {s['calendar_status']})"),
        ]  # fmt: skip
        body = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>"
                       for k, v in rows)  # fmt: skip
        return f"<table><caption>relend ClaimResult</caption>{body}</table>"


def _version_total(row: PolicyRow, loans: int, principal: int, entitlement: int) -> dict[str, Any]:
    return {
        "version": row.version,
        "title": row.title,
        "ratio": decimal_text(row.ratio.value),
        "origin": row.origin,
        "loans_eligible": loans,
        "eligible_principal_fen": principal,
        "entitlement_fen": entitlement,
        "entitlement_yuan": fen_to_yuan(entitlement),
    }


BLOCK_ROWS = 1 << 19


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
    version: np.ndarray  # int8 index into the program's versions, -1 none
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
        """The verdicts on some rows, with the totals of their split under ``shares``."""
        eligible = _eligible(codes, principal_fen)
        floors, remainders = shares.split(eligible, version)
        counts = np.bincount(remainders, minlength=shares.denominator)
        return cls(
            codes, principal_fen, ok, version, exact_sum(eligible), exact_sum(floors), counts,
            *details,
        )  # fmt: skip

    @property
    def eligible_principal(self) -> np.ndarray:
        """The principal where eligible, else 0."""
        return _eligible(self.codes, self.principal_fen)

    @classmethod
    def empty(cls, rows: int, denominator: int) -> RowVerdicts:
        """Arrays for ``rows`` rows, to be filled block by block with :meth:`put`."""
        codes, ok = np.empty(rows, dtype=np.int8), np.empty(rows, dtype=bool)
        principal, version = np.empty(rows, dtype=np.int64), np.empty(rows, dtype=np.int8)
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

        Computed block by block on a thread per core.
        """
        out = np.empty(len(self.codes), dtype=np.int64)

        def block(start: int) -> np.ndarray:
            part = slice(start, start + BLOCK_ROWS)
            floors, remainders = shares.split(
                _eligible(self.codes[part], self.principal_fen[part]), self.version[part]
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
    """Everything that defines a claim except the ledger itself.

    Attributes
    ----------
    program : Program
    period : Quarter or Month
    versions : tuple of PolicyRow
        Every version of the program, in date order (a loan is matched to the one
        covering its disbursement date).
    policies : tuple of PolicyRow
        The versions overlapping the period.
    lender : Lender
    deadline : calendars.Deadline
    lists : Mapping of str to IdSet or None
        The program's reference lists, read and checked.
    list_sizes : dict
        How many ids each list held (None: an optional list not given).
    screening : dict
    warnings : tuple of dict
    policy_source : dict
    """

    program: Program
    period: Quarter | Month
    versions: tuple[PolicyRow, ...]
    policies: tuple[PolicyRow, ...]
    lender: Lender
    deadline: Deadline
    lists: Mapping[str, IdSet | None] = field(repr=False)
    list_sizes: dict[str, Any]
    screening: dict[str, str] = field(default_factory=dict)
    warnings: tuple[dict[str, str], ...] = ()
    policy_source: dict[str, Any] = field(default_factory=dict)

    @property
    def policy(self) -> PolicyRow:
        """The first version overlapping the period."""
        return self.policies[0]

    @property
    def extra_required(self) -> tuple[str, ...]:
        """Ledger columns the program needs beyond the common ones."""
        return self.program.columns

    @functools.cached_property
    def shares(self) -> Shares:
        """The versions' ratios over one denominator."""
        return Shares.of([v.ratio.value for v in self.versions])

    def classify_rows(self, frame: pd.DataFrame, duplicates: Duplicates = None) -> RowVerdicts:
        """Reason codes, principal and eligible principal for every row of ``frame``."""
        cols = columns(frame, duplicates)
        version = version_of(cols.disbursed, self.versions)
        window = window_exclusions(cols, self.versions, self.period, version)
        decided = np.logical_or.reduce([mask for _, mask in (*cols.invalid, *window)])
        given = RuleInput(cols, ~decided, self.lists, self.versions, version)
        own = [(rule.reason, rule.rule(given)) for rule in self.program.rules]
        codes = classify(cols, [*window, *own])
        return RowVerdicts.of(
            codes, cols.principal_fen, cols.principal_ok, version, self.shares,
            row_details(cols, codes),
        )  # fmt: skip

    def classify_frame(self, frame: pd.DataFrame, duplicates: Duplicates = None) -> RowVerdicts:
        """The verdicts on every row of ``frame``: reason codes, principal, and the
        eligible principal's floor and remainder under its version's ratio, with their
        totals.

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

        verdicts = RowVerdicts.empty(len(frame), self.shares.denominator)

        def block(start: int) -> RowVerdicts:
            part = duplicates
            if isinstance(duplicates, np.ndarray):
                part = duplicates[start : start + BLOCK_ROWS]
            found = self.classify_rows(frame.iloc[start : start + BLOCK_ROWS], part)
            verdicts.put(start, found)
            return replace(found, detail_rows=found.detail_rows + start)

        return verdicts.with_totals(in_threads(block, list(starts)))

    def entitlement(self, floors_total: int, remainder_counts: np.ndarray) -> int:
        """The one rounding of the claim (see :meth:`calculators._money.Shares.total`)."""
        return self.shares.total(floors_total, remainder_counts)

    def per_loan(
        self, frame: pd.DataFrame, verdicts: RowVerdicts, entitlement_fen: np.ndarray
    ) -> pd.DataFrame:
        """The per-loan output (see :func:`per_loan_frame`) with this claim's versions."""
        return per_loan_frame(frame, verdicts, entitlement_fen, self.versions)

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
            program=self.program.id,
            policy=self.policy,
            quarter=self.period,
            lender=self.lender,
            loans=loans,
            eligible_principal_fen=principal_fen,
            entitlement_fen=entitlement_fen,
            deadline=self.deadline,
            file_sha256=digest,
            lists=self.list_sizes,
            source_frame=source,
            screening=self.screening,
            notes=self.warnings,
            policies=self.policies,
            policy_source=self.policy_source,
            reasons_shown=("eligible", *COMMON_EXCLUSIONS, *self.program.reasons, *INVALID_REASONS),
        )


def prepare(
    program: str | Program,
    period: str | Quarter | Month,
    lender: str | Lender,
    *,
    lists: Mapping[str, IdList | None] | None = None,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> ClaimSpec:
    """Check the period, policy, lender and reference lists, and fix the deadline, before
    any ledger is read.

    Parameters
    ----------
    program : str or Program
        A registered program (see :mod:`calculators._registry`).
    period : str, Quarter or Month
        The claim period, of the cadence the program's versions in it use.
    lender : str or Lender
        Code or Chinese name; eligible under every version overlapping the period.
    lists : Mapping of str to path or iterable of ids, optional
        The program's reference lists by name (``eligible_borrowers``, ``dishonest``).
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.

    Raises
    ------
    RelendInputError
        An unknown program, list or lender, a period no version covers or of the wrong
        cadence, a missing or empty required list.
    """
    found = program if isinstance(program, Program) else get_program(program)
    given = dict(lists or {})
    unknown = [name for name in given if name not in {x.name for x in found.lists}]
    if unknown:
        found.reference_list(unknown[0])  # raises, naming the program's lists
    table = policy_table(policy)
    versions = table.rows(found.id)
    span = parse_period(period) if isinstance(period, str) else period
    policies = tuple(v for v in versions if v.overlaps(span))
    if not policies:
        windows = "; ".join(v.window() for v in versions)
        raise PolicyNotFoundError(
            "quarter" if isinstance(span, Quarter) else "month", str(span),
            f"a period overlapping a {found.id} window ({windows})",
        )  # fmt: skip
    cadence = "quarterly" if isinstance(span, Quarter) else "monthly"
    for row in policies:
        if row.cadence.value != cadence:
            example = "2022Q3" if row.cadence.value == "quarterly" else "2022-10"
            raise ParameterError(
                "period", str(span),
                f"a {row.cadence.value} period for {row.version}, e.g. {example} "
                f"({row.cadence.source})",
            )  # fmt: skip
    eligible = tuple(c for c in policies[0].lenders.value
                     if all(c in row.lenders.value for row in policies))  # fmt: skip
    lender_found = find_lender(lender, eligible, found.id)
    deadline = deadline_for(span, calendar)
    read: dict[str, IdSet | None] = {}
    sizes: dict[str, Any] = {}
    screening: dict[str, str] = {}
    notes: list[dict[str, str]] = []
    for spec in found.lists:
        ids = id_list(given.get(spec.name), spec.what, required=spec.required)
        read[spec.name], sizes[spec.name] = ids, None if ids is None else len(ids)
        if not spec.required:
            screening[spec.name] = "not_screened" if ids is None else "screened"
            warning = spec.missing if ids is None else spec.empty if not len(ids) else None
            if warning:
                notes.append({"code": warning[0], "message": warning[1]})
    return ClaimSpec(
        found, span, versions, policies, lender_found, deadline, read, sizes, screening,
        tuple(notes), table.source(relend_version()),
    )  # fmt: skip


def run_claim(spec: ClaimSpec, ledger: Ledger) -> ClaimResult:
    """Validate, classify and split a ledger in memory."""
    frame, digest = load(ledger, spec.extra_required)
    verdicts = spec.classify_frame(frame)
    entitlement = spec.entitlement(verdicts.floors_total, verdicts.remainder_counts)
    r, take = leftover_threshold(verdicts.remainder_counts, entitlement - verdicts.floors_total)
    loans = spec.per_loan(frame, verdicts, verdicts.entitlements(spec.shares, r, take))
    return spec.result(
        ClaimResult,
        loans,
        verdicts.eligible_total,
        exact_sum(loans["entitlement_fen"]),
        digest,
        frame,
    )


def claim(
    program: str,
    ledger: Ledger,
    period: str | Quarter | Month,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    **lists: IdList | None,
) -> ClaimResult:
    """Compute a lender's claim under any registered program.

    Parameters
    ----------
    program : str
        ``tech``, ``transport`` or another registered program.
    ledger : DataFrame or path
    period : str, Quarter or Month
    lender : str or Lender
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.
    **lists : path or iterable of ids
        The program's reference lists by name (``eligible_borrowers=...``).
    """
    spec = prepare(program, period, lender, lists=lists, calendar=calendar, policy=policy)
    return run_claim(spec, ledger)


def per_loan_frame(
    frame: pd.DataFrame,
    verdicts: RowVerdicts,
    entitlement_fen: np.ndarray,
    versions: tuple[PolicyRow, ...],
) -> pd.DataFrame:
    """The ledger's rows and columns as given, then ``principal_fen`` (``Int64``, empty
    where invalid), ``status``, ``reason``, ``entitlement_fen``, ``detail`` (what was
    wrong with an invalid row, or the unrecognized value of an excluded one; else empty)
    and ``policy_version`` (the version covering the loan's disbursement date; empty for
    invalid rows and loans outside every version).

    Notes
    -----
    The new columns are put beside the input's without copying either (copy-on-write:
    the input is never changed). A ``principal_fen`` column in the input is replaced
    in place.
    """
    status = status_of_reasons()[verdicts.codes]
    outside = np.isin(
        verdicts.codes,
        [reason_index("before_policy_start"), reason_index("after_policy_end")],
    )
    version = np.where((status == _INVALID) | outside, -1, verdicts.version)
    added = {
        "principal_fen": pd.arrays.IntegerArray(verdicts.principal_fen, ~verdicts.principal_ok),
        "status": pd.Categorical.from_codes(status, categories=list(STATUSES)),
        "reason": pd.Categorical.from_codes(verdicts.codes, categories=list(reason_codes())),
        "entitlement_fen": entitlement_fen,
        "detail": detail_column(len(frame), verdicts.detail_rows, verdicts.details),
        "policy_version": pd.Categorical.from_codes(
            version, categories=[v.version for v in versions]
        ),
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
