"""Application deadlines: golden dates worked out from the notices' calendars."""

from __future__ import annotations

import datetime as dt

import pytest

from calendars import (
    InvalidPeriodError,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    deadline_for,
    get_calendar,
)


@pytest.mark.parametrize(
    ("quarter", "expected"),
    [
        ("2020Q3", dt.date(2020, 10, 10)),  # Saturday, a make-up working day
        ("2021Q1", dt.date(2021, 4, 12)),  # 10 April is a Saturday
        ("2022Q2", dt.date(2022, 7, 11)),  # 10 July is a Sunday
        ("2022-Q2", dt.date(2022, 7, 11)),
        ("2025Q4", dt.date(2026, 1, 12)),  # 10 January 2026 is a Saturday
        ("2026Q3", dt.date(2026, 10, 10)),  # Saturday, a make-up working day
        ("2022Q3", dt.date(2022, 10, 10)),  # Monday after the National Day week
    ],
)
def test_prc_deadlines(quarter: str, expected: dt.date) -> None:
    result = deadline_for(quarter)
    assert result.date == expected
    assert result.calendar_status == "published"
    assert deadline_for(quarter).date == expected


def test_deadline_in_a_provisional_year_warns_and_says_so() -> None:
    with pytest.warns(ProvisionalCalendarWarning, match="2027"):
        result = deadline_for("2026Q4")
    assert result.date == dt.date(2027, 1, 11)
    assert result.calendar_status == "provisional"


def test_strict_calendar_refuses_a_provisional_year() -> None:
    with pytest.raises(ProvisionalCalendarError, match="2027"):
        deadline_for("2026Q4", get_calendar("prc", strict=True))


def test_sse_closes_make_up_saturdays() -> None:
    assert deadline_for("2026Q3", get_calendar("sse")).date == dt.date(2026, 10, 12)
    assert deadline_for("2026Q3", "sse").date == dt.date(2026, 10, 12)


def test_monthly_deadline_rolls_forward() -> None:
    # 10 February 2023 is a Friday; 10 June 2023 a Saturday
    assert deadline_for("2023-01").date == dt.date(2023, 2, 10)
    assert deadline_for("2023-05").date == dt.date(2023, 6, 12)


@pytest.mark.parametrize("text", ["2022Q5", "abc", "2022Q0", "22Q1", ""])
def test_bad_periods_name_the_value(text: str) -> None:
    with pytest.raises(InvalidPeriodError) as info:
        deadline_for(text)
    assert repr(text) in str(info.value)
    assert "\n" not in str(info.value)
