"""Transport-logistics relending (交通物流专项再贷款): the quarterly claim (2022) and the
monthly claim (2023).

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
inside 2022-05-01 to 2022-12-31, its borrower category is one the notice names, in
any of the notice's spellings (see ``TRANSPORT_CATEGORIES``),
and its borrower is not on the serious-dishonesty list (信用中国 严重失信主体名单). The
claim is 100% of eligible principal.

Notes
-----
中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知 (seed 790-880):

- 一 (专项再贷款支持领域), seed 804-826: the supported borrowers (seed 806-814; their
  spellings and codes are in :mod:`calculators.programs.transport_categories`), not on the
  serious-dishonesty list of 信用中国 (seed 818-820).
- 二 (发放对象、规模、利率和期限), seed 828-843: 7 lenders (seed 830-834); 1.75%, 1 year,
  extendable once (seed 839-841); the policy runs to the end of 2022 (seed 841-843).
- 三 (发放和管理), seed 845-865: loans from 2022-05-01 (seed 847-849), applied for before
  the 10th of the first month of the next quarter, carried over holidays (seed
  851-853); relending equal to the principal (按贷款本金等额, seed 855-857); non-compliant
  loans' relending is taken back (seed 861-865).

The 2023 extension (银发〔2023〕32号, ``transport.toml``) is claimed monthly: 合格银行按月
申请专项再贷款资金，于贷款发放后次月10日(遇节假日顺延)前提交申请材料. A claim for a month of
2023 (``"2023-02"``) is due on the 10th of the next month, rolled forward; a quarter of
2023 is refused, naming its months.

A row whose category is not recognized is ``category_not_eligible``; the claim's
summary and text output list each such value with its row count (``unrecognized``).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from calendars import BusinessCalendar, Quarter

from .._i18n import N_
from ..engine.program import ExclusionRule, Program, ReferenceList, RuleInput, register
from ..engine.rules import code_not_in_the_version
from ..policy.lenders import Lender
from ..policy.table import PolicyTable
from .transport_categories import category_codes

if TYPE_CHECKING:
    from ..engine.claim import ClaimSpec
    from ..engine.partitioned import PartitionedClaim
    from ..engine.result import ClaimResult
    from ..engine.validate import Ledger


__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]

CATEGORY_COLUMN = "borrower_category"


def _dishonest(given: RuleInput) -> np.ndarray:
    """Borrowers on the serious-dishonesty list (transport notice 一, seed 818-820:
    经“信用中国”网站查询未被列入严重失信主体名单); no row when the list was not given."""
    blocked = given.lists["dishonest"]
    if blocked is None:
        return np.zeros(len(given.open_rows), dtype=bool)
    return given.columns.borrower_in(blocked, given.open_rows)


PROGRAM = register(
    Program(
        id="transport",
        name_zh="交通物流专项再贷款",
        name_en="transport-logistics relending",
        columns=(CATEGORY_COLUMN,),
        lists=(
            ReferenceList(
                "dishonest",
                required=False,
                help=N_(
                    "the serious-dishonesty list (信用中国 严重失信主体名单): a CSV with an "
                    "id column, or one id per line"
                ),
                missing=(
                    "dishonest_list_not_given",
                    N_(
                        "borrowers were not screened against the serious-dishonesty list "
                        "(严重失信主体名单): no dishonest list was given (--dishonest FILE)"
                    ),
                ),
                empty=(
                    "dishonest_list_empty",
                    N_(
                        "the serious-dishonesty list given holds no ids: no borrower was "
                        "excluded by it"
                    ),
                ),
            ),
        ),
        rules=(
            # a category the version covering the loan does not support (transport notice
            # 一, seed 806-814; the 2023 notice added five kinds: transport.toml)
            ExclusionRule(
                "category_not_eligible",
                code_not_in_the_version(CATEGORY_COLUMN, category_codes),
                column=CATEGORY_COLUMN,
                recognized=lambda values: category_codes(values) != "",
            ),
            ExclusionRule("borrower_dishonest", _dishonest),
        ),
    )
)


def claim_spec(
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> ClaimSpec:
    """Everything that defines a transport claim but the ledger (see :func:`claim`)."""
    from ..engine.claim import prepare

    return prepare(
        PROGRAM, quarter, lender, lists={"dishonest": dishonest}, calendar=calendar,
        policy=policy,
    )  # fmt: skip


def claim(
    ledger: Ledger,
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
) -> ClaimResult:
    """Compute a lender's transport-logistics relending claim for a quarter.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger; needs a ``borrower_category`` (借款人类型) column.
    quarter : str, Quarter or Month
        A quarter overlapping 2022-05-01 to 2022-12-31 (transport-2022), or a month of
        2023-01 to 2023-06 (transport-2023, claimed monthly).
    lender : str or Lender
        One of the 7 eligible lenders.
    dishonest : path, iterable of str or BorrowerList, optional
        The serious-dishonesty list. Without it no borrower is screened, and the
        summary says so (``lists.dishonest`` is None, ``screening.dishonest`` is
        ``not_screened`` and ``warnings`` has ``dishonest_list_not_given``).
    calendar : BusinessCalendar or str, optional
        For the application deadline; default ``prc``.
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.
    progress : bool, default False
        Show progress bars on stderr for reading and classifying once a step has taken
        two seconds.
    """
    from ..engine.claim import run_claim

    spec = claim_spec(quarter, lender, dishonest, calendar=calendar, policy=policy)
    return run_claim(spec, ledger, progress=progress)


def claim_partitioned(
    ledger: Any,
    quarter: str | Quarter,
    lender: str | Lender,
    dishonest: str | Path | Iterable[str] | None = None,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
) -> PartitionedClaim:
    """:func:`claim` over a Dask DataFrame, partition by partition (``relend[dask]``)."""
    from ..engine.partitioned import run_partitioned

    spec = claim_spec(quarter, lender, dishonest, calendar=calendar, policy=policy)
    return run_partitioned(spec, ledger, progress=progress)
