"""Tech-innovation relending (科技创新再贷款): the quarterly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
on or after 2022-04-01, runs at least 6 calendar months (maturity on or after the
disbursement date plus 6 months, clamped to month end), and its borrower is on the
eligible-enterprise list pushed by MOST/MIIT. The claim is 60% of eligible principal.

Notes
-----
中国人民银行 科技部 工业和信息化部关于设立科技创新再贷款的通知 (seed 714-789):

- 一 (支持范围和发放对象), seed 728-754: the technology enterprises, as MOST and MIIT
  recognize and push them (seed 730-746); 21 national financial institutions (seed
  748-754).
- 二 (规模、利率和期限), seed 756-759: 1.75%, 1 year, extendable twice by 1 year at the
  same rate.
- 三 (发放和管理), seed 761-785: 60% of the principal of loans with a term of 6 months or
  more (seed 763-767), loans from 2022-04-01 (seed 767), applied for before the 10th of
  the first month of the next quarter, carried over holidays (seed 769-771), with the
  loan ledger (贷款台账, seed 773); non-compliant loans' relending is taken back (seed
  781-785).

科技创新和技术改造再贷款 (tech-2024): from 2024-04-07 to 2025-05-06, 1000亿 of the quota
was for tech SMEs' first loans (首次贷款); from 2025-05-07 the sub-quotas are merged
(不再分列). A ledger may flag those loans in an optional column ``first_loan`` (首贷,
是否首贷: 是/否, Y/N, yes/no, true/false, 1/0; blank is no): the summary's
``first_loans`` then gives the eligible first loans of that window apart (loans,
principal, entitlement), and counts the flags it could not read. The flag changes no
loan's eligibility.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from .._i18n import N_, Label, _
from .._money import exact_sum, fen_to_yuan
from ..engine.codes import reason_index
from ..engine.entry import bind
from ..engine.program import (
    ClaimRows,
    ExclusionRule,
    LedgerColumn,
    OwnFigure,
    Program,
    ReferenceList,
    RowsHook,
    register,
)
from ..engine.rules import not_on_the_list

if TYPE_CHECKING:
    from ..policy.model import Figure, PolicyRow


__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]


FIRST_LOAN = "first_loan"
_YES = frozenset({"是", "Y", "YES", "TRUE", "1", "首贷"})
_NO = frozenset({"否", "N", "NO", "FALSE", "0", ""})


class _FirstLoans(NamedTuple):
    """Some rows' eligible first loans of the window, and their flags not read."""

    loans: int
    principal_fen: int
    entitlement_fen: int
    unreadable: int


def _first_loan_windows(versions: tuple[PolicyRow, ...]) -> dict[int, Figure[Any]]:
    """Per version with a first-loan sub-quota, by its index: the window's last day."""
    return {k: v.others["first_loan_until"] for k, v in enumerate(versions)
            if "first_loan_until" in v.others}  # fmt: skip


def _first_loans_part(rows: ClaimRows) -> _FirstLoans | None:
    """The eligible first loans (首贷) of the sub-quota's window among ``rows``, and the
    flags of ``rows`` not read; None without a ``first_loan`` column or a window.

    Notes
    -----
    The window is that of each version's figure ``first_loan_until`` (tech-2024: from
    its first day to 2025-05-06). Each distinct flag is read once; the dates of the
    flagged eligible rows only are read again.
    """
    from ..columnar.dates import epoch_days, parse_dates
    from ..columnar.text import TextColumn
    from ..readers.columns import canonical_columns

    frame = canonical_columns(rows.frame, ())
    windows = _first_loan_windows(rows.versions)
    if FIRST_LOAN not in frame.columns or not windows:
        return None
    encoded = TextColumn.of(frame[FIRST_LOAN]).normalized().filled().array.dictionary_encode()
    values = [str(v).upper() for v in encoded.dictionary.to_pylist()]
    index = encoded.indices.to_numpy(zero_copy_only=False)
    yes = np.array([v in _YES for v in values], dtype=bool)
    known = np.array([v in _YES or v in _NO for v in values], dtype=bool)
    flagged = yes[index] if len(values) else np.zeros(len(frame), dtype=bool)
    unreadable = ~known[index] if len(values) else np.zeros(len(frame), dtype=bool)
    chosen = flagged & (rows.codes == reason_index("eligible"))
    chosen &= np.isin(rows.version, list(windows))
    picked = np.flatnonzero(chosen)
    days, ok = parse_dates(frame["disbursement_date"].iloc[picked])
    last = np.array([epoch_days(windows[int(k)].value) for k in rows.version[picked]])
    picked = picked[ok & (days <= last)] if len(picked) else picked
    return _FirstLoans(
        len(picked),
        exact_sum(rows.principal_fen[picked]),
        exact_sum(rows.entitlement_fen[picked]),
        int(np.count_nonzero(unreadable)),
    )


