"""Published years: shipped reviewed notices, checked against the holidays package at run time."""

from __future__ import annotations

import datetime as dt

import holidays
import pytest

from calendars import (
    PUBLISHED_NOTICES,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    _calendar,
    china,
    deadline_for,
    sse,
)

D = dt.date
# Tuesday 5 March 2024: a working day in 国办发明电〔2023〕7号
DRIFT = D(2024, 3, 5)


@pytest.fixture
def drifted_holidays(monkeypatch):
    """``holidays.China`` with one day off the 2024 notice does not give."""
    real = holidays.China

    def china_with_drift(*args, **kwargs):
        cal = real(*args, **kwargs)
        if 2024 in cal.years:
            cal[DRIFT] = "not in the notice"
        return cal

    _calendar.package_mismatch.cache_clear()
    _calendar._package_schedule.cache_clear()
    monkeypatch.setattr(holidays, "China", china_with_drift)
    yield
    monkeypatch.undo()
    _calendar.package_mismatch.cache_clear()
    _calendar._package_schedule.cache_clear()


def test_published_years_are_2001_to_2026_each_with_its_notice() -> None:
    assert sorted(PUBLISHED_NOTICES) == list(range(2001, 2027))
    for year, url in PUBLISHED_NOTICES.items():
        assert url.startswith(("https://www.gov.cn/", "https://zh.wikisource.org/")), year


def test_years_after_the_list_are_provisional() -> None:
    assert china().year_status(2027) == "provisional"
    assert china().year_status(2026) == "published"
    assert china().year_status(2001) == "published"


def test_holidays_package_disagreeing_makes_the_year_not_published(drifted_holidays) -> None:
    cal = china()
    assert cal.year_status(2024) == "provisional"
    assert cal.year_status(2023) == "published"
    assert cal.year_status(2025) == "published"
    # the reviewed days are still the ones used, with a warning naming the day
    with pytest.warns(ProvisionalCalendarWarning, match="2024-03-05"):
        assert cal.is_business_day(DRIFT)
    with pytest.warns(ProvisionalCalendarWarning, match="2024"):
        result = deadline_for("2023Q4")  # 10 January 2024, a Wednesday
    assert (result.date, result.calendar_status) == (D(2024, 1, 10), "provisional")
    with pytest.raises(ProvisionalCalendarError, match="2024-03-05"):
        china(strict=True).is_business_day(D(2024, 3, 4))
    with pytest.warns(ProvisionalCalendarWarning, match="sse calendar for 2024"):
        sse().is_business_day(D(2024, 3, 4))


def test_status_is_published_again_once_the_package_agrees() -> None:
    # runs without the drift: the caches the drift test cleared hold agreement again
    assert china().year_status(2024) == "published"
