"""Borrower categories eligible for the transport-logistics relending.

Notes
-----
中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知, 一 (专项再贷款支持领域),
seed 806-814: "主要包括受新冠肺炎疫情影响暂遇困难的道路货物运输经营者（含道路普通货物运输
企业、网络平台道路货物运输企业、“司机之家”运营企业、道路货物运输个体工商户和挂靠普通货运
车辆车主）、中小微物流配送（含快递）企业". The same notice writes the last category with
half-width parentheses, 中小微物流配送(含快递)企业 (seed 820-822), and with full-width ones
again at seed 875-877.

Choices where the notice is silent:

- 中小微物流配送（含快递）企业 is one category in the notice. It has a code of its own,
  ``logistics_express_sme``, whose name is the notice's wording exactly; the two halves
  relend accepted before (``logistics_sme`` 中小微物流配送企业, ``express_sme``
  中小微快递企业) stay accepted, so a ledger that tells them apart keeps doing so.
- The umbrella 道路货物运输经营者 (seed 808, 820-822, 875-877) is *not* accepted as a
  category on its own. The notice defines it by the five kinds in its parentheses
  (含 ...); the road freight operators it leaves out (专用运输, 大型物件运输, 危险货物运输,
  货运站场: added only by the 2023 notice, see later-notices.md) are road freight
  operators too, so a row labelled only with the umbrella term cannot be told eligible,
  and claiming it risks a clawback (通知 三, seed 861-865). Such a row is
  ``category_not_eligible``, is listed among the unrecognized values, and the text
  output names the five kinds to write instead (:func:`category_note`).
- Matching ignores width, spacing, quotation marks and case (:func:`category_key`).
"""

from __future__ import annotations

import unicodedata
from types import MappingProxyType
from typing import TYPE_CHECKING

import numpy as np

from .._i18n import N_, _

if TYPE_CHECKING:
    import pandas as pd

_NOTICE = "中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知, 一 (专项再贷款支持领域)"

_NOTICE_2023 = (
    "中国人民银行 交通运输部 中国银保监会《关于进一步做好交通物流领域金融支持与服务的通知》"
    "(2023-02; read in Xinhua, 2023-02-16)"
)
_LINES = "the 2022 policy compilation, lines"

TRANSPORT_CATEGORIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "road_freight_enterprise": "道路普通货物运输企业",
        "network_freight_platform": "网络平台道路货物运输企业",
        "driver_home_operator": "“司机之家”运营企业",
        "road_freight_individual_business": "道路货物运输个体工商户",
        "affiliated_truck_owner": "挂靠普通货运车辆车主",
        "logistics_express_sme": "中小微物流配送（含快递）企业",
        "logistics_sme": "中小微物流配送企业",
        "express_sme": "中小微快递企业",
        "road_freight_special_operator": "道路货物专用运输经营者",
        "road_large_cargo_operator": "道路大型物件运输经营者",
        "road_dangerous_goods_enterprise": "道路危险货物运输企业",
        "road_freight_station_operator": "道路货物运输站场经营者",
        "logistics_warehousing_sme": "中小微物流仓储企业",
    }
)
"""Code -> the category's name; the notice's words except for the two halves of
中小微物流配送（含快递）企业 (see :data:`CATEGORY_SOURCES`)."""

CATEGORY_SOURCES: MappingProxyType[str, str] = MappingProxyType(
    {
        "road_freight_enterprise": f"{_NOTICE}, {_LINES} 808-810",
        "network_freight_platform": f"{_NOTICE}, {_LINES} 810",
        "driver_home_operator": f"{_NOTICE}, {_LINES} 810-812",
        "road_freight_individual_business": f"{_NOTICE}, {_LINES} 812",
        "affiliated_truck_owner": f"{_NOTICE}, {_LINES} 812",
        "logistics_express_sme": f"{_NOTICE}, {_LINES} 812-814 (also 820-822, 875-877)",
        "logistics_sme": (
            f"{_NOTICE}, {_LINES} 812-814: 中小微物流配送（含快递）企业 without its express "
            "part (relend's split of the notice's category)"
        ),
        "express_sme": (
            f"{_NOTICE}, {_LINES} 812-814: the express part (含快递) of "
            "中小微物流配送（含快递）企业 (relend's split of the notice's category)"
        ),
        **{
            code: f"{_NOTICE_2023} (transport-2023 only)"
            for code in (
                "road_freight_special_operator",
                "road_large_cargo_operator",
                "road_dangerous_goods_enterprise",
                "road_freight_station_operator",
                "logistics_warehousing_sme",
            )
        },
    }
)
"""Code -> where the notice names the category (notice, clause, lines of the policy
compilation)."""

_UMBRELLA_NOTE = N_(
    "the umbrella term of the 交通物流专项再贷款 notice, section 一 (the 2022 policy "
    "compilation, lines 808-812), not accepted alone; write which of its five kinds the "
    "borrower is: {kinds}"
)
_FREIGHT_KINDS = tuple(
    TRANSPORT_CATEGORIES[code]
    for code in (
        "road_freight_enterprise",
        "network_freight_platform",
        "driver_home_operator",
        "road_freight_individual_business",
        "affiliated_truck_owner",
    )
)
UMBRELLA_TERMS: MappingProxyType[str, str] = MappingProxyType(
    {"道路货物运输经营者": _UMBRELLA_NOTE.format(kinds=", ".join(_FREIGHT_KINDS))}
)
"""Words the notice uses for a group of categories, with what to write instead."""

_DROPPED = str.maketrans("", "", "“”\"'‘’「」『』")


def category_key(text: str) -> str:
    """The form a category is matched in: NFKC, no whitespace or quotation marks, case folded.

    Notes
    -----
    NFKC turns full-width letters, digits and parentheses (（ ）, ＬＯＧＩＳＴＩＣＳ) and the
    ideographic space into their ASCII forms, so 中小微物流配送（含快递）企业 and
    中小微物流配送(含快递)企业, the two ways the notice writes it (交通物流专项再贷款 notice,
    一, seed 812-814 and 820-822), have one key.
    """
    folded = "".join(unicodedata.normalize("NFKC", text).split())
    return folded.translate(_DROPPED).casefold()


_LOOKUP = {category_key(code): code for code in TRANSPORT_CATEGORIES} | {
    category_key(name): code for code, name in TRANSPORT_CATEGORIES.items()
}
# the note's words (translated when shown) and the kinds it lists
_NOTES = {category_key("道路货物运输经营者"): (_UMBRELLA_NOTE, _FREIGHT_KINDS)}


def category_codes(values: pd.Series) -> np.ndarray:
    """Canonical category codes, empty string where the value is not an eligible category.

    Notes
    -----
    A ledger has few distinct categories: each distinct value is looked up once (see
    :func:`category_key`) and the codes are spread over the rows.
    """
    import pyarrow.compute as pc

    from ..columnar.text import TextColumn

    encoded = pc.dictionary_encode(TextColumn.of(values).filled().array)
    names = [_LOOKUP.get(category_key(value), "") for value in encoded.dictionary.to_pylist()]
    codes = np.array(names, dtype=object)
    return codes[encoded.indices.to_numpy(zero_copy_only=False)]


def category_note(value: str) -> str | None:
    """What to write instead of ``value`` when it names a group of categories, else None."""
    found = _NOTES.get(category_key(value))
    return None if found is None else _(found[0]).format(kinds=_(", ").join(found[1]))
