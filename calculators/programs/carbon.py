"""Carbon emission reduction support tool (碳减排支持工具): the quarterly claim.

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
inside a carbon version's window (from 2021-11-08), and its ``carbon_field`` is one of
the supported fields of the version covering the loan: 清洁能源 (``clean_energy``),
节能环保 (``energy_saving_environmental``), 碳减排技术 (``carbon_reduction_technology``).
The claim is 60% of eligible principal.

Notes
-----
中国人民银行, 推出碳减排支持工具 (announcement of 2021-11-08, Xinhua; read at
wumasheying.com/news/zhxw/2021/1109/206397.shtml): "支持清洁能源、节能环保、碳减排技术等
重点领域", "发放对象暂定为全国性金融机构", "按贷款本金的60%提供资金支持，利率为1.75%".
Extended to end-2024 by the PBoC statement of 2023-01-29 (peoplesdaily.pdnews.cn, grade
C), to end-2027 per a State Council plan of 2024-08-11 (Reuters, grade S: an
assumption in ``carbon.toml``). Every figure and its grade is in ``carbon.toml``.

The ledger needs a ``carbon_field`` column (the loan's field). A missing or
unrecognized value excludes the row as ``carbon_field_not_eligible``; its ``detail``
shows the value as given (``carbon_field='风电'``). Matching ignores width, spacing
and case (NFKC). The fields added on 2026-01-15 (节能改造, 绿色升级, 能源绿色低碳转型
"等") are recognized but no shipped version supports them: the announcement's "等"
leaves the list open and does not restate the ratio; a policy file may add their codes
to a version's ``categories``.

The ledger column ``carbon_field`` is required; its Chinese headers 碳减排领域 and
领域 are in relend's shared alias table.

The lenders are an open list from 2022-09-01 (the figure ``lenders_open``): local
legal-person and foreign banks joined the initial 21, only some of them named, so a
claim by a lender outside the 21 is computed with the warning ``lender_not_named``
naming the notice (:func:`calculators.engine.claim.prepare`).
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

FIELD_COLUMN = "carbon_field"

CARBON_FIELDS: MappingProxyType[str, str] = MappingProxyType(
    {
        "clean_energy": "清洁能源",
        "energy_saving_environmental": "节能环保",
        "carbon_reduction_technology": "碳减排技术",
        # added to the supported fields on 2026-01-15 (carbon.toml, notice expand2026);
        # in no shipped version's categories
        "energy_saving_retrofit": "节能改造",
        "green_upgrade": "绿色升级",
        "energy_low_carbon_transition": "能源绿色低碳转型",
    }
)
"""Field code -> the announcements' name for it."""


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


_LOOKUP = {_key(code): code for code in CARBON_FIELDS} | {
    _key(name): code for code, name in CARBON_FIELDS.items()
}


def field_codes(values: pd.Series) -> np.ndarray:
    """The field code of each value ("" where not recognized)."""
    return value_codes(values, lambda v: _LOOKUP.get(_key(v), ""))


PROGRAM = register(
    Program(
        id="carbon",
        name_zh="碳减排支持工具",
        name_en="carbon emission reduction support tool",
        own_columns=(
            LedgerColumn(FIELD_COLUMN, ("碳减排领域", "领域"), Label("碳减排领域", "carbon field")),
        ),
        rules=(
            # a field the version covering the loan does not support (the announcement of
            # 2021-11-08: 清洁能源、节能环保、碳减排技术; carbon.toml)
            ExclusionRule(
                "carbon_field_not_eligible",
                code_not_in_the_version(FIELD_COLUMN, field_codes),
                column=FIELD_COLUMN,
                label=Label("不属于碳减排支持领域", "not in a carbon-reduction field"),
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
