"""Transport-logistics relending (交通物流专项再贷款): the quarterly claim (2022) and the
monthly claim (2023).

A loan is eligible when it is valid, in CNY, disbursed inside the claim quarter and
inside 2022-05-01 to 2022-12-31, its borrower category is one the notice names, in
any of the notice's spellings (see :data:`TRANSPORT_CATEGORIES`),
and its borrower is not on the serious-dishonesty list (信用中国 严重失信主体名单). The
claim is 100% of eligible principal.

Notes
-----
中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知 (seed 790-880):

- 一 (专项再贷款支持领域), seed 804-826: the supported borrowers (seed 806-814; their
  spellings and codes are below), not on the
  serious-dishonesty list of 信用中国 (seed 818-820).
- 二 (发放对象、规模、利率和期限), seed 828-843: 7 lenders (seed 830-834); 1.75%, 1 year,
  extendable once (seed 839-841); the policy runs to the end of 2022 (seed 841-843).
- 三 (发放和管理), seed 845-865: loans from 2022-05-01 (seed 847-849), applied for before
  the 10th of the first month of the next quarter, carried over holidays (seed
  851-853); relending equal to the principal (按贷款本金等额, seed 855-857); non-compliant
  loans' relending is taken back (seed 861-865).

The 2023 extension (银发〔2023〕32号, ``transport.toml``) is claimed monthly: 合格银行按月
申请专项再贷款资金，于贷款发放后次月10日(遇节假日顺延)前提交申请材料. A claim for a month of
2023 (``"2023-02"``) is due on the 10th of the next month, rolled forward; a quarter of
2023 is refused, naming its months.

A row whose category is not recognized is ``category_not_eligible``; the claim's
summary and text output list each such value with its row count (``unrecognized``).

Borrower categories, from the same notice's 一 (专项再贷款支持领域),
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

from .._i18n import N_, Label, _, language
from ..engine.entry import bind
from ..engine.program import (
    ExclusionRule,
    LedgerColumn,
    Program,
    ReferenceList,
    RuleInput,
    register,
)
from ..engine.rules import code_not_in_the_version, value_codes

if TYPE_CHECKING:
    import pandas as pd


__all__ = [
    "PROGRAM",
    "TRANSPORT_CATEGORIES",
    "category_codes",
    "category_note",
    "claim",
    "claim_partitioned",
    "claim_spec",
]

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
    :func:`category_key`).
    """
    return value_codes(values, lambda value: _LOOKUP.get(category_key(value), ""))


def category_note(value: str) -> str | None:
    """What to write instead of ``value`` when it names a group of categories, else None."""
    found = _NOTES.get(category_key(value))
    return None if found is None else _(found[0]).format(kinds=_(", ").join(found[1]))


CATEGORY_COLUMN = "borrower_category"


def _dishonest(given: RuleInput) -> np.ndarray:
    """Borrowers on the serious-dishonesty list (transport notice 一, seed 818-820:
    经“信用中国”网站查询未被列入严重失信主体名单); no row when the list was not given."""
    blocked = given.lists["dishonest"]
    if blocked is None:
        return np.zeros(len(given.open_rows), dtype=bool)
    return given.columns.borrower_in(blocked, given.open_rows)


def _categories_help() -> str:
    """The borrower categories, for ``relend claim --help``."""
    colon = "：" if language() == "zh" else ": "
    rows = [f"  {code}{colon}{name}" for code, name in TRANSPORT_CATEGORIES.items()]
    return _("transport borrower categories (code or the notice's Chinese):") + (
        "\n" + "\n".join(rows)
    )


PROGRAM = register(
    Program(
        id="transport",
        name_zh="交通物流专项再贷款",
        name_en="transport-logistics relending",
        claim_help=_categories_help,
        own_columns=(
            LedgerColumn(
                CATEGORY_COLUMN,
                ("借款人类型", "借款人类别"),
                Label("借款人类型", "borrower category"),
            ),
        ),
        lists=(
            ReferenceList(
                "dishonest",
                required=False,
                help=N_(
                    "the serious-dishonesty list (信用中国 严重失信主体名单): a CSV with an "
                    "id column, or one id per line"
                ),
                label=Label("严重失信主体名单", "serious-dishonesty list"),
                help_zh=(
                    "严重失信主体名单（信用中国）："
                    "含证件号码列的 CSV 文件，或每行一个证件号码的文本文件"
                ),
                missing=(
                    "dishonest_list_not_given",
                    N_(
                        "borrowers were not screened against the serious-dishonesty list "
                        "(严重失信主体名单): no dishonest list was given (--dishonest FILE)"
                    ),
                ),
                empty=(
                    "dishonest_list_empty",
                    N_(
                        "the serious-dishonesty list given holds no ids: no borrower was "
                        "excluded by it"
                    ),
                ),
            ),
        ),
        rules=(
            # a category the version covering the loan does not support (transport notice
            # 一, seed 806-814; the 2023 notice added five kinds: transport.toml)
            ExclusionRule(
                "category_not_eligible",
                code_not_in_the_version(CATEGORY_COLUMN, category_codes),
                column=CATEGORY_COLUMN,
                recognized=lambda values: category_codes(values) != "",
                note=category_note,
                label=Label("借款人类型不在支持范围内", "borrower category not eligible"),
            ),
            ExclusionRule(
                "borrower_dishonest",
                _dishonest,
                label=Label("借款人为严重失信主体", "borrower on the serious-dishonesty list"),
            ),
        ),
    )
)

claim_spec, claim, claim_partitioned = bind(PROGRAM)
