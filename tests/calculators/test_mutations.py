"""Hand-worked cases aimed at money rules a plausible slip would break unnoticed.

Each test names, in its docstring, the broken implementation it was seen to catch: the
change was applied to ``calculators/`` by hand, the test run and seen to fail, and the
change reverted.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from calculators import fen_to_yuan, largest_remainder_split
from calculators.columnar.money import parse_principal
from calculators.engine import split as _split
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from calculators.tools import facility
from calculators.tools import incentive as microloan_incentive

A, B, C, D = "911101085011945813", "915101005446414621", "91420100102630063R", "913205002859570946"
ELIGIBLE = [A, B, C, D]


def _tech(principals: list[str], **columns: list[str]) -> pd.DataFrame:
    n = len(principals)
    frame = {
        "loan_id": [f"K{i + 1}" for i in range(n)],
        "borrower_id": [ELIGIBLE[i % 4] for i in range(n)],
        "principal": principals,
        "disbursement_date": ["2022-04-01"] * n,
        "maturity_date": ["2023-04-01"] * n,
    }
    frame.update(columns)
    return pd.DataFrame(frame)


# --- leftover fen on tied remainders go to the earlier rows -------------------------------
#
# Ratio 3/5. Principal in fen and 3/5 of it:
#   K1 100.04 yuan = 10,004 fen -> 30,012 / 5 = 6,002 rem 2/5
#   K2 100.01 yuan = 10,001 fen -> 30,003 / 5 = 6,000 rem 3/5
#   K3 100.04 yuan                -> 6,002 rem 2/5
#   K4 100.04 yuan                -> 6,002 rem 2/5
# total principal 40,013 fen; 3/5 x 40,013 = 120,039 / 5 = 24,007.8 -> 24,008 (half up)
# floors 6,002 x 3 + 6,000 = 24,006: 2 fen left over. The first goes to the largest
# remainder (K2, 3/5); the second to one of K1, K3, K4 (all 2/5): the earliest, K1.
TIES = ["100.04", "100.01", "100.04", "100.04"]
TIES_SPLIT = [6_003, 6_001, 6_002, 6_002]


def test_tied_remainders_split_earlier_rows_first() -> None:
    """Caught: in ``_money.bonus_fen`` the tied loans taken from the end
    (``flatnonzero(remainders == r)[-take:]``): gives [6,002, 6,001, 6,002, 6,003]."""
    fen = np.array([10_004, 10_001, 10_004, 10_004], dtype=np.int64)
    assert list(largest_remainder_split(fen, Fraction(3, 5))) == TIES_SPLIT


@pytest.mark.parametrize("block_rows", [None, 1, 3])
def test_a_claim_gives_tied_leftover_fen_to_earlier_rows(block_rows) -> None:
    """Caught: in ``_split.RowVerdicts.entitlements`` the tied loans taken from the end
    of each block and of the whole ledger (``[-take:]`` for ``[:take]``), and, with
    blocks of 1 or 3 rows, the blocks' candidates taken in reverse block order."""
    ledger = _tech(TIES)
    if block_rows is None:
        result = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    else:
        with mock.patch.object(_split, "BLOCK_ROWS", block_rows):
            result = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == 24_008
    assert list(result.loans["entitlement_fen"]) == TIES_SPLIT


def test_a_partitioned_claim_gives_tied_leftover_fen_to_earlier_partitions() -> None:
    """Caught: the same ``[-take:]`` in ``RowVerdicts.entitlements``; here K1 and K3, K4
    are in different partitions, so the threshold must also be handed out in order."""
    dd = pytest.importorskip("dask.dataframe")
    ddf = dd.from_pandas(_tech(TIES), chunksize=2, sort=False)
    result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
    assert list(result.loans.compute()["entitlement_fen"]) == TIES_SPLIT


# --- transport: a loan maturing on its disbursement day is invalid ---------------------------


