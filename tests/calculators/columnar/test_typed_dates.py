"""Datetime columns (a notebook's typed ledger): midnights are dates, whatever the unit."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from calculators.columnar import compiled as _compiled
from calculators.columnar.compiled import KERNEL_ROWS
from calculators.columnar.dates import parse_dates

EPOCH = dt.date(1970, 1, 1)


def _day(year: int, month: int, day: int) -> int:
    return (dt.date(year, month, day) - EPOCH).days


STAMPS = [
    "2022-04-01T00:00:00",  # midnight: day 19,083
    "2022-04-01T00:00:01",  # one second past midnight: a time of day, invalid
    "NaT",
    "1969-12-31T00:00:00",  # before the epoch: day -1 (the int64 value is negative)
    "1969-12-31T23:59:59",  # negative and not a midnight (-1 s: -1 % 86,400 = 86,399)
    "1900-03-01T00:00:00",
    "2022-04-01T12:00:00",
]
EXPECTED_OK = [True, False, False, True, False, True, False]
EXPECTED_DAYS = [_day(2022, 4, 1), 0, 0, -1, 0, _day(1900, 3, 1), 0]


@pytest.mark.parametrize("kernel_rows", [0, KERNEL_ROWS], ids=["compiled", "numpy"])
@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_midnights_of_every_unit(unit, kernel_rows) -> None:
    column = pd.Series(np.array(STAMPS, dtype=f"datetime64[{unit}]"))
    assert str(column.dtype) == f"datetime64[{unit}]"
    with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
        days, ok = parse_dates(column)
    assert ok.tolist() == EXPECTED_OK
    assert days.tolist() == EXPECTED_DAYS
    assert days.dtype == np.int64


@pytest.mark.parametrize("unit", ["s", "ns"])
def test_timezone_aware_columns_are_read_on_their_wall_clock(unit) -> None:
    # 2022-04-01 00:00 in Shanghai is 2022-03-31 16:00 UTC: the ledger's date is the
    # local one, 2022-04-01; 08:00 in Shanghai (midnight UTC) is a time of day
    local = pd.Series(
        pd.to_datetime(["2022-04-01 00:00", "2022-04-01 08:00", None]).as_unit(unit)
    ).dt.tz_localize("Asia/Shanghai")
    days, ok = parse_dates(local)
    assert ok.tolist() == [True, False, False]
    assert days.tolist() == [_day(2022, 4, 1), 0, 0]


def test_all_missing_and_one_row() -> None:
    days, ok = parse_dates(pd.Series(np.array(["NaT", "NaT"], dtype="datetime64[ns]")))
    assert ok.tolist() == [False, False] and days.tolist() == [0, 0]
    days, ok = parse_dates(pd.Series(np.array(["2024-02-29"], dtype="datetime64[s]")))
    assert ok.tolist() == [True] and days.tolist() == [_day(2024, 2, 29)]


@pytest.mark.parametrize("arrow_type", ["date32", "date64"])
def test_arrow_date_columns_are_days(arrow_type) -> None:
    # a notebook's date[pyarrow] column: 2022-04-01 is day 19,083 (52 years of 365 days,
    # 13 leap days, then 31 + 28 + 31 days of 2022); 1969-12-31 is day -1; None missing
    import pyarrow as pa

    values = pd.Series(
        pd.array(
            [dt.date(2022, 4, 1), None, dt.date(1969, 12, 31)],
            dtype=pd.ArrowDtype(getattr(pa, arrow_type)()),
        )
    )
    days, ok = parse_dates(values)
    assert list(ok) == [True, False, True]
    assert list(days[ok]) == [19_083, -1]


@given(
    st.sampled_from(["s", "ms", "us", "ns"]),
    st.lists(
        st.one_of(
            st.integers(-(2**40), 2**40).map(lambda d: ("day", d)),
            st.integers(-(2**62), 2**62).map(lambda t: ("tick", t)),
            st.just(("nat", 0)),
        ),
        max_size=30,
    ),
)
def test_compiled_and_numpy_midnights_agree(unit, values) -> None:
    """Midnights (whole days, before and after 1970), other ticks and NaT: the compiled
    kernel gives numpy's days and validity."""
    per_day = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
    ticks = [
        np.iinfo(np.int64).min if kind == "nat" else (v * per_day[unit] if kind == "day" else v)
        for kind, v in values
    ]
    ticks = [t for t in ticks if t == np.iinfo(np.int64).min or abs(t) < 2**62]
    column = pd.Series(np.array(ticks, dtype=np.int64).view(f"datetime64[{unit}]"))
    answers = []
    for kernel_rows in (0, KERNEL_ROWS):
        with mock.patch.object(_compiled, "KERNEL_ROWS", kernel_rows):
            days, ok = parse_dates(column)
        answers.append((days.tolist(), ok.tolist()))
    assert answers[0] == answers[1]
