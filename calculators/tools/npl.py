"""NPL tolerance check for the industries hit by the pandemic.

For each business unit and industry: NPL ratio = NPL balance / loan balance;
tolerance = the bank's baseline + an uplift; ``within`` when the ratio is at most the
tolerance, else ``breach``. Headroom is the further NPL balance, in whole fen, that
would still be within. Within tolerance, article 二十七 says the bank should give no
assessment deduction or a reduced one, and article 二十八 says accountability may be
reduced or waived, subject to compliance: the output says exactly that
(:data:`RELIEF_TERMS`), never a bare yes.

Notes
-----
中国银保监会办公厅关于进一步做好受疫情影响困难行业企业等金融服务的通知 (银保监办发〔2022〕
64号, seed 7-365):

- (十七) 提高行业不良容忍度, seed 175-179: "鼓励银行机构在受疫情影响的特定时间内适当提高
  住宿、餐饮、零售、文化、旅游、交通运输等行业的不良贷款容忍度，幅度不超过 3 个百分点".
  Six industries are named and the list is open (等). An uplift is accepted for the six
  (``industry_basis`` ``named``) and for an industry the user names explicitly
  (``extra_industries``; ``user_named``, beyond the six named); for any other industry
  an uplift is ``uplift_not_allowed_for_industry``. The 3-point cap holds for all.
  Wholesale (批发) is not among the six: the article names 零售 only.
- (十八) 及时报告调整情况, seed 181-183: report the change in writing (not checked here).
- (二十七) 优化调整考核机制, seed 248-252: "在不良贷款容忍度范围内对相关信贷业务条线和分支
  机构考核不予扣分或适当减轻扣分".
- (二十八) 落实尽职免责制度, seed 254-260: "在依法合规的前提下，若分支机构相关业务在不良
  贷款容忍度范围内，相关分支机构负责人、业务部门和从业人员可减轻或免予追责".

Every comparison is exact, on integers: ``npl x 100 x 10^6 <= tolerance_micro_pct x
loan``, where percentages are held in millionths of a percent (at most 6 decimals).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from .._errors import ParameterError
from .._i18n import N_, _
from .._money import exact_sum
from ..columnar.money import parse_yuan_column
from ..columnar.text import TextColumn
from ..readers.columns import canonical_columns
from ..readers.csv_file import read_bytes, read_csv_text

__all__ = [
    "INDUSTRIES",
    "MAX_UPLIFT_PCT",
    "RELIEF_TERMS",
    "NplResult",
    "check",
    "read_npl_file",
]

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
"""The six industries article 十七 names (银保监办发〔2022〕64号 (十七), seed 175-179)."""
SOURCE = N_(
    "银保监办发〔2022〕64号, articles 十七, 十八, 二十七 and 二十八 (the 2022 policy "
    "compilation of the Kashgar positive and negative lists, lines 175-179, 181-183, "
    "248-252 and 254-260)"
)
MAX_UPLIFT_PCT = "3.00"  # 幅度不超过 3 个百分点: 银保监办发〔2022〕64号 (十七), seed 175-179

RELIEF_TERMS: MappingProxyType[str, MappingProxyType[str, str]] = MappingProxyType(
    {
        "assessment_relief": MappingProxyType(
            {
                "no_or_reduced_deduction": N_(
                    "within the tolerance the bank should, for a period, give the lending "
                    "line and the branch no assessment deduction or a reduced one: "
                    "在不良贷款容忍度范围内对相关信贷业务条线和分支机构考核不予扣分或适当减轻扣分 "
                    "(银保监办发〔2022〕64号, article 二十七; the 2022 policy compilation, "
                    "lines 248-252)"
                ),
                "not_applicable": N_("above the tolerance: article 二十七 does not apply"),
            }
        ),
        "due_diligence_exemption": MappingProxyType(
            {
                "may_be_considered": N_(
                    "may be considered, subject to compliance with laws and rules: the "
                    "branch's head, business department and staff may have accountability "
                    "reduced or waived: 在依法合规的前提下，若分支机构相关业务在不良贷款容忍度"
                    "范围内，相关分支机构负责人、业务部门和从业人员可减轻或免予追责 "
                    "(银保监办发〔2022〕64号, article 二十八; the 2022 policy compilation, "
                    "lines 254-260)"
                ),
                "not_applicable": N_("above the tolerance: article 二十八 does not apply"),
            }
        ),
    }
)
"""What the ``assessment_relief`` and ``due_diligence_exemption`` values mean, quoting
the article; invalid rows have neither (empty)."""

INDUSTRY_BASIS = ("named", "user_named", "not_named")
_MICRO = 10**6  # millionths of a percent
_MAX_UPLIFT_MICRO = 3 * _MICRO
_PCT_PATTERN = r"\d{1,3}(?:\.\d{1,6})?"
COLUMNS = ("unit", "industry", "loan_balance", "npl_balance", "baseline_tolerance_pct",
           "uplift_pct")  # fmt: skip
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


def _key(text: str) -> str:
    # width, spacing and case do not make another industry
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


# the code, the article's word, and the word with 业 (住宿业, 交通运输业)
_LOOKUP = {_key(code): code for code in INDUSTRIES} | {
    _key(word): code for code, zh in INDUSTRIES.items() for word in (zh, zh + "业")
}


def _extra_keys(extra_industries: Iterable[str]) -> dict[str, str]:
    """The user's extra industries by matching key, refusing empty names."""
    if isinstance(extra_industries, str):
        extra_industries = [extra_industries]
    keys: dict[str, str] = {}
    for name in extra_industries:
        key = _key(str(name))
        if not key:
            raise ParameterError(
                "extra_industry", name, _("the name of an industry, as the industry column has it")
            )
        if key in _LOOKUP:
            raise ParameterError(
                "extra_industry", name,
                _("an industry beyond the six article 十七 names ({names}), which need no "
                  "--extra-industry").format(names="、".join(INDUSTRIES.values())),
            )  # fmt: skip
        keys.setdefault(key, str(name).strip())
    return keys


