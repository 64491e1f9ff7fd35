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
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from calendars import BusinessCalendar, Quarter

from ..engine.program import ExclusionRule, Program, register
from ..engine.rules import code_not_in_the_version
from ..policy.lenders import Lender
from ..policy.table import PolicyTable

if TYPE_CHECKING:
    import pandas as pd

    from ..engine.claim import ClaimSpec
    from ..engine.result import ClaimResult
    from ..engine.validate import Ledger


__all__ = ["FIELD_COLUMN", "PROGRAM", "SERVICE_FIELDS", "claim", "claim_spec", "field_codes"]

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
    """The field code of each value ("" where not recognized), looked up once per
    distinct value."""
    import pyarrow.compute as pc

    from ..columnar.text import TextColumn

    encoded = pc.dictionary_encode(TextColumn.of(values).filled().array)
    names = [_LOOKUP.get(_key(v), "") for v in encoded.dictionary.to_pylist()]
    return np.array(names, dtype=object)[encoded.indices.to_numpy(zero_copy_only=False)]


PROGRAM = register(
    Program(
        id="consumption",
        name_zh="服务消费与养老再贷款",
        name_en="service-consumption and elderly-care relending",
        columns=(FIELD_COLUMN,),
        rules=(
            ExclusionRule(
                "service_field_not_eligible",
                code_not_in_the_version(FIELD_COLUMN, field_codes),
                column=FIELD_COLUMN,
            ),
        ),
    )
)


def claim_spec(
    quarter: str | Quarter,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
) -> ClaimSpec:
    """Everything that defines a consumption claim but the ledger (see :func:`claim`)."""
    from ..engine.claim import prepare

    return prepare(PROGRAM, quarter, lender, calendar=calendar, policy=policy)


def claim(
    ledger: Ledger,
    quarter: str | Quarter,
    lender: str | Lender,
    *,
    calendar: BusinessCalendar | str | None = None,
    policy: PolicyTable | str | Path | None = None,
    progress: bool = False,
) -> ClaimResult:
    """Compute a lender's service-consumption and elderly-care relending claim.

    Parameters
    ----------
    ledger : DataFrame or path
        The loan ledger, with a ``service_field`` column (see the module).
    quarter : str or Quarter
        A quarter from 2025Q2 to 2027Q4.
    lender : str or Lender
        One of the 21 national financial institutions or the five city banks (北京银行
        BOB, 上海银行 BOSC, 江苏银行 JSB, 南京银行 NJCB, 宁波银行 NBCB).
    calendar : BusinessCalendar or str, optional
        For the application deadline; default ``prc``.
    policy : PolicyTable or path, optional
        A user policy file applied for this claim only.
    progress : bool, default False
        Show progress bars on stderr for reading and classifying once a step has taken
        two seconds.

    Raises
    ------
    RelendInputError
        For a file-level problem (a ledger without ``service_field``), an ineligible
        lender, or a quarter outside the policy.
    """
    from ..engine.claim import run_claim

    spec = claim_spec(quarter, lender, calendar=calendar, policy=policy)
    return run_claim(spec, ledger, progress=progress)
