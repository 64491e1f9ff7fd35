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

from typing import TYPE_CHECKING

# relend's program modules register their programs on import, in this order (the order
# of the command line's choices and of the reason codes; the first program to register
# a list gives its option's help, and tech's --eligible-borrowers help stays tech's).
# They hold names and rules only: the claim engine (pandas, pyarrow) loads when a claim
# runs, so that a command that reads no ledger starts at once.
from . import carbon_reduction, housing_relending, tech_relending, transport_relending

# isort: split
from . import coal, elderly_care, equipment

# isort: split
from . import buyback, consumption
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

if TYPE_CHECKING:
    from . import audit, facility, microloan_incentive, npl_tolerance
    from ._claim import claim
    from ._lists import BorrowerList
    from ._result import ClaimResult
    from .book import Book

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
def _public(obj: object) -> object:
    if (isinstance(obj, type) or callable(obj)) and getattr(obj, "__module__", "").startswith(
        __name__ + "._"
    ):
        obj.__module__ = __name__
    return obj


# loaded on first use (PEP 562): these need pandas, pyarrow (or SQLAlchemy, for the book)
_LAZY = {
    "audit": (".audit", None),
    "facility": (".facility", None),
    "microloan_incentive": (".microloan_incentive", None),
    "npl_tolerance": (".npl_tolerance", None),
    "claim": ("._claim", "claim"),
    "BorrowerList": ("._lists", "BorrowerList"),
    "ClaimResult": ("._result", "ClaimResult"),
    "Book": (".book", "Book"),  # not made to show under the package: it never did
}

for _name in __all__:
    if _name not in _LAZY:
        _public(globals()[_name])
del _name


def __getattr__(name: str) -> object:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    from importlib import import_module

    loaded = import_module(module, __name__)
    if attribute is None:
        return loaded  # importing a submodule sets it on the package as well
    found = getattr(loaded, attribute)
    if name != "Book":
        _public(found)
    globals()[name] = found
    return found


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
