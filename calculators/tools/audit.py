"""Audit: recompute a submitted claim and compare it loan by loan.

The bank's submission lists the amount claimed per loan. relend recomputes the claim
from the ledger and joins the two on ``loan_id``. Nothing is dropped: every submitted
row and every ledger row is one row of the output (a submitted row and a ledger row
with the same loan id share a row; the k-th submitted row of a loan pairs with its
k-th ledger row), with ``submitted_line`` and ``ledger_line`` (the header is line 1).

Each loan is compared once, on its first row: the total claimed on its rows against
the total recomputed for it. ``difference_fen``, ``overclaimed_fen`` and
``underclaimed_fen`` are set on that row and empty on the loan's other rows, so each
column adds up to the summary's figure. Classes:

``overclaimed``      claimed more than recomputed by more than the tolerance (claims on
                     ineligible loans included; ``reason`` says why the recomputation
                     gives less)
``duplicate_claim``  the loan id is on more than one submitted row: every row of the
                     loan has this class, and whatever the rows claim in all beyond
                     the recomputed amount is overclaimed (the tolerance does not
                     apply: it absorbs rounding, and a second row is not rounding)
``not_in_ledger``    claimed, but the loan is not in the ledger
``underclaimed``     claimed less than recomputed by more than the tolerance
``not_claimed``      recomputed above the tolerance, no usable claim submitted
``invalid``          a submitted row that cannot be compared: no loan id
                     (``missing_loan_id``) or an amount that is not a non-negative
                     number of yuan with at most 2 decimals, or of whole fen
                     (``invalid_claimed_amount``); ``detail`` names the column as
                     headed in the file and the value, e.g. ``claimed='12.345'``
``match``            claimed and recomputed agree within ``tolerance_fen`` (a loan
                     neither claimed nor eligible is a match at 0)

``tolerance_fen`` (0 to :data:`MAX_TOLERANCE_FEN`, 100 fen per loan) is for rounding:
a bank that rounds each loan's share on its own differs from relend's one rounding by
at most a fen per loan, so a tolerance of a yuan is generous; a larger one would hide
real overclaims and is refused.

Every amount is integer fen from the parsed text to the outputs (numpy ``int64``,
pandas ``Int64`` where a row has no amount, Python ``int`` for totals): no float.

Notes
-----
The clawback implied is the sum of the overclaims. Both notices have the PBoC check
the loans after granting the relending and recover it for loans that do not meet the
requirements: 中国人民银行 科技部 工业和信息化部关于设立科技创新再贷款的通知, 三
(seed 781-785, "对不符合科技创新再贷款要求的，人民银行将收回科技创新再贷款"); 中国人民银行
交通运输部关于设立交通物流专项再贷款有关事宜的通知, 三 (seed 861-865, "对不符合专项再贷款
要求的，人民银行将收回专项再贷款"). A difference within the tolerance is a match and
adds nothing to the overclaims, the underclaims or the clawback (the summary reports
it as ``within_tolerance_fen``); underclaims are not netted against the clawback.
Submitted amounts that cannot be read cannot be summed: the summary counts them
(``unreadable_claim_rows``) and lists them; a readable amount on a row without a loan
id is in ``submitted_fen`` and ``invalid_claimed_fen`` but compared with no loan.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calendars import BusinessCalendar, Quarter

from .._errors import LedgerFileError, MoneyError, ParameterError
from .._i18n import N_, _
from .._money import MAX_FEN, exact_sum, fen_to_yuan
from ..columnar.money import parse_fen_column, parse_yuan_column
from ..columnar.text import TEXT, TextColumn
from ..engine.claim import claim as claim_program
from ..engine.codes import reason_codes
from ..engine.result import ClaimResult
from ..engine.validate import Ledger, loan_ids
from ..policy.lenders import Lender
from ..policy.table import PolicyTable
from ..readers.columns import canonical_name, present
from ..readers.csv_file import read_bytes, read_csv_text

__all__ = [
    "AUDIT_CLASSES",
    "CLAWBACK_RULE",
    "MAX_TOLERANCE_FEN",
    "AuditResult",
    "audit",
    "read_submission",
]

AUDIT_CLASSES = ("overclaimed", "duplicate_claim", "not_in_ledger", "underclaimed",
                 "not_claimed", "invalid", "match")  # fmt: skip
_RANK = {c: i for i, c in enumerate(AUDIT_CLASSES)}  # differences first, matches last
CLAWBACK_RULE = N_(
    "clawback = sum of per-loan overclaims beyond the tolerance (a loan's claims on all "
    "its submitted rows against its recomputed amount); tech notice, section 三 (the 2022 "
    "policy compilation, lines 781-785); transport notice, section 三 (lines 861-865)"
)
# a submission's columns (their aliases are in the one table, columns.COLUMN_ALIASES)
SUBMISSION_COLUMNS = ("loan_id", "claimed", "claimed_fen")
_UNREADABLE_LISTED = 100  # rows listed in the summary; audit.csv has every one
_NOT_COMPARED = -1  # reason index of a loan that is not in the ledger
MAX_TOLERANCE_FEN = 100  # per loan: rounding differences, not amounts (see the docstring)
TOLERANCE_RULE = N_(
    "a whole number of fen from 0 to 100 per loan: the tolerance absorbs rounding "
    "differences, it does not excuse amounts"
)


@dataclass(frozen=True, eq=False)
class AuditResult:
    """The comparison of a submitted claim with its recomputation.

    Attributes
    ----------
    claim : ClaimResult
        The recomputed claim.
    loans : pandas.DataFrame
        One row per submitted row and per ledger row (see the module docstring):
        ``loan_id``, ``class``, ``claimed_fen``, ``recomputed_fen``, ``difference_fen``,
        ``overclaimed_fen``, ``underclaimed_fen`` (``Int64``, empty where not
        applicable), ``reason``, ``detail``, ``submitted_line``, ``ledger_line``.
    tolerance_fen : int
    """

    claim: ClaimResult
    loans: pd.DataFrame
    tolerance_fen: int

    @property
    def differences(self) -> int:
        """Rows whose class is neither ``match`` nor ``invalid``."""
        return int((~self.loans["class"].isin(["match", "invalid"])).sum())

    def summary(self) -> dict[str, Any]:
        """The dict ``relend audit --json`` prints.

        Notes
        -----
        ``net_difference_fen`` (submitted minus recomputed) = ``overclaimed_fen`` -
        ``underclaimed_fen`` + ``within_tolerance_fen`` + ``invalid_claimed_fen`` -
        ``unverified_recomputed_fen`` (the recomputed amount of loans whose only submitted
        amounts could not be read: neither under- nor overclaimed, they cannot be
        compared). ``clawback_fen`` equals ``overclaimed_fen`` (see the module's Notes).
        ``within_tolerance_over_fen`` sums the tolerated claims above the recomputed
        amount; ``warnings`` has ``tolerated_differences_add_up`` when that is more than
        one loan's tolerance: each is a match, but their sum is shown so that a claim
        rounded up on every loan is seen.
        """
        loans = self.loans
        invalid = (loans["class"] == "invalid").to_numpy()
        claimed = _fen(loans["claimed_fen"])
        unreadable = (
            invalid
            & loans["claimed_fen"].isna().to_numpy()
            & loans["submitted_line"].notna().to_numpy()
        )
        submitted = exact_sum(claimed)
        over = exact_sum(_fen(loans["overclaimed_fen"]))
        under = exact_sum(_fen(loans["underclaimed_fen"]))
        within = exact_sum(_fen(loans["difference_fen"])) - over + under
        tolerated_over = exact_sum(np.maximum(_fen(loans["difference_fen"]), 0)) - over
        unverified = exact_sum(_fen(loans["recomputed_fen"])[invalid])
        entitlement = self.claim.entitlement_fen
        warnings = []
        if tolerated_over > self.tolerance_fen:
            warnings.append({
                "code": "tolerated_differences_add_up",
                "message": _(
                    "claims above the recomputed amount by at most the per-loan tolerance of "
                    "{tolerance} fen add up to {total} yuan: each counts as a match and none "
                    "is clawed back"
                ).format(tolerance=self.tolerance_fen, total=fen_to_yuan(tolerated_over)),
            })  # fmt: skip
        if unverified:
            warnings.append({
                "code": "claims_not_compared",
                "message": _(
                    "{total} yuan of recomputed relending could not be compared: its submitted "
                    "amounts could not be read"
                ).format(total=fen_to_yuan(unverified)),
            })  # fmt: skip
        claim = self.claim.summary()
        counts = loans["class"].value_counts()
        duplicated = loans.loc[loans["class"] == "duplicate_claim", "loan_id"]
        listed = loans.loc[unreadable, ["submitted_line", "loan_id", "detail"]].head(
            _UNREADABLE_LISTED
        )
        return {
            "tool": self.claim.program,
            "quarter": str(self.claim.quarter),
            "lender": self.claim.lender.code,
            "submitted_rows": int(loans["submitted_line"].notna().sum()),
            "submitted_fen": submitted,
            "submitted_yuan": fen_to_yuan(submitted),
            "recomputed_fen": entitlement,
            "recomputed_yuan": fen_to_yuan(entitlement),
            "overclaimed_fen": over,
            "overclaimed_yuan": fen_to_yuan(over),
            "underclaimed_fen": under,
            "underclaimed_yuan": fen_to_yuan(under),
            "within_tolerance_fen": within,
            "within_tolerance_over_fen": tolerated_over,
            "invalid_claimed_fen": exact_sum(claimed[invalid]),
            "unverified_recomputed_fen": unverified,
            "net_difference_fen": submitted - entitlement,
            "clawback_fen": over,
            "clawback_yuan": fen_to_yuan(over),
            "clawback_rule": _(CLAWBACK_RULE),
            "tolerance_fen": self.tolerance_fen,
            "classes": {c: int(counts.get(c, 0)) for c in AUDIT_CLASSES},
            "differences": self.differences,
            "duplicate_claim_loans": int(duplicated.nunique()),
            "unreadable_claim_rows": int(unreadable.sum()),
            "unreadable_claims": [
                {"submitted_line": int(line), "loan_id": str(loan_id), "detail": str(detail)}
                for line, loan_id, detail in listed.itertuples(index=False)
            ],
            "warnings": warnings,
            "ledger_invalid_rows": claim["loans_invalid"],
            "claim": claim,
        }


def _fen(values: pd.Series) -> np.ndarray:
    """An ``Int64`` column as int64 with missing values as 0 (never through float)."""
    return values.to_numpy(dtype=np.int64, na_value=0)


def _submission_columns(frame: pd.DataFrame) -> dict[str, object]:
    """The submission's loan-id and amount headers by canonical name.

    Headers are cleaned as the ledger's are (spaces and a BOM removed, case ignored);
    the loan id takes every alias the ledger accepts (借据号, 贷款编号, ...).
    """
    found: dict[str, object] = {}
    for column in frame.columns:
        name = canonical_name(column, SUBMISSION_COLUMNS)
        if name is None:
            continue
        if name in found:
            raise LedgerFileError(
                "submitted column",
                str(column),
                _("one column for {name}; {other} is too").format(name=name, other=found[name]),
            )
        found[name] = column
    if "claimed" in found and "claimed_fen" in found:
        raise LedgerFileError(
            "submitted columns",
            present(frame),
            _("one amount column, {yuan} (yuan) or {fen} (claimed_fen), not both").format(
                yuan=found["claimed"], fen=found["claimed_fen"]
            ),
        )
    if "loan_id" not in found or len(found) < 2:
        raise LedgerFileError(
            "submitted columns",
            present(frame),
            _("loan_id (借据号) and claimed in yuan (申报金额) or claimed_fen"),
        )
    return found


def read_submission(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """The submission, one row per submitted row, in order.

    Returns
    -------
    pandas.DataFrame
        ``loan_id`` (stripped, ``""`` when missing), ``claimed_fen`` (``Int64``, missing
        where the amount cannot be used), ``problem`` (``""``, ``missing_loan_id`` or
        ``invalid_claimed_amount``) and ``detail`` (the offending values, e.g.
        ``claimed='12.345'``).

    Raises
    ------
    LedgerFileError
        If the file cannot be read, or lacks a loan-id or an amount column, or has
        two amount columns.
    """
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_csv_text(read_bytes(source, "submitted"), str(source), "submitted")
    columns = _submission_columns(frame)
    loan_id = loan_ids(frame[[columns["loan_id"]]])
    unit = "claimed_fen" if "claimed_fen" in columns else "claimed"
    amounts = frame[columns[unit]]
    fen, ok = (parse_fen_column if unit == "claimed_fen" else parse_yuan_column)(amounts)
    ok = ok & (fen >= 0) & (fen <= MAX_FEN)
    no_id = (loan_id == "").to_numpy(dtype=bool)
    problem = np.select([no_id, ~ok], ["missing_loan_id", "invalid_claimed_amount"], default="")
    detail = pd.Series("", index=frame.index, dtype=TEXT)
    raw = TextColumn.of(amounts).filled().series(amounts.index)
    detail[~ok] = f"{columns[unit]!s}='" + raw[~ok] + "'"
    detail[no_id] = "loan_id=''" + detail[no_id].where(detail[no_id] == "", "; " + detail[no_id])
    return pd.DataFrame(
        {
            "loan_id": loan_id.array,
            "claimed_fen": pd.arrays.IntegerArray(np.where(ok, fen, 0), mask=~ok),
            "problem": problem,
            "detail": detail.array,
        }
    )


def audit(
    program: str,
    ledger: Ledger,
    submitted: pd.DataFrame | str | Path,
    quarter: str | Quarter,
    lender: str | Lender,
    *,
    tolerance_fen: int = 0,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
    **lists: str | Path | Iterable[str] | None,
) -> AuditResult:
    """Recompute ``program``'s claim and compare it with ``submitted``, loan by loan.

    Parameters
    ----------
    program : str
        Any registered program (``tech``, ``transport``, ...).
    **lists : path, iterable of ids or BorrowerList
        The program's reference lists by name (``eligible_borrowers=``,
        ``dishonest=``); a list given as None counts as not given.
    policy : PolicyTable or path, optional
        A user policy file applied for this audit only.
    tolerance_fen : int
        A loan whose total claimed differs from its recomputed amount by at most this
        many fen (0 to 100) is a ``match``; a larger difference counts whole. It never
        applies to a loan claimed on more than one row (``duplicate_claim``).
    progress : bool, default False
        Show progress bars on stderr for reading and classifying the ledger once a step
        has taken two seconds.

    Raises
    ------
    ParameterError
        For an unknown program, a tolerance outside 0 to 100 fen, or a tech audit
        without the eligible-borrowers list.
    LedgerFileError
        For a ledger or submission that cannot be used at all.

    Notes
    -----
    See the module docstring for the classes and the clawback rule (tech notice 三,
    seed 781-785; transport notice 三, seed 861-865).
    """
    if (
        isinstance(tolerance_fen, bool)
        or not isinstance(tolerance_fen, int)
        or not 0 <= tolerance_fen <= MAX_TOLERANCE_FEN
    ):
        raise ParameterError("tolerance_fen", tolerance_fen, _(TOLERANCE_RULE))
    given = {name: value for name, value in lists.items() if value is not None}
    claim = claim_program(program, ledger, quarter, lender, calendar=calendar, policy=policy,
                          progress=progress, **given)  # fmt: skip
    return AuditResult(claim, _compare(claim, read_submission(submitted), tolerance_fen),
                       tolerance_fen)  # fmt: skip


def _occurrence(codes: np.ndarray) -> np.ndarray:
    """For each item, how many earlier items have the same code (0, 1, 2, ...)."""
    order = np.argsort(codes, kind="stable")
    ranked = codes[order]
    index = np.arange(len(codes))
    starts = np.ones(len(codes), dtype=bool)
    starts[1:] = ranked[1:] != ranked[:-1]
    first = np.maximum.accumulate(np.where(starts, index, 0)) if len(codes) else index
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = index - first
    return out


def _group_sum(
    codes: np.ndarray, fen: np.ndarray, groups: int, ids: pd.Series | None = None
) -> np.ndarray:
    """Exact int64 sum of ``fen`` per code, refusing a total past 2**62 (the claims of
    one loan, ``ids`` giving each item's loan id for the message)."""
    high = np.zeros(groups, dtype=np.int64)
    low = np.zeros(groups, dtype=np.int64)
    np.add.at(high, codes, fen >> 32)
    np.add.at(low, codes, fen & 0xFFFFFFFF)
    too_big = (high >= 2**30) | (high + (low >> 32) >= 2**30)
    if too_big.any():
        item = int(np.flatnonzero(too_big[codes])[0])
        raise MoneyError(
            "claimed",
            _("loan {loan_id}").format(loan_id=ids.iloc[item] if ids is not None else item),
            _("a loan's claims adding up to less than {yuan} yuan").format(
                yuan=fen_to_yuan(2**62)),
        )  # fmt: skip
    return (high << 32) + low


def _int64(values: np.ndarray, present: np.ndarray) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(present, values, 0).astype(np.int64), mask=~present)


