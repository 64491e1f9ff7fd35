"""Audit: recompute a submitted claim and compare it loan by loan.

The bank's submission lists the amount claimed per loan. relend recomputes the claim
from the ledger, joins on ``loan_id`` and classifies every loan that appears on
either side:

``match``          claimed and recomputed agree within the per-loan tolerance
                   (a loan neither claimed nor eligible is a match at 0)
``overclaimed``    claimed more than recomputed (claims on ineligible loans included;
                   ``reason`` says why the recomputation gives less)
``underclaimed``   claimed less than recomputed
``not_in_ledger``  claimed, but the loan is not in the ledger
``not_claimed``    eligible in the recomputation, absent from the submission
``invalid``        the submission's row is unusable (bad amount, duplicated id)

Notes
-----
The clawback implied is the sum of the overclaims: the notices recover relending
granted on loans that do not meet the requirements (seed 781-785, 863-865);
underclaims are not netted against it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from calendars import BusinessCalendar, Quarter

from . import tech_relending, transport_relending
from ._claim import ClaimResult, Ledger
from ._errors import LedgerFileError, ParameterError
from ._ledger import REASONS, present, read_bytes, read_csv_text
from ._lenders import Lender
from ._money import exact_sum, fen_to_yuan, parse_fen_column, parse_yuan_column
from ._text import TEXT

__all__ = ["AUDIT_CLASSES", "AuditResult", "audit", "read_submission"]

AUDIT_CLASSES = ("overclaimed", "not_in_ledger", "underclaimed", "not_claimed", "invalid",
                 "match")  # fmt: skip
_RANK = {c: i for i, c in enumerate(AUDIT_CLASSES)}  # differences first, matches last
_ID_ALIASES = ("loan_id", "借据号", "贷款编号", "借据编号")
_YUAN_ALIASES = ("claimed", "申报金额", "申请金额", "申请再贷款金额")
_FEN_ALIASES = ("claimed_fen", "申报金额_分")


@dataclass(frozen=True, eq=False)
class AuditResult:
    """The comparison of a submitted claim with its recomputation."""

    claim: ClaimResult
    loans: pd.DataFrame
    tolerance_fen: int

    @property
    def differences(self) -> int:
        """Loans whose class is neither ``match`` nor ``invalid``."""
        return int((~self.loans["class"].isin(["match", "invalid"])).sum())

    def summary(self) -> dict[str, Any]:
        """The dict ``relend audit --json`` prints."""
        loans = self.loans
        usable = loans["class"] != "invalid"
        claimed = loans.loc[usable, "claimed_fen"].to_numpy(dtype=np.int64)
        recomputed = loans.loc[usable, "recomputed_fen"].to_numpy(dtype=np.int64)
        diff = claimed - recomputed
        over = exact_sum(np.clip(diff, 0, None))
        under = exact_sum(np.clip(-diff, 0, None))
        submitted = exact_sum(claimed)
        counts = loans["class"].value_counts()
        return {
            "tool": self.claim.program,
            "quarter": str(self.claim.quarter),
            "lender": self.claim.lender.code,
            "submitted_fen": submitted,
            "submitted_yuan": fen_to_yuan(submitted),
            "recomputed_fen": self.claim.entitlement_fen,
            "recomputed_yuan": fen_to_yuan(self.claim.entitlement_fen),
            "overclaimed_fen": over,
            "underclaimed_fen": under,
            "net_difference_fen": submitted - self.claim.entitlement_fen,
            "clawback_fen": over,
            "clawback_yuan": fen_to_yuan(over),
            "tolerance_fen": self.tolerance_fen,
            "classes": {c: int(counts.get(c, 0)) for c in AUDIT_CLASSES},
            "differences": self.differences,
            "ledger_invalid_rows": self.claim.summary()["loans_invalid"],
            "claim": self.claim.summary(),
        }


def read_submission(source: pd.DataFrame | str | Path) -> pd.DataFrame:
    """The submission as a frame with ``loan_id``, ``claimed_fen`` (nullable) and ``problem``."""
    if isinstance(source, pd.DataFrame):
        frame = source
    else:
        frame = read_csv_text(read_bytes(source, "submitted"), str(source), "submitted")
    names = {str(c).strip().lower(): c for c in frame.columns}
    id_col = next((names[a] for a in _ID_ALIASES if a in names), None)
    fen_col = next((names[a] for a in _FEN_ALIASES if a in names), None)
    yuan_col = next((names[a] for a in _YUAN_ALIASES if a in names), None)
    if id_col is None or (fen_col is None and yuan_col is None):
        raise LedgerFileError(
            "submitted columns",
            present(frame),
            "loan_id (借据号) and claimed in yuan (申报金额) or claimed_fen",
        )
    loan_id = frame[id_col].astype(TEXT).fillna("").str.strip()
    if fen_col is not None:
        fen, ok = parse_fen_column(frame[fen_col])
    else:
        fen, ok = parse_yuan_column(frame[yuan_col])
    ok = ok & (fen >= 0)
    problem = np.select(
        [loan_id.to_numpy() == "", loan_id.duplicated(keep=False).to_numpy(bool), ~ok],
        ["missing_loan_id", "duplicate_claim", "invalid_claimed_amount"],
        default="",
    )
    return pd.DataFrame(
        {
            "loan_id": loan_id.array,
            "claimed_fen": pd.arrays.IntegerArray(fen, mask=~ok),
            "problem": problem,
        }
    )


def audit(
    program: str,
    ledger: Ledger,
    submitted: pd.DataFrame | str | Path,
    quarter: str | Quarter,
    lender: str | Lender,
    *,
    eligible_borrowers: str | Path | Iterable[str] | None = None,
    dishonest: str | Path | Iterable[str] | None = None,
    tolerance_fen: int = 0,
    calendar: BusinessCalendar | str | None = None,
) -> AuditResult:
    """Recompute ``program``'s claim and compare it with ``submitted``, loan by loan."""
    if isinstance(tolerance_fen, bool) or not isinstance(tolerance_fen, int) or tolerance_fen < 0:
        raise ParameterError("tolerance_fen", tolerance_fen, "a whole number of fen, 0 or more")
    if program == "tech":
        if eligible_borrowers is None:
            raise ParameterError("eligible_borrowers", None, "the eligible-borrowers list")
        claim = tech_relending.claim(ledger, quarter, lender, eligible_borrowers, calendar=calendar)
    elif program == "transport":
        claim = transport_relending.claim(ledger, quarter, lender, dishonest, calendar=calendar)
    else:
        raise ParameterError("program", program, "tech or transport")
    return AuditResult(claim, _compare(claim, read_submission(submitted), tolerance_fen),
                       tolerance_fen)  # fmt: skip


