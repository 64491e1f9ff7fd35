"""Transport borrower categories as the notice writes them, and unrecognized values shown.

The golden ledger and its hand working are tests/golden/transport_2022Q3_abc.*.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from calculators.cli import app as cli
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.programs.transport import TRANSPORT_CATEGORIES, category_codes
from tests.paths import GOLDEN

from .goldens import GoldenClaim

LEDGER = GOLDEN / "transport_2022Q3_abc.csv"


class TestTransportGolden(GoldenClaim):
    """The categories as the notice writes them count (expected.md): 50,000,000 +
    123,456,789 + 200,000,000 + 30,000,050 + 8,888,888 + 4,500,000 + 12,000,001 +
    99,999,999 = 528,845,727 fen; ratio 1, no rounding. Written before policy versions
    (no ``expected_policy_version`` column)."""

    program = "transport"
    ledger = LEDGER
    period = "2022Q3"
    lender = "ABC"
    lender_typed = "农业银行"
    status = 0
    eligible_principal_fen = 528_845_727
    entitlement_fen = 528_845_727
    entitlement_yuan = "5,288,457.27"
    loans = (8, 4, 0)

    def check_loans(self, loans: pd.DataFrame) -> None:
        super().check_loans(loans)
        # the 500,000.00 yuan loan written 中小微物流配送（含快递）企业 is in the claim
        first = loans.iloc[0]
        assert first["borrower_category"] == "中小微物流配送（含快递）企业"
        assert int(first["entitlement_fen"]) == 50_000_000


def test_summary_lists_each_unrecognized_value_once_with_its_rows() -> None:
    summary = transport_relending.claim(LEDGER, "2022Q3", "ABC").summary()
    assert summary["unrecognized"] == {
        "borrower_category": {"物流企业": 2, "道路货物运输经营者": 1},
        "currency": {"USD": 1},
    }


def test_nothing_unrecognized_is_an_empty_mapping() -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False).iloc[:8]
    assert transport_relending.claim(frame, "2022Q3", "ABC").summary()["unrecognized"] == {}


def test_unrecognized_values_outside_the_quarter_are_not_listed() -> None:
    # G10 moved into 2022Q2: it is outside_period before its category is looked at
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    frame.loc[9, "disbursement_date"] = "2022-06-30"
    summary = transport_relending.claim(frame, "2022Q3", "ABC").summary()
    assert summary["unrecognized"]["borrower_category"] == {"物流企业": 1, "道路货物运输经营者": 1}


def test_tech_claim_lists_an_unrecognized_currency_under_its_header() -> None:
    ids = ["91330100625162451Y"]
    ledger = pd.DataFrame(
        {
            "借据号": ["a", "b", "c"],
            "统一社会信用代码": ids * 3,
            "贷款金额": ["1.00"] * 3,
            "币种": ["美元", "人民币", "美元"],
            "发放日期": ["2022-05-01"] * 3,
            "到期日期": ["2023-05-01"] * 3,
        }
    )
    summary = tech_relending.claim(ledger, "2022Q2", "ICBC", ids).summary()
    assert summary["unrecognized"] == {"currency": {"美元": 2}}


@pytest.mark.parametrize("blank", ["", None, "  "])
def test_a_blank_currency_counts_as_cny(blank) -> None:
    ids = ["91330100625162451Y"]
    ledger = pd.DataFrame(
        {
            "loan_id": ["a"],
            "borrower_id": ids,
            "principal": ["1.00"],
            "currency": pd.Series([blank], dtype=object),
            "disbursement_date": ["2022-05-01"],
            "maturity_date": ["2023-05-01"],
        }
    )
    result = tech_relending.claim(ledger, "2022Q2", "ICBC", ids)
    assert result.loans["reason"].astype(str).tolist() == ["eligible"]
    assert result.summary()["unrecognized"] == {}


def test_cli_text_shows_the_unrecognized_values(capsys) -> None:
    status = cli.main(["claim", "transport", str(LEDGER), "--quarter", "2022Q3", "--lender", "ABC"])
    out = capsys.readouterr().out
    assert status == 0
    assert "5,288,457.27" in out
    assert "borrower_category '物流企业': 2 rows" in out
    assert "borrower_category '道路货物运输经营者': 1 row" in out
    assert "currency 'USD': 1 row" in out
    # the umbrella term gets a word on what to write instead
    assert "道路普通货物运输企业" in out.split("道路货物运输经营者", 1)[1]


def test_cli_json_has_the_unrecognized_values(capsys) -> None:
    argv = ["claim", "transport", str(LEDGER), "--quarter", "2022Q3", "--lender", "ABC", "--json"]
    assert cli.main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["unrecognized"]["borrower_category"] == {"物流企业": 2, "道路货物运输经营者": 1}


SPELLINGS = {
    # the seven codes and their names as the notice writes them (seed 808-814)
    "road_freight_enterprise": "road_freight_enterprise",
    "道路普通货物运输企业": "road_freight_enterprise",
    "network_freight_platform": "network_freight_platform",
    "网络平台道路货物运输企业": "network_freight_platform",
    "driver_home_operator": "driver_home_operator",
    "“司机之家”运营企业": "driver_home_operator",
    "road_freight_individual_business": "road_freight_individual_business",
    "道路货物运输个体工商户": "road_freight_individual_business",
    "affiliated_truck_owner": "affiliated_truck_owner",
    "挂靠普通货运车辆车主": "affiliated_truck_owner",
    "logistics_sme": "logistics_sme",
    "中小微物流配送企业": "logistics_sme",
    "express_sme": "express_sme",
    "中小微快递企业": "express_sme",
    # the notice's combined category, both widths (seed 812-814, 822, 877)
    "logistics_express_sme": "logistics_express_sme",
    "中小微物流配送（含快递）企业": "logistics_express_sme",
    "中小微物流配送(含快递)企业": "logistics_express_sme",
    # punctuation, width, spacing and case
    "中小微物流配送 ( 含快递 ) 企业": "logistics_express_sme",
    "中小微物流配送（含快递） 企业\t": "logistics_express_sme",
    '"司机之家"运营企业': "driver_home_operator",
    "「司机之家」运营企业": "driver_home_operator",
    "‘司机之家’运营企业": "driver_home_operator",
    "'司机之家'运营企业": "driver_home_operator",
    "＂司机之家＂运营企业": "driver_home_operator",
    "司机之家运营企业": "driver_home_operator",
    "ＲＯＡＤ＿ＦＲＥＩＧＨＴ＿ＥＮＴＥＲＰＲＩＳＥ": "road_freight_enterprise",
    "Express_SME": "express_sme",
    "道路普通\u3000货物运输企业": "road_freight_enterprise",
    "\u00a0挂靠普通货运车辆车主\u00a0": "affiliated_truck_owner",
    # not categories
    "道路货物运输经营者": "",
    "货车司机": "",
    "物流企业": "",
    # added by the 2023 notice (later-notices.md): a code, eligible only under
    # transport-2023 (the version rule is tested with the claim)
    "中小微物流仓储企业": "logistics_warehousing_sme",
    "": "",
}


_ADDED_2023 = {
    "road_freight_special_operator", "road_large_cargo_operator",
    "road_dangerous_goods_enterprise", "road_freight_station_operator",
    "logistics_warehousing_sme",
}  # fmt: skip


def test_every_spelling_maps_to_its_code() -> None:
    values = pd.Series([*SPELLINGS, None], dtype=object)
    assert list(category_codes(values)) == [*SPELLINGS.values(), ""]


def test_the_combined_category_is_a_code_with_its_source() -> None:
    assert TRANSPORT_CATEGORIES["logistics_express_sme"] == "中小微物流配送（含快递）企业"
    from calculators.programs.transport import CATEGORY_SOURCES

    assert set(CATEGORY_SOURCES) == set(TRANSPORT_CATEGORIES)
    for code, source in CATEGORY_SOURCES.items():
        if code in _ADDED_2023:
            assert "关于进一步做好交通物流领域金融支持与服务的通知" in source
        else:
            assert "交通物流专项再贷款" in source and "policy compilation, lines " in source


def test_partitioned_claim_lists_the_same_unrecognized_values() -> None:
    dd = pytest.importorskip("dask.dataframe")
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    ddf = dd.from_pandas(frame, chunksize=5, sort=False)  # 物流企业 in two partitions
    result = transport_relending.claim_partitioned(ddf, "2022Q3", "ABC")
    assert result.entitlement_fen == 528_845_727
    assert result.summary()["unrecognized"] == {
        "borrower_category": {"物流企业": 2, "道路货物运输经营者": 1},
        "currency": {"USD": 1},
    }
