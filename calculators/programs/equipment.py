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

from .._i18n import N_, Label
from ..engine.entry import bind
from ..engine.program import ExclusionRule, Program, ReferenceList, register
from ..engine.rules import (
    INVALID_LOAN_RATE,
    LOAN_RATE,
    LOAN_RATE_ABOVE_CAP,
    LOAN_RATE_CAP,
    not_on_the_list,
)

# The claim engine (pandas, pyarrow) is imported by the functions that use it, so that
# registering the program, for the command line's choices, stays light.

__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]


PROGRAM = register(
    Program(
        id="equipment",
        name_zh="设备更新改造专项再贷款",
        name_en="equipment-renewal relending",
        own_figures=(LOAN_RATE_CAP,),
        period="month",
        own_columns=(LOAN_RATE,),
        lists=(
            ReferenceList(
                "eligible_borrowers",
                required=True,
                help=N_(
                    "the borrowers of the projects on the NDRC 备选项目清单: a CSV with an "
                    "id column, or one id per line"
                ),
                label=Label("符合条件的借款人名单", "eligible borrowers"),
                help_zh=(
                    "国家发展改革委备选项目清单所列项目的借款人："
                    "含证件号码列的 CSV，或每行一个证件号码"
                ),
            ),
        ),
        rules=(
            INVALID_LOAN_RATE,
            LOAN_RATE_ABOVE_CAP,
            # borrowers not on the list of the listed projects' borrowers
            ExclusionRule(
                "borrower_not_eligible",
                not_on_the_list("eligible_borrowers"),
                label=Label("借款人不在支持名单内", "borrower not on the eligible list"),
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
