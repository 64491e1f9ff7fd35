"""Affordable-housing relending (保障性住房再贷款): the quarterly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and on
or after 2024-05-17, and its borrower is on the list of purchasers: the local
state-owned enterprises that buy completed, unsold commercial housing at a reasonable
price for use as affordable housing (配售型或配租型保障性住房), as the city designates
them. The claim is 60% of eligible principal.

Notes
-----
中国人民银行 at the State Council policy briefing of 2024-05-17 (国务院政策例行吹风会;
CCTV, read at twgreatdaily.com/zh/a599a862923996432e8ca2fb39de4b31.html; moneydj.com
2024-05-20): "将设立3000亿元保障性住房再贷款 ... 支持地方国有企业以合理价格收购已建成未
出售商品房，用作配售型或配租型保障性住房", "利率1.75%，期限1年，可展期4次，发放对象包括
国家开发银行、政策性银行、国有商业银行、邮政储蓄银行、股份制商业银行等21家全国性银行",
"人民银行按照贷款本金的60%发放再贷款". Every figure and its grade is in ``housing.toml``.

Which enterprises qualify is not a property of a ledger row: the briefing names a kind
of borrower (a local SOE buying unsold housing for affordable housing), chosen city by
city. relend models it as a required reference list of eligible borrowers
(``--designated-purchasers FILE``), like tech's list, and a borrower not on it is
``borrower_not_designated``. Whether each loan financed such a purchase is for the
bank to check; relend does not see the loan's purpose.
"""

from __future__ import annotations

from .._i18n import N_, Label
from ..engine.entry import bind
from ..engine.program import ExclusionRule, Program, ReferenceList, register
from ..engine.rules import not_on_the_list

__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]


PROGRAM = register(
    Program(
        id="housing",
        name_zh="保障性住房再贷款",
        name_en="affordable-housing relending",
        lists=(
            ReferenceList(
                "designated_purchasers",
                required=True,
                help=N_(
                    "the local state-owned enterprises designated to buy completed unsold "
                    "housing for affordable housing (地方国有企业, 收购已建成未出售商品房用作保障性"
                    "住房): a CSV with an id column, or one id per line"
                ),
                label=Label("选定的收购主体名单", "designated purchasers"),
                help_zh=(
                    "选定的收购主体名单（地方国有企业，收购已建成未出售商品房用作保障性住房）："
                    "含证件号码列的 CSV，或每行一个证件号码"
                ),
            ),
        ),
        # borrowers not on the list of designated purchasers (the briefing of 2024-05-17)
        rules=(
            ExclusionRule(
                "borrower_not_designated",
                not_on_the_list("designated_purchasers"),
                label=Label(
                    "借款人不在选定的收购主体名单内", "borrower not a designated purchaser"
                ),
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
