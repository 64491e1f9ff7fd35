"""Clean and efficient coal-use relending (煤炭清洁高效利用专项再贷款): the monthly claim.

A loan is eligible when it is valid, in CNY, and disbursed inside the claim month and
inside 2021-11-01 to 2023-12-31. The claim is 100% of eligible principal. The program
has no rule of its own: the supported fields (7 from 2021-11; coal production and
storage and power firms' coal purchases added in 2022-05) are not in a ledger, and no
list of eligible borrowers is published, so they are the lender's to check.

Notes
-----
人民银行有关负责人就增加1000亿元支持煤炭清洁高效利用专项再贷款额度答记者问
(2022-05-05), restating the tool created in 2021-11 (the figures and their sources are
in ``calculators/policies/coal.toml``):

- 2000亿 from 2021-11, raised by 1000亿 to 3000亿 in 2022-05;
- "先贷后借", issued monthly (按月发放); relending equal to the principal
  (按贷款本金等额提供专项再贷款资金支持);
- 1.75%; the 7 lenders 国家开发银行、进出口银行、工商银行、农业银行、中国银行、建设银行、
  交通银行 (CDB, EXIM, ICBC, ABC, BOC, CCB, BOCOM); extended to the end of 2023, then
  expired (reports read at mycoal.cn/news/84/419133.shtml and mp.zgkyb.com/m/news/63067).

Assumed (no source found gives them): 1 year and two extensions of 1 year; the first
loan date 2021-11-01; the monthly application day (the 10th of the next month, rolled
forward).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from calendars import BusinessCalendar, Month

from ..engine.program import Program, register
from ..policy.lenders import Lender
from ..policy.table import PolicyTable

if TYPE_CHECKING:
    from ..engine.claim import ClaimSpec
    from ..engine.result import ClaimResult
    from ..engine.validate import Ledger

# The claim engine (pandas, pyarrow) is imported by the functions that use it, so that
# registering the program, for the command line's choices, stays light.

__all__ = ["PROGRAM", "claim", "claim_spec"]

PROGRAM = register(
    Program(
        id="coal",
        name_zh="煤炭清洁高效利用专项再贷款",
        name_en="clean and efficient coal-use relending",
    )
)


def claim_spec(
    month: str | Month,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> ClaimSpec:
    """Everything that defines a coal claim but the ledger (see :func:`claim`)."""
    from ..engine.claim import prepare

    return prepare(PROGRAM, month, lender, calendar=calendar, policy=policy)


def claim(
    ledger: Ledger,
    month: str | Month,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
) -> ClaimResult:
    """Compute a lender's clean-coal relending claim for a month.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger (canonical or Chinese column names; see ``calculators``).
    month : str or Month
        A month from 2021-11 to 2023-12, e.g. ``"2022-06"`` (the tool is monthly).
    lender : str or Lender
        One of the 7 lenders (see the module).
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only (to name other lenders, say).
    progress : bool, default False
        Show progress bars on stderr for reading and classifying once a step has taken
        two seconds.

    Raises
    ------
    RelendInputError
        For a file-level problem, an ineligible lender, a quarter given for this
        monthly tool, or a month outside the policy.
    """
    from ..engine.claim import run_claim

    spec = claim_spec(month, lender, calendar=calendar, policy=policy)
    return run_claim(spec, ledger, progress=progress)