def test_transport_maturity_on_the_disbursement_day_is_invalid() -> None:
    """Caught: ``matures <= disbursed`` changed to ``matures < disbursed`` in
    ``_validate.columns``. Transport has no minimum term, so nothing else would stop J1:
    it became eligible and the claim 100.00 yuan larger."""
    ledger = pd.DataFrame(
        {
            "loan_id": ["J1", "J2", "J3"],
            "borrower_id": [A, B, C],
            "principal": ["100.00", "200.00", "300.00"],
            "disbursement_date": ["2022-07-01", "2022-07-01", "2022-07-01"],
            "maturity_date": ["2022-07-01", "2022-07-02", "2022-06-30"],
            "borrower_category": ["道路普通货物运输企业"] * 3,
        }
    )
    result = transport_relending.claim(ledger, "2022Q3", "ABC")
    loans = result.loans
    assert list(loans["reason"].astype(str)) == [
        "maturity_not_after_disbursement",  # same day: the loan has no term at all
        "eligible",  # one day is enough: transport sets no minimum term
        "maturity_not_after_disbursement",
    ]
    assert list(loans["status"].astype(str)) == ["invalid", "eligible", "invalid"]
    assert list(loans["entitlement_fen"]) == [0, 20_000, 0]
    assert result.entitlement_fen == 20_000  # ratio 1: 200.00 yuan, J2 only
    assert result.summary()["loans_invalid"] == 2


# --- a blank currency is CNY -----------------------------------------------------------------
#
# Four loans of 100.00, 200.00, 300.00, 400.00 yuan with currency "", None, "CNY", "USD":
# eligible 100 + 200 + 300 = 600.00 yuan = 60,000 fen; 3/5 of it 36,000 fen exactly.


def test_a_blank_currency_cell_is_cny() -> None:
    """Caught: "" removed from ``columns.CNY_ALIASES`` (K1 and K2 became ``non_cny``)."""
    ledger = _tech(["100.00", "200.00", "300.00", "400.00"], currency=["", None, "CNY", "USD"])
    result = tech_relending.claim(ledger, "2022Q2", "ICBC", ELIGIBLE)
    reasons = list(result.loans["reason"].astype(str))
    assert reasons == ["eligible", "eligible", "eligible", "non_cny"]
    assert result.eligible_principal_fen == 60_000
    assert result.entitlement_fen == 36_000
    assert list(result.loans["entitlement_fen"]) == [6_000, 12_000, 18_000, 0]


def test_a_blank_currency_in_a_csv_file_is_cny(tmp_path) -> None:
    """Caught: "" removed from ``columns.CNY_ALIASES`` (the empty and the blank cells
    became ``non_cny``: 36,000 fen fell to 18,000)."""
    path = tmp_path / "ledger.csv"
    path.write_text(
        "借据号,统一社会信用代码,贷款金额,币种,发放日期,到期日期\n"
        f"K1,{A},100.00,,2022-04-01,2023-04-01\n"
        f"K2,{B},200.00,  ,2022-04-01,2023-04-01\n"
        f"K3,{C},300.00,人民币,2022-04-01,2023-04-01\n"
        f"K4,{D},400.00,USD,2022-04-01,2023-04-01\n",
        encoding="gb18030",
    )
    result = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE)
    assert list(result.loans["reason"].astype(str)) == ["eligible"] * 3 + ["non_cny"]
    assert result.entitlement_fen == 36_000


@pytest.mark.parametrize("source", ["xlsx", "partitioned"])
def test_a_blank_currency_is_cny_in_a_workbook_and_over_partitions(tmp_path, source) -> None:
    """Caught: "" removed from ``columns.CNY_ALIASES`` (K1 and K2 ``non_cny``).

    K1 "" and K2 missing are CNY, K3 USD is not: 100.00 + 200.00 yuan = 30,000 fen,
    3/5 = 18,000 fen."""
    ledger = _tech(["100.00", "200.00", "300.00"], currency=["", None, "USD"])
    if source == "xlsx":
        path = tmp_path / "ledger.xlsx"
        ledger.to_excel(path, index=False)  # the missing cell is written empty
        loans = tech_relending.claim(path, "2022Q2", "ICBC", ELIGIBLE).loans
    else:
        dd = pytest.importorskip("dask.dataframe")
        ddf = dd.from_pandas(ledger, npartitions=2, sort=False)
        loans = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE).loans.compute()
    assert list(loans["reason"].astype(str)) == ["eligible", "eligible", "non_cny"]
    assert list(loans["entitlement_fen"]) == [6_000, 12_000, 0]


