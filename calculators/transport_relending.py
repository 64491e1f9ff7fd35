"""Transport-logistics relending (交通物流专项再贷款): the quarterly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
inside 2022-05-01 to 2022-12-31, its borrower category is one of the seven supported
(see :data:`calculators._categories.TRANSPORT_CATEGORIES`), and its borrower is not
on the serious-dishonesty list (信用中国 严重失信主体名单). The claim is 100% of
eligible principal.

Notes
-----
Seed lines 790-878: supported borrowers and the dishonesty test (一), 7 lenders,
1.75% for 1 year, once extendable, policy to end-2022 (二), loans from 2022-05-01,
relending equal to principal, same application timing as the tech relending (三).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from calendars import BusinessCalendar, Quarter

from ._categories import category_codes
from ._claim import ClaimResult, ClaimSpec, Ledger, LoanColumns, id_list, prepare, run_claim
from ._ids import IdSet
from ._lenders import Lender
from ._partitioned import PartitionedClaim, run_partitioned

__all__ = ["claim", "claim_partitioned", "claim_spec"]


def claim_spec(
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
) -> ClaimSpec:
    """Everything that defines a transport claim but the ledger (see :func:`claim`)."""
    blocked = id_list(dishonest, "dishonest", required=False)

    def exclusions(cols: LoanColumns, open_rows: np.ndarray) -> list[tuple[str, np.ndarray]]:
        category = category_codes(cols.frame["borrower_category"])
        out = [("category_not_eligible", category == "")]
        if blocked is not None:
            out.append(("borrower_dishonest", cols.borrower_in(blocked, open_rows)))
        return out

    return prepare(
        "transport",
        quarter,
        lender,
        extra_required=("borrower_category",),
        program_exclusions=exclusions,
        lists={"dishonest": None if blocked is None else len(blocked)},
        calendar=calendar,
        screening={"dishonest": "not_screened" if blocked is None else "screened"},
        warnings=_list_warnings(blocked),
    )


def _list_warnings(blocked: IdSet | None) -> tuple[dict[str, str], ...]:
    """Say when borrowers were not screened against the serious-dishonesty list.

    Notes
    -----
    中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知, 一 (seed 818-820):
    supported borrowers must not be on the serious-dishonesty list (经“信用中国”网站查询
    未被列入严重失信主体名单); without the list that test cannot be applied, and the
    claim says so.
    """
    if blocked is None:
        return (
            {
                "code": "dishonest_list_not_given",
                "message": "borrowers were not screened against the serious-dishonesty list "
                "(严重失信主体名单): no dishonest list was given (--dishonest FILE)",
            },
        )
    if not len(blocked):
        return (
            {
                "code": "dishonest_list_empty",
                "message": "the serious-dishonesty list given holds no ids: no borrower "
                "was excluded by it",
            },
        )
    return ()


def claim(
    ledger: Ledger,
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
) -> ClaimResult:
    """Compute a lender's transport-logistics relending claim for a quarter.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger; needs a ``borrower_category`` (借款人类型) column.
    quarter : str or Quarter
        A quarter overlapping May to December 2022.
    lender : str or Lender
        One of the 7 eligible lenders.
    dishonest : path or iterable of str, optional
        The serious-dishonesty list. Without it no borrower is screened, and the
        summary says so (``lists.dishonest`` is None, ``screening.dishonest`` is
        ``not_screened`` and ``warnings`` has ``dishonest_list_not_given``).
    calendar : BusinessCalendar or str, optional
        For the application deadline; default ``prc``.
    """
    return run_claim(claim_spec(quarter, lender, dishonest, calendar=calendar), ledger)


def claim_partitioned(
    ledger: Any,
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
    progress: bool = False,
) -> PartitionedClaim:
    """:func:`claim` over a Dask DataFrame, partition by partition (``relend[dask]``)."""
    spec = claim_spec(quarter, lender, dishonest, calendar=calendar)
    return run_partitioned(spec, ledger, progress=progress)