def _compare(claim: ClaimResult, sub: pd.DataFrame, tolerance: int) -> pd.DataFrame:
    """The audit rows (see the module docstring), differences first."""
    ledger_ids = claim.loan_ids.astype(TEXT).reset_index(drop=True)
    n_ledger, n_sub = len(ledger_ids), len(sub)
    entitlement = claim.loans["entitlement_fen"].to_numpy(dtype=np.int64)
    reasons = claim.loans["reason"].cat.codes.to_numpy(dtype=np.int64)
    usable_pos = np.flatnonzero((sub["problem"] == "").to_numpy())
    usable_ids = sub["loan_id"].iloc[usable_pos].reset_index(drop=True)
    sub_fen = sub["claimed_fen"].to_numpy(dtype=np.int64, na_value=0)
    claimed = sub_fen[usable_pos]

    # one code per loan id; a ledger row without an id is a loan of its own
    codes, _uniques = pd.factorize(pd.concat([ledger_ids, usable_ids], ignore_index=True))
    codes = codes.astype(np.int64)
    groups = int(codes.max()) + 1 if len(codes) else 0
    no_id = np.flatnonzero((ledger_ids == "").to_numpy(dtype=bool))
    codes[no_id] = groups + np.arange(len(no_id))
    groups += len(no_id)
    code_l, code_s = codes[:n_ledger], codes[n_ledger:]

    # the k-th submitted row of a loan shares an output row with its k-th ledger row
    occ = np.concatenate([_occurrence(code_l), _occurrence(code_s)])
    width = int(occ.max()) + 1 if len(occ) else 1
    keys, inverse = np.unique(codes * width + occ, return_inverse=True)
    inverse = inverse.reshape(-1)
    rows = len(keys)
    lpos = np.full(rows, -1, dtype=np.int64)
    lpos[inverse[:n_ledger]] = np.arange(n_ledger)
    spos = np.full(rows, -1, dtype=np.int64)
    spos[inverse[n_ledger:]] = usable_pos
    code, first_row = keys // width, keys % width == 0
    both_ids = pd.concat([ledger_ids, sub["loan_id"].astype(TEXT)], ignore_index=True)
    loan_id = both_ids.take(np.where(lpos >= 0, lpos, n_ledger + spos)).reset_index(drop=True)

    # per loan: totals, where it appears first, whether it is submitted more than once
    recomputed = _group_sum(code_l, entitlement, groups)
    claimed_total = _group_sum(code_s, claimed, groups, usable_ids)
    in_ledger = np.bincount(code_l, minlength=groups) > 0
    claimed_any = np.bincount(code_s, minlength=groups) > 0
    first_ledger = np.full(groups, n_ledger, dtype=np.int64)
    np.minimum.at(first_ledger, code_l, np.arange(n_ledger))
    first_sub = np.full(groups, n_sub, dtype=np.int64)
    np.minimum.at(first_sub, code_s, usable_pos)
    order = np.where(in_ledger, first_ledger, n_ledger + first_sub)
    reason = np.where(in_ledger, _at(reasons, np.where(in_ledger, first_ledger, -1)), _NOT_COMPARED)
    sub_codes, _sub_uniques = pd.factorize(sub["loan_id"])
    times = np.bincount(sub_codes, minlength=1)[sub_codes]  # rows naming each row's id
    duplicate = np.zeros(groups, dtype=bool)
    duplicate[code_s] = times[usable_pos] > 1
    # a ledger loan whose only submitted rows could not be read was claimed, for an
    # amount nobody can tell: it is not an underclaim (nor a match), it is unusable
    bad_rows = (sub["problem"] != "").to_numpy() & (sub["loan_id"] != "").to_numpy(dtype=bool)
    unreadable = np.zeros(groups, dtype=bool)
    named = ledger_ids.isin(pd.Index(sub["loan_id"][bad_rows].unique())).to_numpy(dtype=bool)
    unreadable[code_l[named]] = True
    unreadable_only = unreadable & ~claimed_any
    difference = np.where(unreadable_only, 0, claimed_total - recomputed)
    # a loan claimed twice is never within the tolerance: it is for rounding
    allowed = np.where(duplicate, 0, tolerance)
    over = np.where(difference > allowed, difference, 0)
    under = np.where(-difference > allowed, -difference, 0)
    rank = np.select(
        [duplicate, unreadable_only, ~in_ledger, ~claimed_any & (recomputed > tolerance),
         difference > allowed, difference < -allowed],
        [_RANK[c] for c in ("duplicate_claim", "invalid", "not_in_ledger", "not_claimed",
                            "overclaimed", "underclaimed")],
        default=_RANK["match"],
    )  # fmt: skip

    count = np.zeros(groups, dtype=np.int64)
    count[code_s] = times[usable_pos]
    dup = duplicate[code]
    detail = np.full(rows, "", dtype=object)
    if dup.any():
        repeated = loan_id[dup].reset_index(drop=True)
        times_text = pd.Series(count[code[dup]].astype(str), dtype=TEXT)
        # one message for the translator, cut at its placeholders to join whole columns
        before, rest = _("loan_id='{loan_id}' on {count} submitted rows").split("{loan_id}")
        between, after = rest.split("{count}")
        detail[dup] = (before + repeated + between + times_text + after).array
    lost = unreadable_only[code] & (lpos >= 0)
    detail[lost] = _("its submitted amount could not be read (see its invalid row)")
    compared = pd.DataFrame(
        {
            "loan_id": loan_id.array,
            "class": np.array(AUDIT_CLASSES, dtype=object)[rank[code]],
            "claimed_fen": _int64(_at(sub_fen, spos), spos >= 0),
            "recomputed_fen": _int64(_at(entitlement, lpos), lpos >= 0),
            "difference_fen": _int64(difference[code], first_row),
            "overclaimed_fen": _int64(over[code], first_row),
            "underclaimed_fen": _int64(under[code], first_row),
            "reason": _reason_names(reason[code]),
            "detail": pd.array(detail, dtype=TEXT),
            "submitted_line": _int64(spos + 2, spos >= 0),
            "ledger_line": _int64(lpos + 2, lpos >= 0),
        }
    )
    bad = np.flatnonzero((sub["problem"] != "").to_numpy())
    none = _int64(np.zeros(len(bad), dtype=np.int64), np.zeros(len(bad), dtype=bool))
    invalid = pd.DataFrame(
        {
            "loan_id": sub["loan_id"].iloc[bad].array,
            "class": "invalid",
            "claimed_fen": sub["claimed_fen"].iloc[bad].array,
            "recomputed_fen": none,
            "difference_fen": none,
            "overclaimed_fen": none,
            "underclaimed_fen": none,
            "reason": sub["problem"].iloc[bad].to_numpy(dtype=object),
            "detail": sub["detail"].iloc[bad].array,
            "submitted_line": _int64(bad + 2, np.ones(len(bad), dtype=bool)),
            "ledger_line": none,
        }
    )
    sort_rank = np.concatenate([rank[code], np.full(len(bad), _RANK["invalid"])])
    sort_order = np.concatenate([order[code], n_ledger + n_sub + bad])
    sort_occ = np.concatenate([keys % width, np.zeros(len(bad), dtype=np.int64)])
    both = pd.concat([compared, invalid], ignore_index=True) if len(bad) else compared
    return both.take(np.lexsort((sort_occ, sort_order, sort_rank))).reset_index(drop=True)


def _at(values: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """``values`` at ``positions``, 0 where the position is -1 (nothing there)."""
    if not len(values):
        return np.zeros(len(positions), dtype=np.int64)
    return np.where(positions >= 0, values[np.maximum(positions, 0)], 0)


def _reason_names(codes: np.ndarray) -> np.ndarray:
    """Reason codes (indices into reason_codes(); -1 for loans not in the ledger)."""
    names = np.array([*reason_codes(), "not_in_ledger"], dtype=object)
    return names[codes]