def test_a_ledger_without_a_currency_column_is_all_cny() -> None:
    """Caught: ``is_cny`` all False when the column is missing (every row ``non_cny``).
    100.00 + 200.00 yuan = 30,000 fen; 3/5 = 18,000 fen."""
    result = tech_relending.claim(_tech(["100.00", "200.00"]), "2022Q2", "ICBC", ELIGIBLE)
    assert list(result.loans["reason"].astype(str)) == ["eligible", "eligible"]
    assert result.entitlement_fen == 18_000


# --- the ratio applies once, to the total ---------------------------------------------------


def test_the_ratio_is_applied_once_to_the_total_not_per_loan() -> None:
    """Caught: the entitlement as the sum of per-loan ``round_half_up(3/5 x principal)``
    (122 fen) and as the sum of per-loan floors (120 fen).

    Two loans of 1.01 yuan = 101 fen: 3/5 x 101 = 60.6 fen each.
    Once on the total: 3/5 x 202 = 121.2 -> 121 fen. Per loan rounded: 61 + 61 = 122.
    Split: floors 60 + 60 = 120, remainders 3/5 each; 1 fen left over, to K1 (earlier).
    """
    result = tech_relending.claim(_tech(["1.01", "1.01"]), "2022Q2", "ICBC", ELIGIBLE)
    assert result.eligible_principal_fen == 202
    assert result.entitlement_fen == 121
    assert list(result.loans["entitlement_fen"]) == [61, 60]
    assert result.summary()["entitlement_yuan"] == "1.21"


