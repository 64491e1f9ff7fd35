"""Service-consumption and elderly-care relending (服务消费与养老再贷款): the quarterly
claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
inside 2025-05-09 to 2027-12-31, and its ``service_field`` is one of the supported
fields of the version covering it. The claim is 100% of eligible principal.

The ledger needs a ``service_field`` column (服务消费领域, 消费领域): the loan's field,
by code or Chinese name (:data:`SERVICE_FIELDS`; width, spacing and case do not
matter). A missing or unrecognized value, or a field the version does not support,
excludes the row as ``service_field_not_eligible``; its ``detail`` shows the value as
given (``service_field='汽车销售'``).

Notes
-----
中国人民银行关于设立服务消费与养老再贷款有关事宜的通知 (issued 2025-05-09; the figures and
their sources are in ``calculators/policies/consumption.toml``): 5000亿, 1.5%, 1 year,
可展期2次, lenders the 21 national financial institutions and 北京银行、上海银行、江苏银行、
南京银行、宁波银行, to the end of 2027, 100% of the principal applied for quarterly;
fields 住宿餐饮、文体娱乐、教育 and the elderly-care industry. 居民服务 and 旅游 appear
only in a summary of the notice: the shipped version carries them as assumptions. 健康
was announced for 2026 with no date: recognized, in no shipped version (a policy file
may add ``health`` to ``categories``). The tool is said to widen and upgrade the
inclusive elderly-care relending; no merger is stated, so ``elderly_care`` stays.
"""

from __future__ import annotations

import unicodedata
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from .._i18n import Label
from ..engine.entry import bind
from ..engine.program import ExclusionRule, LedgerColumn, Program, register
from ..engine.rules import code_not_in_the_version, value_codes

if TYPE_CHECKING:
    import pandas as pd


__all__ = ["PROGRAM", "claim", "claim_partitioned", "claim_spec"]

FIELD_COLUMN = "service_field"

SERVICE_FIELDS: MappingProxyType[str, tuple[str, ...]] = MappingProxyType(
    {
        "accommodation_catering": ("住宿餐饮", "餐饮住宿", "住宿", "餐饮"),
        "culture_sports_entertainment": ("文体娱乐", "文化娱乐", "文化体育娱乐", "体育", "文体"),
        "education": ("教育", "教育培训"),
        "elderly_care": ("养老", "养老产业", "养老服务"),
        "residential_services": ("居民服务", "家政"),
        "tourism": ("旅游", "文旅"),
        "health": ("健康", "健康产业"),  # announced for 2026 without a date
    }
)
"""Field code -> the names a ledger writes it by (the notice's first)."""


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).replace("_", "").casefold()


_LOOKUP = {_key(w): code for code, words in SERVICE_FIELDS.items() for w in (code, *words)}


def field_codes(values: pd.Series) -> np.ndarray:
    """The field code of each value ("" where not recognized)."""
    return value_codes(values, lambda v: _LOOKUP.get(_key(v), ""))


PROGRAM = register(
    Program(
        id="consumption",
        name_zh="服务消费与养老再贷款",
        name_en="service-consumption and elderly-care relending",
        own_columns=(
            LedgerColumn(
                FIELD_COLUMN,
                ("服务消费领域", "消费领域", "服务领域"),
                Label("服务消费领域", "service field"),
            ),
        ),
        rules=(
            ExclusionRule(
                "service_field_not_eligible",
                code_not_in_the_version(FIELD_COLUMN, field_codes),
                column=FIELD_COLUMN,
                label=Label("不属于服务消费与养老支持领域", "not in a supported field"),
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
