"""Inclusive small/micro loan incentive and its swap, hand-worked."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators import MoneyError, ParameterError, PolicyNotFoundError, PolicyUnknownError
from calculators.tools import incentive as microloan_incentive
from calendars import Quarter, get_calendar


def test_2022q2_two_percent_of_the_increase() -> None:
    # increase = 123,456,789.01 - 100,000,000.00 = 23,456,789.01 yuan
    # 2% = 469,135.7802 -> 469,135.78 yuan (half up)
    r = microloan_incentive.incentive("2022Q2", 10_000_000_000, 12_345_678_901)
    assert r.increment_fen == 2_345_678_901
    assert r.incentive_fen == 46_913_578
    s = r.summary()
    assert s["ratio"] == "0.02"
    swap = s["swap"]
    assert (swap["fixed_rate"], swap["floating_rate"]) == ("0.0362", "0.0162")
    # trade date = the 2022Q2 deadline, 2022-07-11; one year on 30/360 is exactly 1
    assert (swap["start"], swap["end"], swap["payment_date"]) == (
        "2022-07-11", "2023-07-11", "2023-07-11",
    )  # fmt: skip
    # fixed 3.62% x 2,345,678,901 = 84,913,576.2162 -> 84,913,576
    # floating 1.62% x 2,345,678,901 = 37,999,998.1962 -> 37,999,998
    assert (swap["fixed_leg_fen"], swap["floating_leg_fen"]) == (84_913_576, 37_999_998)
    assert swap["net_fen"] == 46_913_578 == r.incentive_fen


def test_2022q1_one_percent() -> None:
    r = microloan_incentive.incentive("2022Q1", 10_000_000_000, 15_000_000_000)
    assert r.incentive_fen == 50_000_000  # 1% of 50,000,000.00 yuan = 500,000.00 yuan
    assert r.summary()["swap"]["fixed_rate"] == "0.0262"


def test_a_decrease_pays_nothing_and_has_no_swap() -> None:
    r = microloan_incentive.incentive("2022Q3", 15_000_000_000, 10_000_000_000)
    assert r.incentive_fen == 0
    assert r.summary()["swap"] is None


@pytest.mark.parametrize("quarter", ["2021Q4", "2021Q3", "2025Q1"])
def test_uncovered_quarters(quarter) -> None:
    with pytest.raises(PolicyNotFoundError, match="2022Q1-2022Q1, 2022Q2-2023Q2, 2023Q3-2024Q4"):
        microloan_incentive.incentive(quarter, 0, 100)


@pytest.mark.parametrize("quarter", ["2023Q3", "2023Q4", "2024Q4"])
def test_a_ratio_no_source_gives_is_refused_not_guessed(quarter) -> None:
    # the tool ran to end-2024 (SCIO, 2023-07-28) but no source gives the ratio
    with pytest.raises(PolicyUnknownError, match=r"ratio a source gives .*--policy FILE"):
        microloan_incentive.incentive(quarter, 0, 100)


def test_bad_inputs() -> None:
    with pytest.raises(MoneyError):
        microloan_incentive.incentive("2022Q2", -1, 100)
    with pytest.raises(ParameterError, match="local legal-person"):
        microloan_incentive.incentive("2022Q2", 0, 100, institution="national_bank")
    with pytest.raises(ParameterError, match="day_count"):
        microloan_incentive.incentive("2022Q2", 0, 100, day_count="ACT/999")


def test_balance_series(tmp_path) -> None:
    path = tmp_path / "balances.csv"
    path.write_text(
        '季度,余额\n2021Q4,"100,000,000.00"\n2022Q1,"150,000,000.00"\n'
        '2022Q2,"173,456,789.01"\n2022Q3,"170,000,000.00"\n',
        encoding="gb18030",
    )
    results = microloan_incentive.incentive_series(path)
    assert [str(r.quarter) for r in results] == ["2022Q1", "2022Q2", "2022Q3"]
    assert [r.incentive_fen for r in results] == [50_000_000, 46_913_578, 0]


def test_series_must_be_consecutive(tmp_path) -> None:
    path = tmp_path / "gap.csv"
    path.write_text("quarter,balance\n2022Q1,1\n2022Q3,2\n", encoding="utf-8")
    with pytest.raises(ParameterError, match="2022Q2 follows 2022Q1"):
        microloan_incentive.incentive_series(path)


covered = st.sampled_from([Quarter(2022, 1), Quarter(2022, 2), Quarter(2022, 3),
                           Quarter(2022, 4), Quarter(2023, 1), Quarter(2023, 2)])  # fmt: skip


@given(covered, st.integers(0, 10**14), st.integers(0, 10**14))
def test_swap_net_equals_incentive_under_defaults(quarter, previous, current) -> None:
    r = microloan_incentive.incentive(quarter, previous, current)
    assert r.net_fen == r.incentive_fen
    for flow in r.flows:
        assert get_calendar("prc").is_business_day(flow.payment_date)
        assert flow.payment_date >= flow.accrual_end
    assert r.incentive_fen >= 0


def test_explicit_trade_date() -> None:
    r = microloan_incentive.incentive(
        "2022Q2", 0, 100_000_000, trade_date=dt.date(2022, 7, 15), day_count="ACT/365F"
    )
    # 2022-07-15 -> 2023-07-15 is 365 days; payment rolls to Monday 2023-07-17
    assert r.flows[0].payment_date == dt.date(2023, 7, 17)
    assert r.net_fen == 2_000_000
