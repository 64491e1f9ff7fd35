from __future__ import annotations

import datetime as dt

import pytest

from calendars import InvalidPeriodError, Month, Quarter, parse_period


def test_quarter_parts() -> None:
    q = Quarter.parse("2022-Q2")
    assert q == Quarter.parse("2022Q2") == Quarter(2022, 2)
    assert (q.start, q.end) == (dt.date(2022, 4, 1), dt.date(2022, 6, 30))
    assert str(q.next()) == "2022Q3"
    assert str(q.previous()) == "2022Q1"
    assert str(Quarter(2022, 4).next()) == "2023Q1"
    assert str(Quarter(2022, 1).previous()) == "2021Q4"
    assert q.contains(dt.date(2022, 4, 1)) and q.contains(dt.date(2022, 6, 30))
    assert not q.contains(dt.date(2022, 7, 1)) and not q.contains(dt.date(2022, 3, 31))
    assert Quarter.containing(dt.date(2022, 12, 31)) == Quarter(2022, 4)


def test_month_parts() -> None:
    m = Month.parse("2024-02")
    assert (m.start, m.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert str(Month(2023, 12).next()) == "2024-01"
    assert str(Month(2023, 1).previous()) == "2022-12"
    assert parse_period("2023-01") == Month(2023, 1)
    assert parse_period("2023Q1") == Quarter(2023, 1)


@pytest.mark.parametrize("text", ["2022Q5", "2022-13", "abc", "2022"])
def test_bad_periods(text: str) -> None:
    with pytest.raises(InvalidPeriodError):
        parse_period(text)
