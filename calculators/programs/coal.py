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

from typing import TYPE_CHECKING

from ..engine.entry import bind
from ..engine.program import Program, register

if TYPE_CHECKING:
    pass

# The claim engine (pandas, pyarrow) is imported by the functions that use it, so that
# registering the program, for the command line's choices, stays light.

__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]

PROGRAM = register(
    Program(
        id="coal",
        name_zh="煤炭清洁高效利用专项再贷款",
        name_en="clean and efficient coal-use relending",
        period="month",
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