def _reason_names(codes: pd.Series) -> np.ndarray:
    """Reason codes (indices into REASONS, missing for loans not in the ledger) as names."""
    names = np.array([*REASONS, "not_in_ledger"], dtype=object)
    return names[codes.fillna(len(REASONS)).to_numpy(dtype=np.int64)]


def _compare(claim: ClaimResult, sub: pd.DataFrame, tolerance: int) -> pd.DataFrame:
    ledger = claim.loans
    ids = claim.loan_ids
    recomputed = (
        pd.DataFrame(
            {
                "loan_id": ids.astype(TEXT).array,
                "recomputed_fen": ledger["entitlement_fen"].to_numpy(),
                "reason": ledger["reason"].cat.codes.to_numpy(),
                "order": np.arange(len(ledger)),
            }
        )
        .groupby("loan_id", sort=False)
        .agg(
            recomputed_fen=("recomputed_fen", "sum"),
            reason=("reason", "first"),
            order=("order", "first"),
        )
        .reset_index()
    )
    sub = sub.assign(sub_order=np.arange(len(sub)))
    usable = sub[sub["problem"] == ""]
    merged = recomputed.merge(usable, on="loan_id", how="outer", indicator=True, sort=False)
    in_ledger = merged["_merge"] != "right_only"
    claimed_present = merged["_merge"] != "left_only"
    claimed = merged["claimed_fen"].fillna(0).astype("int64").to_numpy()
    recomp = merged["recomputed_fen"].fillna(0).astype("int64").to_numpy()
    diff = claimed - recomp
    rank = np.select(
        [
            ~in_ledger.to_numpy(),
            (~claimed_present.to_numpy()) & (recomp > tolerance),
            diff > tolerance,
            diff < -tolerance,
        ],
        [_RANK[c] for c in ("not_in_ledger", "not_claimed", "overclaimed", "underclaimed")],
        default=_RANK["match"],
    )
    out = pd.DataFrame(
        {
            "loan_id": merged["loan_id"].array,
            "class": np.array(AUDIT_CLASSES, dtype=object)[rank],
            "claimed_fen": claimed,
            "recomputed_fen": recomp,
            "difference_fen": diff,
            "reason": _reason_names(merged["reason"]),
            "order": merged["order"].fillna(len(ledger) + merged["sub_order"].fillna(0)),
            "rank": rank,
        }
    )
    bad = sub[sub["problem"] != ""]
    invalid = pd.DataFrame(
        {
            "loan_id": bad["loan_id"].array,
            "class": "invalid",
            "claimed_fen": bad["claimed_fen"].astype("Int64").to_numpy(),
            "recomputed_fen": 0,
            "difference_fen": 0,
            "reason": bad["problem"].to_numpy(dtype=object),
            "order": 2 * len(ledger) + bad["sub_order"].to_numpy() + len(sub),
            "rank": _RANK["invalid"],
        }
    )
    both = pd.concat([out, invalid], ignore_index=True) if len(invalid) else out
    both = both.sort_values(["rank", "order"], kind="stable")
    return both.drop(columns=["rank", "order"]).reset_index(drop=True)
