"""Status at the edges: late December, ranges, bounds and overrides given twice."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from calendars import (
    CalendarError,
    DateOutOfBoundsError,
    ProvisionalCalendarWarning,
    YearOverride,
    _calendar,
    get_calendar,
)

D = dt.date


@pytest.fixture
def drift_2019(monkeypatch):
    """``holidays.China`` with Tuesday 5 March 2019 off, which the 2019 notice does not give."""
    real = holidays.China

    def china_with_drift(*args, **kwargs):
        cal = real(*args, **kwargs)
        if 2019 in cal.years:
            cal[D(2019, 3, 5)] = "not in the notice"
        return cal

    _calendar.package_mismatch.cache_clear()
    _calendar._package_schedule.cache_clear()
    monkeypatch.setattr(holidays, "China", china_with_drift)
    yield
    monkeypatch.undo()
    _calendar.package_mismatch.cache_clear()
    _calendar._package_schedule.cache_clear()


def test_late_december_waits_for_the_next_years_notice() -> None:
    # the 2027 notice is not out: it may move 26-31 December 2026 as the 2019 notice
    # moved 29 and 31 December 2018
    with pytest.warns(ProvisionalCalendarWarning, match="2027"):
        assert get_calendar("prc").is_business_day(D(2026, 12, 28))
    assert get_calendar("prc").worst_status(D(2026, 12, 28)) == "provisional"
    assert get_calendar("prc").worst_status(D(2026, 12, 23)) == "published"
    assert get_calendar("prc").is_business_day(
        D(2026, 12, 23)
    )  # no warning: pytest makes it an error


def test_late_december_moved_by_the_next_notice_follows_its_status(drift_2019) -> None:
    # Saturday 29 December 2018 is a working day by the 2019 notice (国办发明电〔2018〕15号)
    cal = get_calendar("prc")
    assert cal.year_status(2018) == "published"
    assert cal.year_status(2019) == "provisional"
    assert cal.worst_status(D(2018, 12, 29)) == "provisional"
    assert cal.worst_status(D(2018, 12, 20)) == "published"


def test_reviewed_new_year_make_up_days_in_december() -> None:
    cal = get_calendar("prc")
    assert cal.is_business_day(D(2018, 12, 29))  # Saturday, for New Year 2019
    assert not cal.is_business_day(D(2018, 12, 31))  # Monday, off
    assert cal.is_business_day(D(2011, 12, 31))  # Saturday, for New Year 2012
    assert cal.is_business_day(D(2005, 12, 31))  # Saturday, for New Year 2006
    assert not get_calendar("sse").is_business_day(D(2018, 12, 29))


def test_status_over_a_range_checks_every_year_in_it(drift_2019) -> None:
    cal = get_calendar("prc")
    assert cal.worst_status(D(2018, 6, 1)) == "published"
    assert cal.worst_status(D(2020, 6, 1)) == "published"
    assert cal.worst_status(D(2018, 6, 1), D(2020, 6, 1)) == "provisional"
    with pytest.warns(ProvisionalCalendarWarning, match="2019"):
        cal.business_days(D(2018, 6, 1), D(2020, 6, 1))
    with pytest.warns(ProvisionalCalendarWarning, match="2019"):
        cal.add_business_days(D(2018, 6, 1), 400)


@pytest.mark.parametrize("year", [2000, 2061])
def test_status_of_a_year_outside_the_bounds_is_out_of_bounds(year: int) -> None:
    with pytest.raises(DateOutOfBoundsError, match=f"year={year}"):
        get_calendar("prc").year_status(year)
    with pytest.raises(DateOutOfBoundsError, match=f"year={year}"):
        get_calendar("prc").source(year)


def _override(year: int, source: str) -> YearOverride:
    return YearOverride(year, frozenset(), frozenset(), source)


def test_two_overrides_for_the_same_year_are_refused() -> None:
    with pytest.raises(CalendarError, match=r"2027.*at most once"):
        get_calendar("prc", overrides=[_override(2027, "a"), _override(2027, "b")])


def test_an_override_object_outside_the_bounds_is_refused() -> None:
    with pytest.raises(CalendarError, match=r"2061.*2001-2060"):
        get_calendar("prc", overrides=[_override(2061, "a")])


def test_override_may_move_late_december_of_the_year_before() -> None:
    # a made-up 2027 schedule: Saturday 26 December 2026 a make-up working day
    pinned = get_calendar(
        "prc", overrides=[YearOverride(2027, frozenset(), frozenset({D(2026, 12, 26)}), "test")]
    )
    assert pinned.is_business_day(D(2026, 12, 26))
    assert pinned.worst_status(D(2026, 12, 28)) == "override"
    assert pinned.worst_status(D(2026, 12, 23)) == "published"
