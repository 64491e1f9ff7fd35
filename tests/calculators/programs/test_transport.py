"""Transport claim: hand-worked cases."""

from __future__ import annotations

import pandas as pd
import pytest

from calculators import LenderError, PolicyNotFoundError
from calculators.programs import transport as transport_relending
from tests.paths import EXAMPLES

A, B, C = "911101085011945813", "915101005446414621", "91420100102630063R"


def _ledger() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "loan_id": ["J1", "J2", "J3", "J4", "J5", "J6"],
            "borrower_id": [A, B, C, A, B, C],
            "principal": ["100,000.01", "50,000.00", "70,000.00", "1.00", "2.00", "30,000.50"],
            "disbursement_date": [
                "2022-05-01", "2022-04-30", "2022-06-30", "2022-05-20", "2022-06-01",
                "2022-06-02",
            ],
            "maturity_date": ["2023-05-01"] * 6,
            "borrower_category": [
                "道路普通货物运输企业", "logistics_sme", "中小微快递企业", "农产品批发企业",
                "driver_home_operator", "“司机之家”运营企业",
            ],
        }
    )  # fmt: skip


def test_transport_claim_is_100_percent_of_eligible_principal() -> None:
    result = transport_relending.claim(_ledger(), "2022Q2", "ABC", dishonest=[B])
    reasons = list(result.loans["reason"].astype(str))
    assert reasons == [
        "eligible",  # first day of the policy window
        "before_policy_start",  # 30 April 2022
        "eligible",  # last day of the quarter
        "category_not_eligible",
        "borrower_dishonest",
        "eligible",
    ]
    # 10,000,001 + 7,000,000 + 3,000,050 fen, ratio 1: no rounding
    assert result.eligible_principal_fen == 20_000_051
    assert result.entitlement_fen == 20_000_051
    assert list(result.loans["entitlement_fen"]) == [10_000_001, 0, 7_000_000, 0, 0, 3_000_050]
    assert result.summary()["lists"] == {"dishonest": 1}


def test_without_a_dishonesty_list_the_summary_says_so() -> None:
    result = transport_relending.claim(_ledger(), "2022Q2", "农业银行")
    assert result.summary()["lists"] == {"dishonest": None}
    assert result.loans["reason"].astype(str).iloc[4] == "eligible"


def test_tech_only_lender_is_refused_naming_the_eligible_ones() -> None:
    with pytest.raises(LenderError, match="ADBC, ICBC, ABC, BOC, CCB, BOCOM, PSBC"):
        transport_relending.claim(_ledger(), "2022Q2", "CMB")


@pytest.mark.parametrize("quarter", ["2022Q1", "2023Q3"])
def test_quarters_outside_the_policy_are_refused(quarter) -> None:
    # transport-2022 runs 2022-05-01 to 2022-12-31, its extension 2023-01-01 to 2023-06-30
    windows = "2022-05-01 to 2022-12-31; transport-2023: 2023-01-01 to 2023-06-30"
    with pytest.raises(PolicyNotFoundError, match=windows):
        transport_relending.claim(_ledger(), quarter, "ABC")


def test_gb18030_example_with_chinese_headers() -> None:
    result = transport_relending.claim(
        EXAMPLES / "transport_ledger_gb18030.csv",
        "2022Q3",
        "ABC",
        EXAMPLES / "dishonest.txt",
    )
    reasons = list(result.loans["reason"].astype(str))
    # rows 4, 13 and 22 borrow under an id on dishonest.txt; row 31 was disbursed on
    # 2022-04-30, before the policy's 2022-05-01. Five resident ids (truck owners,
    # rows 2, 14, 15, 18, 19) are invalid: ISO 7064 MOD 11-2 over the first 17 digits
    # gives check characters 7, 0, 1, 1, 4 where the file has 8, 1, 3, 7, 6. Row 11's
    # 440305196512076437 is valid: its check digit 7 is right, and its place code
    # 440305 (南山区, from 1990) was assigned after its holder's birth in 1965, as
    # numbers were (python-stdnum alone would refuse it for not existing in 1965).
    expected = ["eligible"] * 31
    for row in (2, 14, 15, 18, 19):
        expected[row - 1] = "invalid_borrower_id"
    for row in (4, 13, 22):
        expected[row - 1] = "borrower_dishonest"
    expected[30] = "before_policy_start"
    assert reasons == expected
    # all 31 principals add up to 66,785,435.44 yuan; less the dishonest and late rows
    #   3,211,142.23 + 4,425,437.00 + 969,875.30 + 1,200,000.00 = 9,806,454.53
    # and the invalid ids
    #   2,319,412.77 + 189,470.44 + 434,111.66 + 739,300.01 + 4,972,104.75 = 8,654,399.63
    # leaves 66,785,435.44 - 9,806,454.53 - 8,654,399.63 = 48,324,581.28 yuan, at 100%
    assert result.eligible_principal_fen == 4_832_458_128
    assert result.entitlement_fen == 4_832_458_128
    assert result.summary()["entitlement_yuan"] == "48,324,581.28"
    assert list(result.loans["entitlement_fen"].iloc[[0, 1, 3, 30]]) == [272_498_263, 0, 0, 0]
