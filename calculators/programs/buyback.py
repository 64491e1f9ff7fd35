"""Stock buyback and shareholding-increase relending (股票回购增持再贷款): the quarterly
claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and on
or after 2024-10-18, its borrower is a listed company or a shareholder holding 5% or
more and not an individual, its term is at most the longest of the version covering
it (1 year for loans to 2025-05-06, 3 years from 2025-05-07), and the bank's own rate is
at most 2.25% a year. The claim is 100% of eligible principal.

Two ledger columns are required beyond the common ones:

- ``borrower_kind`` (借款人类别, 借款主体类别): ``listed_company`` (上市公司) or
  ``major_shareholder`` (持股5%以上股东), or a short form of either (上市公司回购, 股东,
  大股东, 控股股东, 5%以上股东 ...; spaces, full width and case do not matter). Any other
  value, a blank one included, is ``borrower_kind_not_eligible`` with the value in its
  detail (``borrower_kind='个人'``). The header 借款人类别 names transport's
  ``borrower_category`` too: a buyback ledger's column is read as ``borrower_kind``.
- ``loan_rate`` (贷款利率), read as for equipment (:func:`calculators.programs.equipment.
  parse_loan_rate`): ``invalid_loan_rate`` when unreadable, ``loan_rate_above_cap`` above
  2.25%.

A borrower whose id is a resident identity number (GB 11643-1999) is an individual,
whatever its kind says: ``borrower_is_individual``. A loan maturing later than its
disbursement date plus the version's longest term (calendar months, clamped to the
month's end) is ``term_above_maximum``. A row gets the first that applies, in the order
invalid_loan_rate, borrower_is_individual, borrower_kind_not_eligible,
term_above_maximum, loan_rate_above_cap.

Notes
-----
中国人民银行、国家金融监督管理总局、中国证券监督管理委员会关于设立股票回购增持再贷款有关
事宜的通知 (2024-10-18; the figures and their sources are in
``calculators/policies/buyback.toml``): first quota 3000亿, 1.75%, 1 year, 可视情况展期
(how many is in no source: the facility refuses an extension unless a policy file gives
the number), the 21 national financial institutions, the bank's loan rate 原则上不超过
2.25%, 100% of the principal; applications 于每季度第一个月10日(遇节假日顺延)前 with the
previous quarter's ledger. From 2025-05-07 the loan term may be up to 3 years.

Not checked (no column or list carries them): that a listed company meets art. 8 of the
buyback rules and has disclosed its plan, that a shareholder buys on the exchange and
had no major violation in the past year, and that a shareholder is not a financial
institution.
"""

from __future__ import annotations

import unicodedata

import numpy as np

from .._i18n import Label
from ..engine.entry import bind
from ..engine.program import ExclusionRule, LedgerColumn, OwnFigure, Program, RuleInput, register
from ..engine.rules import INVALID_LOAN_RATE, LOAN_RATE, LOAN_RATE_ABOVE_CAP, LOAN_RATE_CAP
from ..policy.table import own_figure

# The claim engine (pandas, pyarrow) is imported by the functions that use it, so that
# registering the program, for the command line's choices, stays light.

__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]

KIND_COLUMN = "borrower_kind"

BORROWER_KINDS: dict[str, tuple[str, ...]] = {
    "listed_company": ("上市公司", "上市公司回购", "回购", "listed", "listedcompany"),
    "major_shareholder": (
        "持股5%以上股东", "持股5%以上的股东", "5%以上股东", "股东", "股东增持", "增持",
        "大股东", "主要股东", "控股股东", "shareholder", "majorshareholder",
    ),
}  # fmt: skip
"""Each borrower kind's code and the other ways a ledger writes it (compared after
Unicode NFKC, without spaces and underscores, case folded)."""


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("_", "").casefold()


_KIND_OF = {_key(w): code for code, words in BORROWER_KINDS.items() for w in (code, *words)}


def borrower_kind(text: str) -> str | None:
    """The code of a borrower kind as written (``"上市公司"`` -> ``listed_company``), or
    None when it is not one."""
    return _KIND_OF.get(_key(text))


def _kind_not_eligible(given: RuleInput) -> np.ndarray:
    """Rows whose kind is not one of the version's kinds (``categories``), unread kinds
    included.

    Notes
    -----
    Each distinct value is read once; the rows take theirs by index.
    """
    from ..columnar.text import TextColumn

    text = TextColumn.of(given.columns.frame[KIND_COLUMN]).filled().array
    encoded = text.dictionary_encode()
    index = encoded.indices.to_numpy(zero_copy_only=False)
    kinds = [borrower_kind(str(v)) for v in encoded.dictionary.to_pylist()]
    out = np.ones(len(index), dtype=bool)
    for k, row in enumerate(given.versions):
        mine = (given.version == k) & given.open_rows
        if mine.any() and kinds:
            allowed = set(row.categories.value)
            ok = np.array([kind in allowed for kind in kinds], dtype=bool)
            out[mine] = ~ok[index[mine]]
    return out


def _individual(given: RuleInput) -> np.ndarray:
    """Rows whose borrower id is a resident identity number (an individual).

    Notes
    -----
    The rows reaching this rule hold valid ids; one that passes the credit-code check
    (GB 32100-2015) is a credit code, as :mod:`calculators.columnar.ids` reads it, and the
    others are resident ids.
    """
    from ..columnar.ids import credit_code_rows
    from ..columnar.text import TextColumn

    values = TextColumn.of(given.columns.frame["borrower_id"]).normalized()
    rows, matrix = values.rows_of_width(18)
    out = np.zeros(len(values), dtype=bool)
    if len(rows):
        out[rows] = ~credit_code_rows(matrix)
    return out


def _term_above_maximum(given: RuleInput) -> np.ndarray:
    """Rows maturing after the disbursement date plus the version's longest term."""
    from ..columnar.dates import add_months

    cols = given.columns
    out = np.zeros(len(cols.disbursed), dtype=bool)
    for k, row in enumerate(given.versions):
        mine = (given.version == k) & given.open_rows
        if mine.any():
            months = own_figure(row, "max_term_months").value
            out[mine] = cols.matures[mine] > add_months(cols.disbursed[mine], months)
    return out


PROGRAM = register(
    Program(
        id="buyback",
        name_zh="股票回购增持再贷款",
        name_en="stock buyback and shareholding-increase relending",
        own_figures=(
            OwnFigure(
                "max_term_months", "n", Label("贷款最长期限（月）", "maximum loan term (months)")
            ),
            LOAN_RATE_CAP,
        ),
        own_columns=(
            LedgerColumn(
                KIND_COLUMN,
                ("借款人类别", "借款主体类别", "主体类别"),
                Label("借款人类别", "borrower kind"),
            ),
            LOAN_RATE,
        ),
        rules=(
            INVALID_LOAN_RATE,
            ExclusionRule(
                "borrower_is_individual",
                _individual,
                column="borrower_id",
                label=Label("借款人为个人", "borrower is an individual"),
            ),
            ExclusionRule(
                "borrower_kind_not_eligible",
                _kind_not_eligible,
                column=KIND_COLUMN,
                label=Label("借款人类别不在支持范围内", "borrower kind not eligible"),
            ),
            ExclusionRule(
                "term_above_maximum",
                _term_above_maximum,
                column="maturity_date",
                label=Label("贷款期限超过政策规定的最长期限", "term above the policy's maximum"),
            ),
            LOAN_RATE_ABOVE_CAP,
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
