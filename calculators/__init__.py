"""Relending and support-tool calculators on exact money.

Packages
--------
programs
    One module per program: ``tech`` (科技创新再贷款), ``transport`` (交通物流专项再贷款),
    ``carbon`` (碳减排支持工具), ``housing`` (保障性住房再贷款), ``elderly_care``
    (普惠养老专项再贷款), ``equipment`` (设备更新改造专项再贷款), ``coal``
    (煤炭清洁高效利用专项再贷款), ``buyback`` (股票回购增持再贷款), ``consumption``
    (服务消费与养老再贷款); each has ``claim``, ``claim_spec`` and ``claim_partitioned``.
tools
    ``audit`` (recompute a submitted claim loan by loan), ``facility`` (the relending
    itself: maturity, extensions, interest, clawback), ``incentive`` (普惠小微贷款支持工具
    and its swap), ``npl`` (the NPL tolerance check for the six hard-hit industries).
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

import pathlib
import typing

from . import _deprecated

# every program registers on import; the claim engine (pandas, pyarrow) loads only when
# a claim runs, so that a command that reads no ledger starts at once
from . import programs as programs
from ._errors import (
    BookError,
    ExtensionLimitError,
    LedgerFileError,
    LenderError,
    MoneyError,
    OutputError,
    ParameterError,
    PolicyFileError,
    PolicyNotFoundError,
    PolicyUnknownError,
    RelendInputError,
)
from ._i18n import Label
from ._money import fen_to_yuan, largest_remainder_split, round_half_up, yuan_to_fen
from ._version import relend_version as _relend_version
from .engine import books as _books
from .engine.codes import COMMON_EXCLUSIONS, INVALID_REASONS, REASON_ALIASES, reason_codes
from .engine.program import (
    ClaimRows,
    ExclusionRule,
    LedgerColumn,
    OwnFigure,
    Program,
    ReferenceList,
    RowsHook,
    RuleInput,
    register,
    registered,
)
from .policy.lenders import LENDERS, Lender
from .policy.model import Figure, PolicyRow, PolicyVersion
from .policy.table import PolicyTable, policies_for_period

if typing.TYPE_CHECKING:
    from . import tools as tools
    from .book import Book
    from .engine.claim import claim
    from .engine.result import ClaimResult
    from .readers.lists import BorrowerList

__version__ = _relend_version()

__all__ = [
    "COMMON_EXCLUSIONS",
    "INVALID_REASONS",
    "LENDERS",
    "REASON_ALIASES",
    "Book",
    "BookError",
    "BorrowerList",
    "ClaimResult",
    "ClaimRows",
    "ExclusionRule",
    "ExtensionLimitError",
    "Figure",
    "Label",
    "LedgerColumn",
    "LedgerFileError",
    "Lender",
    "LenderError",
    "MoneyError",
    "OutputError",
    "OwnFigure",
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
    "RowsHook",
    "RuleInput",
    "__version__",
    "claim",
    "fen_to_yuan",
    "largest_remainder_split",
    "policies_for_period",
    "programs",
    "reason_codes",
    "register",
    "registered",
    "round_half_up",
    "tools",
    "yuan_to_fen",
]


# public classes and functions show under the public package (httpx's practice), not
# under the private module that defines them
def _public(obj: object) -> object:
    if (isinstance(obj, type) or callable(obj)) and getattr(obj, "__module__", "").startswith(
        __name__ + "."
    ):
        obj.__module__ = __name__
    return obj


# loaded on first use (PEP 562): these need pandas, pyarrow (or SQLAlchemy, for the book)
_LAZY = {
    "tools": (".tools", None),
    "claim": (".engine.claim", "claim"),
    "BorrowerList": (".readers.lists", "BorrowerList"),
    "ClaimResult": (".engine.result", "ClaimResult"),
    "Book": (".book", "Book"),  # not made to show under the package: it never did
}

for _name in __all__:
    if _name not in _LAZY and _name not in {"__version__", "programs"}:
        _public(globals()[_name])
del _name

_deprecated.install()


def _open_book(location: str | pathlib.Path) -> Book:
    from .book import Book

    return Book(location)


_books.use_opener(_open_book)  # a claim given a book's path opens it (the engine is below)


def __getattr__(name: str) -> object:
    if name in _deprecated.MOVED_MODULES:
        return _deprecated.moved_module(name)
    if name in ("policy_for", "policy_for_period"):
        _deprecated.warn_moved(f"calculators.{name}", "calculators.policies_for_period")
        from .policy import table

        return getattr(table, name)
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