def test_the_largest_remainder_wins_over_an_earlier_row() -> None:
    """Caught: leftover fen handed out in row order, whatever the remainder.

    K1 100.02 yuan = 10,002 fen -> 30,006 / 5 = 6,001 rem 1/5
    K2 100.03 yuan = 10,003 fen -> 30,009 / 5 = 6,001 rem 4/5
    total 20,005 fen; 3/5 = 60,015 / 5 = 12,003 exactly; floors 12,002; 1 fen to K2.
    """
    result = tech_relending.claim(_tech(["100.02", "100.03"]), "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == 12_003
    assert list(result.loans["entitlement_fen"]) == [6_001, 6_002]


# --- half up, not half even, where a half fen can occur -------------------------------------


def test_facility_interest_rounds_a_half_fen_up_in_each_period() -> None:
    """Caught: interest rounded half-even per period (1,532) and rounded once on the
    total instead of per period (1,533).

    432.00 yuan = 43,200 fen drawn 2024-07-15 (tech, 1.75% until the 2025-05-07 cut, kept
    on extension), one extension. 2025-07-15 (Tuesday) and 2026-07-15 (Wednesday) are
    business days, so both periods are 365 days. ACT/360 interest per period:
      43,200 x 0.0175 x 365 / 360 = 43,200 x 7 x 365 / 144,000 = 110,376,000 / 144,000
      = 766.5 -> 767 (half up; half even would give 766)
    total 767 + 767 = 1,534 fen (one rounding of 1,533.0 would give 1,533).
    """
    s = facility.schedule("tech", 43_200, dt.date(2024, 7, 15), 1)
    assert [(p.start, p.end, p.days) for p in s.periods] == [
        (dt.date(2024, 7, 15), dt.date(2025, 7, 15), 365),
        (dt.date(2025, 7, 15), dt.date(2026, 7, 15), 365),
    ]
    assert [p.interest_fen for p in s.periods] == [767, 767]
    assert s.interest_fen == 1_534
    assert s.summary()["interest_yuan"] == "15.34"


def test_incentive_rounds_a_half_fen_up() -> None:
    """Caught: the incentive rounded half-even (246,913,578) or truncated.

    2022Q2, 2%: increase 223,456,789.25 - 100,000,000.00 = 123,456,789.25 yuan
    = 12,345,678,925 fen; 2% = 12,345,678,925 / 50 = 246,913,578.5 -> 246,913,579 fen.
    """
    r = microloan_incentive.incentive("2022Q2", 10_000_000_000, 22_345_678_925)
    assert r.increment_fen == 12_345_678_925
    assert r.incentive_fen == 246_913_579
    assert r.summary()["incentive_yuan"] == "2,469,135.79"


# --- the 6-month term, with month-end clamping; the policy window's last day ----------------


def test_six_months_from_the_end_of_august_in_a_leap_year() -> None:
    """Caught: the term compared with ``<=`` (K1 excluded) and six months taken as 182
    days (K3 kept: 2023-08-30 + 182 days is 2024-02-28).

    2023-08-31 + 6 months = 2024-02-31, clamped to 2024-02-29 (2024 is a leap year):
    eligible maturing on the 29th (K1), ``term_under_minimum`` on the 28th (K2).
    2023-08-30 + 6 months = 2024-02-30, clamped to 2024-02-29: the 28th is short (K3).
    """
    ledger = pd.DataFrame(
        {
            "loan_id": ["K1", "K2", "K3"],
            "borrower_id": [A, B, C],
            "principal_fen": [500, 500, 500],
            "disbursement_date": ["2023-08-31", "2023-08-31", "2023-08-30"],
            "maturity_date": ["2024-02-29", "2024-02-28", "2024-02-28"],
        }
    )
    loans = tech_relending.claim(ledger, "2023Q3", "ICBC", ELIGIBLE).loans
    assert list(loans["reason"].astype(str)) == [
        "eligible",
        "term_under_minimum",
        "term_under_minimum",
    ]
    assert list(loans["entitlement_fen"]) == [300, 0, 0]  # 3/5 x 500


def test_transport_window_includes_its_last_day() -> None:
    """Caught: ``after_policy_end`` tested with ``>=`` (2022-12-31 excluded).

    The transport relending covers loans disbursed to 2022-12-31 (seed 841-843), then
    its extension to 2023-06-30: J1 on 2022-12-31 is eligible in 2022Q4; J2 on
    2023-01-01 falls under transport-2023, so in a 2022Q4 claim it is outside the
    period; J3 on 2023-07-01 is past the extension (``after_policy_end``, the first
    reason that applies, before ``outside_period``). Ratio 1: 1,000.00 yuan = 100,000 fen.
    """
    ledger = pd.DataFrame(
        {
            "loan_id": ["J1", "J2", "J3"],
            "borrower_id": [A, B, B],
            "principal": ["1,000.00", "2,000.00", "3,000.00"],
            "disbursement_date": ["2022-12-31", "2023-01-01", "2023-07-01"],
            "maturity_date": ["2023-12-31", "2024-01-01", "2024-07-01"],
            "borrower_category": ["logistics_sme", "logistics_sme", "logistics_sme"],
        }
    )
    result = transport_relending.claim(ledger, "2022Q4", "ABC")
    reasons = ["eligible", "outside_period", "after_policy_end"]
    assert list(result.loans["reason"].astype(str)) == reasons
    assert result.entitlement_fen == 100_000


# --- survivors of a mutation sweep over _money.py and _claim.py -----------------------------


def test_zero_yuan_has_no_minus_sign() -> None:
    """Caught: ``fen_to_yuan`` signing with ``fen <= 0`` ("-0.00" for nothing).

    A ledger with no eligible loan claims 0 fen, shown as "0.00"."""
    assert (fen_to_yuan(0), fen_to_yuan(-1), fen_to_yuan(1)) == ("0.00", "-0.01", "0.01")
    result = tech_relending.claim(_tech(["100.00"], currency=["USD"]), "2022Q2", "ICBC", ELIGIBLE)
    assert result.summary()["entitlement_yuan"] == "0.00"


def test_a_float_fen_column_takes_only_whole_fen() -> None:
    """Caught: the whole-number test of a float ``principal_fen`` column inverted
    (``arr != np.round(arr)``: 2.5 fen taken as 2, 150 fen refused).

    150 fen and 7 fen are whole; 2.5 fen and NaN are not amounts."""
    fen, ok = parse_principal(pd.Series([150.0, 2.5, float("nan"), 7.0]), "fen")
    assert list(ok) == [True, False, False, True]
    assert list(fen) == [150, 0, 0, 7]


def test_the_largest_principal_in_fen_text_is_accepted() -> None:
    """Caught: fen text limited to fewer than 18 characters (``lengths(text) < 18``).

    MAX_FEN is 10^17 fen (1 quadrillion yuan), 18 digits: accepted; one more fen is not;
    "+5" is 5 fen."""
    fen, ok = parse_principal(pd.Series(["100000000000000000", "100000000000000001", "+5"]), "fen")
    assert list(ok) == [True, False, True]
    assert list(fen) == [10**17, 0, 5]
