"""Relending and support-tool calculators on exact money.

Modules
-------
tech_relending
    Tech-innovation relending (科技创新再贷款) claims.
transport_relending
    Transport-logistics relending (交通物流专项再贷款) claims.
carbon_reduction
    Carbon emission reduction support tool (碳减排支持工具) claims.
housing_relending
    Affordable-housing relending (保障性住房再贷款) claims.
elderly_care
    Inclusive elderly-care relending (普惠养老专项再贷款) claims.
equipment
    Equipment-renewal relending (设备更新改造专项再贷款) claims.
coal
    Clean and efficient coal-use relending (煤炭清洁高效利用专项再贷款) claims.
buyback
    Stock buyback and shareholding-increase relending (股票回购增持再贷款) claims.
consumption
    Service-consumption and elderly-care relending (服务消费与养老再贷款) claims.
facility
    The relending itself: maturity, extensions, interest; clawback.
microloan_incentive
    Inclusive small/micro loan incentive (普惠小微贷款支持工具) and its swap.
npl_tolerance
    NPL tolerance check for the six hard-hit industries.
audit
    Recompute a submitted claim and compare it loan by loan.
book
    The book of claims, drawdowns, repayments, clawbacks and quotas (``Book``).

Ledger columns (canonical name, then accepted Chinese headers): ``loan_id`` (借据号,
贷款编号), ``borrower_id`` (统一社会信用代码, 借款人证件号码), ``borrower_name``
(借款人名称), ``principal`` in yuan or ``principal_fen`` (贷款金额, 发放金额, 贷款本金),
``currency`` (币种), ``disbursement_date`` (发放日期, 放款日期), ``maturity_date``
(到期日期, 到期日), ``borrower_category`` (借款人类型; transport only), ``borrower_kind``
(借款人类别; buyback only: there 借款人类别 is read as this column), ``service_field``
(服务消费领域; consumption only).
"""

from __future__ import annotations

from . import (
    audit,
    carbon_reduction,
    facility,
    housing_relending,
    microloan_incentive,
    npl_tolerance,
    tech_relending,
    transport_relending,
)

# isort: split
# registered after the programs above (the registry keeps the order programs register
# in): the first program to register a list gives its option's help, and tech's
# --eligible-borrowers help stays tech's
from . import coal, elderly_care, equipment

# isort: split
from . import buyback, consumption
from ._claim import claim
from ._errors import (
    ExtensionLimitError,
    LedgerFileError,
    LenderError,
    MoneyError,
    ParameterError,
    PolicyFileError,
    PolicyNotFoundError,
    PolicyUnknownError,
    RelendInputError,
)
from ._lenders import LENDERS, Lender
from ._lists import BorrowerList
from ._money import fen_to_yuan, largest_remainder_split, round_half_up, yuan_to_fen
from ._policy import (
    Figure,
    PolicyRow,
    PolicyTable,
    PolicyVersion,
    policies_for_period,
)
from ._policy import (
    policy_for as policy_for,  # kept importable, not in __all__
)
from ._policy import (
    policy_for_period as policy_for_period,
)
from ._reasons import COMMON_EXCLUSIONS, INVALID_REASONS, REASON_ALIASES, reason_codes
from ._registry import ExclusionRule, Program, ReferenceList, RuleInput, register, registered
from ._result import ClaimResult

__all__ = [
    "COMMON_EXCLUSIONS",
    "INVALID_REASONS",
    "LENDERS",
    "REASON_ALIASES",
    "Book",
    "BorrowerList",
    "ClaimResult",
    "ExclusionRule",
    "ExtensionLimitError",
    "Figure",
    "LedgerFileError",
    "Lender",
    "LenderError",
    "MoneyError",
    "ParameterError",
    "PolicyFileError",
    "PolicyNotFoundError",
    "PolicyRow",
    "PolicyTable",
    "PolicyUnknownError",
    "PolicyVersion",
    "Program",
    "ReferenceList",
    "RelendInputError",
    "RuleInput",
    "audit",
    "buyback",
    "carbon_reduction",
    "claim",
    "coal",
    "consumption",
    "elderly_care",
    "equipment",
    "facility",
    "fen_to_yuan",
    "housing_relending",
    "largest_remainder_split",
    "microloan_incentive",
    "npl_tolerance",
    "policies_for_period",
    "reason_codes",
    "register",
    "registered",
    "round_half_up",
    "tech_relending",
    "transport_relending",
    "yuan_to_fen",
]

# public classes and functions show under the public package (httpx's practice), not
# under the private module that defines them
for _name in __all__:
    if _name == "Book":
        continue  # loaded on first use (see __getattr__)
    _obj = globals()[_name]
    if (isinstance(_obj, type) or callable(_obj)) and getattr(_obj, "__module__", "").startswith(
        __name__ + "._"
    ):
        _obj.__module__ = __name__
del _name, _obj


def __getattr__(name: str) -> object:
    # the book loads SQLAlchemy: only when asked for (calculators.Book)
    if name == "Book":
        from .book import Book

        return Book
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
