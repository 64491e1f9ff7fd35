"""Equipment-renewal relending (设备更新改造专项再贷款): the monthly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim month and
inside 2022-09-01 to 2022-12-31, its own interest rate is at most 3.2% a year, and its
borrower is on the list of the projects' borrowers (the NDRC 备选项目清单). The claim is
100% of eligible principal.

The loan's rate is a ledger column, ``loan_rate`` (贷款利率, 执行利率, 贷款年利率; a ledger
without it is refused): the annual rate in percent, as an exact decimal, ``3.2``,
``3.20`` or ``3.2%`` (a full-width ``％`` and digits are read after Unicode NFKC; spaces
around the value are ignored). Without the ``%`` sign a value
below 1 is refused as ambiguous (``0.032`` may mean 3.2% written as a fraction, or
0.032%); with it any value above 0 and below 100 is read (``0.5%``). No sign, no
thousands separator, no exponent. A missing or unreadable rate makes the row invalid,
``invalid_loan_rate``, with the value in its detail (``loan_rate='3,2'``); a rate above
the cap excludes it, ``loan_rate_above_cap`` (its detail shows the rate too). Rates are
compared exactly (``3.2000`` is at the cap, ``3.2001`` above it).

Notes
-----
人民银行设立设备更新改造专项再贷款 (announcement of 2022-09-28; the figures and their
sources are in ``calculators/policies/equipment.toml``):

- loans to the projects of the NDRC's 备选项目清单 (名单制管理) at a rate of at most 3.2%
  (以不高于3.2%的利率向清单内项目发放的合格贷款), disbursed 2022-09-01 to 2022-12-31;
- relending equal to the principal (按贷款本金等额), 1.75%, 1 year; "先贷后借", issued
  monthly (按月发放);
- the 21 national financial institutions, named by group as for the tech tool.

The list is of projects; a ledger names borrowers, so the list is read as the
borrowers of listed projects (as the tech tool's 2024 项目清单 is).

The figure ``loan_rate_cap`` is read from the policy version covering the loan (see
:func:`calculators.policy.table.own_figure`): the package's policy file, or a user policy
file's version (``--policy FILE``) that sets its own cap, which then decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from calendars import BusinessCalendar, Month

from .._i18n import N_
from ..engine.program import ExclusionRule, Program, ReferenceList, register
from ..engine.rules import (
    RATE_COLUMN,
    loan_rate_above_cap,
    loan_rate_unreadable,
    not_on_the_list,
    parse_loan_rate,
)
from ..policy.lenders import Lender
from ..policy.table import PolicyTable

if TYPE_CHECKING:
    from ..engine.claim import ClaimSpec
    from ..engine.result import ClaimResult
    from ..engine.validate import Ledger

# The claim engine (pandas, pyarrow) is imported by the functions that use it, so that
# registering the program, for the command line's choices, stays light.

__all__ = ["PROGRAM", "claim", "claim_spec", "parse_loan_rate"]


PROGRAM = register(
    Program(
        id="equipment",
        name_zh="设备更新改造专项再贷款",
        name_en="equipment-renewal relending",
        columns=(RATE_COLUMN,),
        lists=(
            ReferenceList(
                "eligible_borrowers",
                required=True,
                help=N_(
                    "the borrowers of the projects on the NDRC 备选项目清单: a CSV with an "
                    "id column, or one id per line"
                ),
            ),
        ),
        rules=(
            ExclusionRule(
                "invalid_loan_rate", loan_rate_unreadable, invalid=True, column=RATE_COLUMN
            ),
            ExclusionRule("loan_rate_above_cap", loan_rate_above_cap, column=RATE_COLUMN),
            # borrowers not on the list of the listed projects' borrowers
            ExclusionRule("borrower_not_eligible", not_on_the_list("eligible_borrowers")),
        ),
    )
)


def claim_spec(
    month: str | Month,
    lender: str | Lender,
    eligible_borrowers: str | Path | Iterable[str],
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> ClaimSpec:
    """Everything that defines an equipment claim but the ledger (see :func:`claim`)."""
    from ..engine.claim import prepare

    return prepare(
        PROGRAM, month, lender, lists={"eligible_borrowers": eligible_borrowers},
        calendar=calendar, policy=policy,
    )  # fmt: skip


def claim(
    ledger: Ledger,
    month: str | Month,
    lender: str | Lender,
    eligible_borrowers: str | Path | Iterable[str],
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
) -> ClaimResult:
    """Compute a lender's equipment-renewal relending claim for a month.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger, with a ``loan_rate`` column (see the module).
    month : str or Month
        A month from 2022-09 to 2022-12, e.g. ``"2022-10"`` (the tool is monthly).
    lender : str or Lender
        One of the 21 national financial institutions.
    eligible_borrowers : path, iterable of str or BorrowerList
        The borrowers of the projects on the NDRC list.
    calendar : BusinessCalendar or str, optional
    policy : PolicyTable or path, optional
    progress : bool, default False
        Show progress bars on stderr for reading and classifying once a step has taken
        two seconds.

    Raises
    ------
    RelendInputError
        For a file-level problem (a ledger without ``loan_rate``), an ineligible lender,
        a quarter given for this monthly tool, or a month outside the policy.
    """
    from ..engine.claim import run_claim

    spec = claim_spec(month, lender, eligible_borrowers, calendar=calendar, policy=policy)
    return run_claim(spec, ledger, progress=progress)
