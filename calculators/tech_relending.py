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
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from calendars import BusinessCalendar, Quarter

from ._claim import ClaimResult, ClaimSpec, Ledger, LoanColumns, id_list, prepare, run_claim
from ._lenders import Lender
from ._partitioned import PartitionedClaim, run_partitioned

__all__ = ["claim", "claim_partitioned", "claim_spec"]


def claim_spec(
    quarter: str | Quarter,
    lender: str | Lender,
    eligible_borrowers: str | Path | Iterable[str],
    *,
    calendar: BusinessCalendar | str | None = None,
) -> ClaimSpec:
    """Everything that defines a tech claim but the ledger (see :func:`claim`)."""
    eligible = id_list(eligible_borrowers, "eligible-borrowers", required=True)
    assert eligible is not None

    def exclusions(cols: LoanColumns, open_rows: np.ndarray) -> list[tuple[str, np.ndarray]]:
        return [("borrower_not_eligible", ~cols.borrower_in(eligible, open_rows))]

    return prepare(
        "tech",
        quarter,
        lender,
        extra_required=(),
        program_exclusions=exclusions,
        lists={"eligible_borrowers": len(eligible)},
        calendar=calendar,
    )


def claim(
    ledger: Ledger,
    quarter: str | Quarter,
    lender: str | Lender,
    eligible_borrowers: str | Path | Iterable[str],
    *,
    calendar: BusinessCalendar | str | None = None,
) -> ClaimResult:
    """Compute a lender's tech-innovation relending claim for a quarter.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger (canonical or Chinese column names; see ``calculators``).
    quarter : str or Quarter
        The quarter the loans were disbursed in, e.g. ``"2022Q2"``.
    lender : str or Lender
        Code or Chinese name of one of the 21 eligible lenders.
    eligible_borrowers : path or iterable of str
        The eligible technology enterprises' ids.
    calendar : BusinessCalendar or str, optional
        For the application deadline; default ``prc``.

    Returns
    -------
    ClaimResult

    Raises
    ------
    RelendInputError
        For a file-level problem, an ineligible lender or a quarter before the policy.
    """
    return run_claim(claim_spec(quarter, lender, eligible_borrowers, calendar=calendar), ledger)


def claim_partitioned(
    ledger: Any,
    quarter: str | Quarter,
    lender: str | Lender,
    eligible_borrowers: str | Path | Iterable[str],
    *,
    calendar: BusinessCalendar | str | None = None,
    progress: bool = False,
) -> PartitionedClaim:
    """:func:`claim` over a Dask DataFrame, partition by partition (``relend[dask]``).

    Totals and per-loan output are exactly those of :func:`claim` on the same rows.
    """
    spec = claim_spec(quarter, lender, eligible_borrowers, calendar=calendar)
    return run_partitioned(spec, ledger, progress=progress)