def _industry_codes(
    values: pd.Series, extra: dict[str, str]
) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Per row: the code of one of the six (else ""), and whether only the user names
    its industry; and the rows each of the user's names matched.

    Each distinct value is looked up once.
    """
    encoded = pc.dictionary_encode(TextColumn.of(values).filled().array)
    keys = [_key(value) for value in encoded.dictionary.to_pylist()]
    codes = np.array([_LOOKUP.get(k, "") for k in keys], dtype=object)
    user = np.array([k in extra and k not in _LOOKUP for k in keys], dtype=bool)
    rows = encoded.indices.to_numpy(zero_copy_only=False)
    matched = dict.fromkeys(extra.values(), 0)
    for key, count in zip(keys, np.bincount(rows, minlength=len(keys)), strict=True):
        if key in extra:
            matched[extra[key]] += int(count)
    return codes[rows], user[rows], matched


def _micro_pct(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    text = TextColumn.of(values).filled().stripped().series(values.index).str.rstrip("%")
    ok = text.str.fullmatch(_PCT_PATTERN).fillna(False).to_numpy(dtype=bool, copy=True)
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
    extra_industries: Mapping[str, int] = field(default_factory=dict)
    """The industries the user named beyond the six, with the rows each matched."""

    def by(self, key: str) -> list[dict[str, Any]]:
        """Totals per ``unit`` or ``industry`` over the valid rows."""
        valid = self.rows[self.rows["status"] != "invalid"]
        column = {"unit": "unit_name", "industry": "industry_code"}[key]
        grouped = valid.groupby(column, sort=True, observed=True)
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
                ["unit_name", "industry_code", "industry_basis", "npl_ratio_pct",
                 "tolerance_pct", "status", "headroom_fen", "assessment_relief",
                 "due_diligence_exemption", "reason"]
            ].rename(columns={"unit_name": "unit", "industry_code": "industry"})
            .astype(object).to_dict("records")
        ]  # fmt: skip
        return {
            "tool": "npl",
            "units": units,
            "within": int(status.get("within", 0)),
            "breach": int(status.get("breach", 0)),
            "invalid": int(status.get("invalid", 0)),
            "by_industry": self.by("industry"),
            "by_unit": self.by("unit"),
            "comparison": _("exact: NPL × 100 ≤ (baseline + uplift) × loan balance, on integers"),
            "headroom_rounding": _("floored to the fen"),
            "source": _(SOURCE),
            "industries_named": dict(INDUSTRIES),
            "extra_industries": dict(self.extra_industries),
            "relief_terms": {
                key: {code: _(words) for code, words in terms.items()}
                for key, terms in RELIEF_TERMS.items()
            },
            "input_sha256": self.input_sha256,
        }


def check(
    frame: pd.DataFrame,
    input_sha256: str | None = None,
    *,
    extra_industries: Iterable[str] = (),
) -> NplResult:
    """Check each row's NPL ratio against its tolerance, exactly.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``unit``, ``industry``, ``loan_balance``, ``npl_balance`` (yuan),
        ``baseline_tolerance_pct``, ``uplift_pct`` (percent, e.g. ``3.00``); Chinese
        headers 机构, 行业, 贷款余额, 不良贷款余额, 基准容忍度, 上调幅度 accepted.
    input_sha256 : str, optional
        The input file's SHA-256, carried into the summary.
    extra_industries : iterable of str, optional
        Industries beyond the six that article 十七 names which the bank has decided to
        give an uplift (the article's list ends in 等). Matched against the industry
        column ignoring width, spacing and case; their rows are marked ``user_named``.

    Returns
    -------
    NplResult
        ``rows``: every input row with ``status`` within | breach | invalid, a
        ``reason`` from :data:`NPL_REASONS`, ``industry_basis`` named | user_named |
        not_named, and ``assessment_relief`` / ``due_diligence_exemption`` as worded in
        :data:`RELIEF_TERMS` (empty for invalid rows).

    Raises
    ------
    ParameterError
        For an empty name among ``extra_industries``.

    Notes
    -----
    银保监办发〔2022〕64号 (十七) seed 175-179; (二十七) seed 248-252; (二十八) seed 254-260.
    Without ``extra_industries`` an uplift for an industry not among the six is invalid
    (``uplift_not_allowed_for_industry``); the industry with no uplift is checked
    against its baseline as usual.
    """
    extra = _extra_keys(extra_industries)
    data = canonical_columns(frame, COLUMNS, among=COLUMNS)
    loan, loan_ok = parse_yuan_column(data["loan_balance"])
    npl, npl_ok = parse_yuan_column(data["npl_balance"])
    base, base_ok = _micro_pct(data["baseline_tolerance_pct"])
    base_ok &= base <= 100 * _MICRO  # a tolerance above 100% means nothing
    uplift, uplift_ok = _micro_pct(data["uplift_pct"])
    industry_text = TextColumn.of(data["industry"]).filled().stripped()
    code, user_named, matched = _industry_codes(data["industry"], extra)
    balances_ok = loan_ok & npl_ok & (loan >= 0) & (npl >= 0) & (industry_text.lengths != 0)
    invalid = [
        ("invalid_balance", ~balances_ok),
        ("zero_loan_balance", loan == 0),
        ("npl_above_loan_balance", npl > loan),
        ("invalid_percentage", ~(base_ok & uplift_ok)),
        ("uplift_not_allowed_for_industry", (uplift > 0) & (code == "") & ~user_named),
        ("uplift_above_3pp", uplift > _MAX_UPLIFT_MICRO),
    ]
    is_invalid = np.zeros(len(data), dtype=bool)
    for _reason, mask in invalid:
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
    # the input's own columns stay as given; what the check read is added beside them
    rows["unit_name"] = TextColumn.of(data["unit"]).filled().stripped().array.to_numpy(False)
    rows["industry_code"] = np.where(code != "", code, industry_text.array.to_numpy(False))
    rows["industry_basis"] = np.where(
        code != "", "named", np.where(user_named, "user_named", "not_named")
    )
    rows["loan_balance_fen"] = pd.arrays.IntegerArray(loan, mask=~balances_ok)
    rows["npl_balance_fen"] = pd.arrays.IntegerArray(npl, mask=~balances_ok)
    rows["npl_ratio_pct"] = pd.array(_ratio_text(npl, loan), dtype=object)
    rows.loc[is_invalid, "npl_ratio_pct"] = None
    rows["tolerance_pct"] = pd.array(_pct_text(tolerance), dtype=object)
    rows.loc[~(base_ok & uplift_ok), "tolerance_pct"] = None
    rows["status"] = np.where(is_invalid, "invalid", np.where(within, "within", "breach"))
    rows["headroom_fen"] = pd.arrays.IntegerArray(headroom, mask=is_invalid)
    rows["assessment_relief"] = _relief(within, is_invalid, "no_or_reduced_deduction")
    rows["due_diligence_exemption"] = _relief(within, is_invalid, "may_be_considered")
    rows["reason"] = reason
    return NplResult(rows, input_sha256, matched)


def _relief(within: np.ndarray, invalid: np.ndarray, term: str) -> pd.Series:
    # a row's relief in the words of RELIEF_TERMS; nothing for an invalid row
    words = np.where(within, term, "not_applicable").astype(object)
    words[invalid] = None
    return pd.Series(words, dtype=object)


def read_npl_file(path: str | Path, *, encoding: str | None = None) -> tuple[pd.DataFrame, str]:
    """Read an NPL CSV (UTF-8, UTF-16 or GB18030, else in ``encoding``, a Python codec
    name) as text cells, with its SHA-256."""
    data = read_bytes(path, "npl")
    frame = read_csv_text(data, str(path), "npl", encoding=encoding)
    return frame, hashlib.sha256(data).hexdigest()