def _first_loans(
    versions: tuple[PolicyRow, ...], parts: Sequence[_FirstLoans | None]
) -> dict[str, Any]:
    """The eligible first loans (首贷) of the sub-quota's window, apart: ``first_loans``
    with their count, principal and entitlement, and the flags not read (``unreadable``),
    summed over the parts of the ledger."""
    found = [p for p in parts if p is not None]
    windows = _first_loan_windows(versions)
    if not found or not windows:
        return {}
    first = min(windows)
    principal = sum(p.principal_fen for p in found)
    entitlement = sum(p.entitlement_fen for p in found)
    return {
        "first_loans": {
            "from": versions[first].first_disbursement.value.isoformat(),
            "to": windows[first].value.isoformat(),
            "loans": sum(p.loans for p in found),
            "principal_fen": principal,
            "principal_yuan": fen_to_yuan(principal),
            "entitlement_fen": entitlement,
            "entitlement_yuan": fen_to_yuan(entitlement),
            "unreadable": sum(p.unreadable for p in found),
        }
    }


def _first_loan_lines(summary: Mapping[str, Any]) -> list[str]:
    """The printed summary's line on the first loans (首贷), when the claim has them."""
    first = summary.get("first_loans")
    if not first:
        return []
    return [
        _("    of which first loans (首贷) from {start} to {end}: {loans} loans, "
          "principal {principal} yuan, entitlement {yuan} yuan").format(
            start=first["from"], end=first["to"], loans=first["loans"],
            principal=first["principal_yuan"], yuan=first["entitlement_yuan"],
        )
    ]  # fmt: skip


PROGRAM = register(
    Program(
        id="tech",
        name_zh="科技创新再贷款",
        name_en="tech-innovation relending",
        own_figures=(
            OwnFigure(
                "first_loan_until", "date", Label("首贷单列截止日", "first loans apart until")
            ),
        ),
        lists=(
            ReferenceList(
                "eligible_borrowers",
                required=True,
                help=N_(
                    "the eligible technology enterprises (the MOST/MIIT list; from 2024 "
                    "the 备选企业名单 / 项目清单): a CSV with an id column, or one id per line"
                ),
                label=Label("符合条件的借款人名单", "eligible borrowers"),
                # the option's help for tech and equipment alike (tech registers first)
                help_zh=(
                    "符合条件的借款人名单（科技创新再贷款：科技部、工业和信息化部推送的名单，"
                    "2024 年起为备选企业名单 / 项目清单；设备更新改造专项再贷款："
                    "国家发展改革委备选项目清单所列项目的借款人）："
                    "含证件号码列的 CSV，或每行一个证件号码"
                ),
            ),
        ),
        # borrowers not on the eligible-enterprise list (tech notice 一, seed 740-746)
        rules=(
            ExclusionRule(
                "borrower_not_eligible",
                not_on_the_list("eligible_borrowers"),
                label=Label("借款人不在支持名单内", "borrower not on the eligible list"),
            ),
        ),
        summarize=RowsHook(_first_loans_part, _first_loans, needs=(FIRST_LOAN,)),
        summary_lines=_first_loan_lines,
        own_columns=(
            LedgerColumn(
                FIRST_LOAN,
                ("首贷", "是否首贷", "首次贷款"),
                Label("首贷", "first loan"),
                required=False,
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
