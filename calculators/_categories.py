"""Borrower categories eligible for the transport-logistics relending.

Notes
-----
Seed lines 804-812 (交通物流专项再贷款 通知 一): road freight operators — 道路普通货物运输
企业, 网络平台道路货物运输企业, “司机之家”运营企业, 道路货物运输个体工商户, 挂靠普通货运车辆
车主 — and small and micro logistics and delivery firms, express included (中小微物流配送
(含快递)企业).
"""

from __future__ import annotations

from types import MappingProxyType

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from ._text import arrow_text

TRANSPORT_CATEGORIES: MappingProxyType[str, str] = MappingProxyType(
    {
        "road_freight_enterprise": "道路普通货物运输企业",
        "network_freight_platform": "网络平台道路货物运输企业",
        "driver_home_operator": "“司机之家”运营企业",
        "road_freight_individual_business": "道路货物运输个体工商户",
        "affiliated_truck_owner": "挂靠普通货运车辆车主",
        "logistics_sme": "中小微物流配送企业",
        "express_sme": "中小微快递企业",
    }
)


def _key(text: str) -> str:
    return "".join(text.split()).lower().replace("“", "").replace("”", "").replace('"', "")


_LOOKUP = {_key(code): code for code in TRANSPORT_CATEGORIES} | {
    _key(name): code for code, name in TRANSPORT_CATEGORIES.items()
}


def category_codes(values: pd.Series) -> np.ndarray:
    """Canonical category codes, empty string where the value is not an eligible category.

    Notes
    -----
    A ledger has few distinct categories: each distinct value is looked up once (spaces
    and quotation marks dropped, case folded) and the codes are spread over the rows.
    """
    encoded = pc.dictionary_encode(pc.fill_null(arrow_text(values), ""))
    names = [_LOOKUP.get(_key(value), "") for value in encoded.dictionary.to_pylist()]
    codes = np.array(names, dtype=object)
    return codes[encoded.indices.to_numpy(zero_copy_only=False)]
