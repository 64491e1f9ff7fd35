"""NPL tolerance check for the six hard-hit industries.

For each business unit and industry: NPL ratio = NPL balance / loan balance;
tolerance = the bank's baseline + an uplift; ``within`` when the ratio is at most the
tolerance, else ``breach``. Headroom is the further NPL balance, in whole fen, that
would still be within. Within tolerance, article 二十七 (no assessment deduction) and
article 二十八 (due-diligence exemption, subject to compliance) apply.

Notes
-----
银保监办发〔2022〕64号 (seed 7-364): (十七) banks may raise the NPL tolerance for
accommodation, catering, retail, culture, tourism and transport by at most 3
percentage points (seed 175-179); (十八) report the change in writing; (二十七) within
the tolerance, no or reduced assessment deductions (seed 248-252); (二十八) within the
tolerance, responsible staff may be spared accountability (seed 254-260).

Every comparison is exact, on integers: ``npl x 100 x 10^6 <= tolerance_micro_pct x
loan``, where percentages are held in millionths of a percent (at most 6 decimals).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ._errors import LedgerFileError
from ._ledger import read_bytes, read_csv_text
from ._money import exact_sum, parse_yuan_column
from ._text import TEXT

__all__ = ["INDUSTRIES", "MAX_UPLIFT_PCT", "NplResult", "check", "read_npl_file"]

INDUSTRIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "accommodation": "住宿",
        "catering": "餐饮",
        "retail": "零售",
        "culture": "文化",
        "tourism": "旅游",
        "transport": "交通运输",
    }
)
SOURCE = "银保监办发〔2022〕64号 (十七) seed 175-179, (二十七) 248-252, (二十八) 254-260"
MAX_UPLIFT_PCT = "3.00"  # 幅度不超过 3 个百分点, seed 175-179
_MICRO = 10**6  # millionths of a percent
_MAX_UPLIFT_MICRO = 3 * _MICRO
_PCT_PATTERN = r"\d{1,3}(?:\.\d{1,6})?"
COLUMNS = ("unit", "industry", "loan_balance", "npl_balance", "baseline_tolerance_pct",
           "uplift_pct")  # fmt: skip
_ALIASES = {
    "机构": "unit", "分支机构": "unit", "行业": "industry", "贷款余额": "loan_balance",
    "不良贷款余额": "npl_balance", "基准容忍度": "baseline_tolerance_pct",
    "上调幅度": "uplift_pct",
}  # fmt: skip
NPL_REASONS = (
    "within_tolerance",
    "above_tolerance",
    "invalid_balance",
    "zero_loan_balance",
    "npl_above_loan_balance",
    "invalid_percentage",
    "uplift_not_allowed_for_industry",
    "uplift_above_3pp",
)
_LOOKUP = {code: code for code in INDUSTRIES} | {zh: code for code, zh in INDUSTRIES.items()}


def _micro_pct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    text = values.astype(TEXT).fillna("").str.strip().str.rstrip("%")
    ok = text.str.fullmatch(_PCT_PATTERN).fillna(False).to_numpy(dtype=bool)
    parts = text.where(ok, "0").str.split(".", n=1, expand=True)
    whole = parts[0].astype("int64").to_numpy()
    frac = (parts[1] if parts.shape[1] > 1 else pd.Series("", index=text.index)).fillna("")
    frac_micro = frac.str.ljust(6, "0").astype("int64").to_numpy()
    return np.where(ok, whole * _MICRO + frac_micro, 0), ok


def _pct_text(micro: np.ndarray) -> list[str]:
    return [f"{int(m) // _MICRO}.{int(m) % _MICRO:06d}".rstrip("0").rstrip(".") for m in micro]


def _ratio_text(npl: np.ndarray, loan: np.ndarray) -> list[str]:
    # 6 decimals of a percent, half up, for display only
    scaled = (npl.astype(object) * 100 * _MICRO * 2 + loan.astype(object)) // (
        2 * np.maximum(loan, 1).astype(object)
    )
    return [f"{int(s) // _MICRO}.{int(s) % _MICRO:06d}" for s in scaled]


@dataclass(frozen=True, eq=False)
class NplResult:
    """Per-row results and summaries of an NPL tolerance check."""

    rows: pd.DataFrame
    input_sha256: str | None

    def by(self, key: str) -> list[dict[str, Any]]:
        """Totals per ``unit`` or ``industry`` over the valid rows."""
        valid = self.rows[self.rows["status"] != "invalid"]
        grouped = valid.groupby(key, sort=True, observed=True)
        out = []
        for name, group in grouped:
            loan = exact_sum(group["loan_balance_fen"])
            npl = exact_sum(group["npl_balance_fen"])
            out.append(
                {
                    key: name,
                    "loan_balance_fen": loan,
                    "npl_balance_fen": npl,
                    "npl_ratio_pct": _ratio_text(np.array([npl]), np.array([loan]))[0],
                    "within": int((group["status"] == "within").sum()),
                    "breach": int((group["status"] == "breach").sum()),
                }
            )
        return out

    def summary(self) -> dict[str, Any]:
        """The dict ``relend npl --json`` prints."""
        status = self.rows["status"].value_counts()
        units = [
            {k: (None if pd.isna(v) else v) for k, v in record.items()}
            for record in self.rows[
                ["unit", "industry", "npl_ratio_pct", "tolerance_pct", "status",
                 "headroom_fen", "assessment_relief", "due_diligence_exemption", "reason"]
            ].astype(object).to_dict("records")
        ]  # fmt: skip
        return {
            "tool": "npl",
            "units": units,
            "within": int(status.get("within", 0)),
            "breach": int(status.get("breach", 0)),
            "invalid": int(status.get("invalid", 0)),
            "by_industry": self.by("industry"),
            "by_unit": self.by("unit"),
            "comparison": "exact: NPL x 100 <= (baseline + uplift) x loan balance, on integers",
            "headroom_rounding": "floored to the fen",
            "source": SOURCE,
            "input_sha256": self.input_sha256,
        }


def check(frame: pd.DataFrame, input_sha256: str | None = None) -> NplResult:
    """Check each row's NPL ratio against its tolerance, exactly.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``unit``, ``industry``, ``loan_balance``, ``npl_balance`` (yuan),
        ``baseline_tolerance_pct``, ``uplift_pct`` (percent, e.g. ``3.00``); Chinese
        headers 机构, 行业, 贷款余额, 不良贷款余额, 基准容忍度, 上调幅度 accepted.

    Returns
    -------
    NplResult
        ``rows``: every input row with ``status`` within | breach | invalid and a
        ``reason`` from :data:`NPL_REASONS`.
    """
    data = frame.rename(columns=lambda c: _ALIASES.get(str(c).strip(), str(c).strip()))
    missing = [c for c in COLUMNS if c not in data.columns]
    if missing:
        raise LedgerFileError(
            "column", missing[0], f"an NPL file with columns {', '.join(COLUMNS)}"
        )
    loan, loan_ok = parse_yuan_column(data["loan_balance"])
    npl, npl_ok = parse_yuan_column(data["npl_balance"])
    base, base_ok = _micro_pct(data["baseline_tolerance_pct"])
    base_ok &= base <= 100 * _MICRO  # a tolerance above 100% means nothing
    uplift, uplift_ok = _micro_pct(data["uplift_pct"])
    industry_text = data["industry"].astype(TEXT).fillna("").str.strip()
    code = industry_text.str.lower().map(_LOOKUP).fillna("").to_numpy(dtype=object)
    balances_ok = loan_ok & npl_ok & (loan >= 0) & (npl >= 0) & (industry_text != "").to_numpy()
    invalid = [
        ("invalid_balance", ~balances_ok),
        ("zero_loan_balance", loan == 0),
        ("npl_above_loan_balance", npl > loan),
        ("invalid_percentage", ~(base_ok & uplift_ok)),
        ("uplift_not_allowed_for_industry", (uplift > 0) & (code == "")),
        ("uplift_above_3pp", uplift > _MAX_UPLIFT_MICRO),
    ]
    is_invalid = np.zeros(len(data), dtype=bool)
    for _, mask in invalid:
        is_invalid |= mask
    tolerance = base + uplift
    lhs = npl.astype(object) * (100 * _MICRO)
    rhs = tolerance.astype(object) * loan.astype(object)
    within = (lhs <= rhs).astype(bool) & ~is_invalid
    headroom = np.where(
        within, (rhs // (100 * _MICRO) - npl.astype(object)).astype(object), 0
    ).astype(np.int64)
    reason = np.select(
        [mask for _, mask in invalid] + [within],
        [name for name, _ in invalid] + ["within_tolerance"],
        default="above_tolerance",
    )
    rows = frame.reset_index(drop=True)  # copy-on-write: the input is never changed
    rows["unit"] = data["unit"].astype(TEXT).fillna("").str.strip().to_numpy()
    rows["industry"] = np.where(code != "", code, industry_text.to_numpy(dtype=object))
    rows["loan_balance_fen"] = pd.arrays.IntegerArray(loan, mask=~balances_ok)
    rows["npl_balance_fen"] = pd.arrays.IntegerArray(npl, mask=~balances_ok)
    rows["npl_ratio_pct"] = pd.array(_ratio_text(npl, loan), dtype=object)
    rows.loc[is_invalid, "npl_ratio_pct"] = None
    rows["tolerance_pct"] = pd.array(_pct_text(tolerance), dtype=object)
    rows.loc[~(base_ok & uplift_ok), "tolerance_pct"] = None
    rows["status"] = np.where(is_invalid, "invalid", np.where(within, "within", "breach"))
    rows["headroom_fen"] = pd.arrays.IntegerArray(headroom, mask=is_invalid)
    rows["assessment_relief"] = within
    rows["due_diligence_exemption"] = within
    rows["reason"] = reason
    return NplResult(rows, input_sha256)


def read_npl_file(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read an NPL CSV (UTF-8 or GB18030) as text cells, with its SHA-256."""
    data = read_bytes(path, "npl")
    return read_csv_text(data, str(path), "npl"), hashlib.sha256(data).hexdigest()
