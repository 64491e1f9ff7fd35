"""The years after the last reviewed notice (``holidays.China``, some 35 years) are built
only when an answer reaches them: every answer is that of the whole calendar, and a
deadline in a reviewed year builds none of them."""

from __future__ import annotations

import datetime as dt
import warnings
from unittest import mock

import pytest

from calendars import YearOverride, _calendar, deadline_for
from calendars._calendar import BusinessCalendar, notice_span, reviewed_years

D = dt.date
OVERRIDES = (
    YearOverride(2024, frozenset({D(2024, 3, 5)}), frozenset({D(2024, 3, 9)}), "a test"),
    YearOverride(2030, frozenset({D(2030, 3, 5)}), frozenset({D(2030, 3, 9)}), "a test"),
)


def _whole(calendar: BusinessCalendar) -> BusinessCalendar:
    """``calendar`` answering every question from the whole array of business days."""
    calendar._known = calendar._sessions
    calendar._known_last = (calendar.last - _calendar._EPOCH).days
    return calendar


def _answers(calendar: BusinessCalendar, day: dt.date) -> list[object]:
    found: list[object] = []
    for ask in (
        lambda: calendar.is_business_day(day),
        *(lambda c=c: calendar.roll(day, c) for c in _calendar.CONVENTIONS),
        *(lambda n=n: calendar.add_business_days(day, n) for n in (-40, -1, 0, 1, 3, 40)),
        lambda: calendar.business_days(day, min(day + dt.timedelta(days=20), calendar.last)),
    ):
        try:
            found.append(ask())
        except Exception as error:  # the same refusal at the coverage's ends
            found.append(type(error).__name__)
    return found


@pytest.mark.parametrize("name", ["prc", "sse"])
@pytest.mark.parametrize("overrides", [(), OVERRIDES], ids=["shipped", "overridden"])
def test_every_answer_is_the_whole_calendars(name, overrides) -> None:
    last = notice_span(max(reviewed_years()))[1]
    near = [last + dt.timedelta(days=k) for k in range(-45, 46)]
    first, end = D(_calendar.FIRST_YEAR, 1, 1), D(_calendar.LAST_YEAR, 12, 31)
    spread = [first + dt.timedelta(days=k) for k in range(0, (end - first).days + 1, 61)]
    days = sorted({*near, *spread, first, end, D(2030, 3, 4), D(2024, 3, 8)})
    lazy = BusinessCalendar(name, overrides)
    whole = _whole(BusinessCalendar(name, overrides))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for day in days:
            assert _answers(lazy, day) == _answers(whole, day), day
    assert "_sessions" in lazy.__dict__  # the later years were reached, and built


def test_a_deadline_in_a_reviewed_year_builds_no_later_year() -> None:
    _calendar.package_mismatch.cache_clear()
    try:
        with mock.patch.object(_calendar, "_schedule", side_effect=AssertionError("built")):
            calendar = BusinessCalendar("prc")
            deadline = deadline_for("2022Q2", calendar)
            assert calendar.roll(D(2025, 12, 20)) == D(2025, 12, 22)
            assert not calendar.is_business_day(D(2026, 10, 1))
        assert deadline.date == D(2022, 7, 11) and deadline.calendar_status == "published"
        assert "_sessions" not in calendar.__dict__
    finally:
        _calendar.package_mismatch.cache_clear()
