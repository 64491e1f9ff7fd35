"""Published years: shipped reviewed notices, checked against the holidays package at run time."""

from __future__ import annotations

import datetime as dt
import re

import holidays
import pytest

from calendars import (
    PUBLISHED_NOTICES,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    _calendar,
    _reviewed,
    deadline_for,
    get_calendar,
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


def _gongbao_issue(url: str) -> tuple[int, int]:
    """The Gazette's issue year and the page's content number in a gov.cn/gongbao URL."""
    match = re.fullmatch(
        r"https://www\.gov\.cn/gongbao/(?:content/)?(\d{4})/(?:issue_\d+/\d{6}/)?"
        r"content_(\d+)\.html?",
        url,
    )
    assert match, url
    return int(match[1]), int(match[2])


def test_every_published_year_links_its_own_notice() -> None:
    # The notice fixing year Y's holidays is issued in November or December of Y - 1
    # and printed in the State Council Gazette of Y - 1 or early Y; the Gazette numbers
    # its pages in publication order, so a later year's notice has a larger number. A
    # link copied from another year breaks one of these.
    gazette = {}
    for year, url in PUBLISHED_NOTICES.items():
        if url.startswith("https://zh.wikisource.org/wiki/"):
            title = url.removeprefix("https://zh.wikisource.org/wiki/")
            assert title.startswith(f"国务院办公厅关于{year}年"), (year, title)
            assert title.endswith("的通知"), (year, title)
        else:
            issue, number = _gongbao_issue(url)
            assert issue in (year - 1, year), (year, url)
            gazette[year] = number
    years = sorted(gazette)
    assert [gazette[y] for y in years] == sorted(gazette.values())
    assert len(set(PUBLISHED_NOTICES.values())) == len(PUBLISHED_NOTICES)


def test_years_after_the_list_are_provisional() -> None:
    assert get_calendar("prc").year_status(2027) == "provisional"
    assert get_calendar("prc").year_status(2026) == "published"
    assert get_calendar("prc").year_status(2001) == "published"


def test_holidays_package_disagreeing_makes_the_year_not_published(drifted_holidays) -> None:
    cal = get_calendar("prc")
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
        get_calendar("prc", strict=True).is_business_day(D(2024, 3, 4))
    with pytest.warns(
        ProvisionalCalendarWarning, match="Shanghai Stock Exchange trading calendar for 2024"
    ):
        get_calendar("sse").is_business_day(D(2024, 3, 4))


def test_status_is_published_again_once_the_package_agrees() -> None:
    # runs without the drift: the caches the drift test cleared hold agreement again
    assert get_calendar("prc").year_status(2024) == "published"


def test_an_old_holidays_package_cannot_move_a_published_deadline(monkeypatch) -> None:
    # holidays releases before 0.85 lack the 2026 notice: no make-up Saturday 10 October
    real = holidays.China

    def china_without_2026(*args, **kwargs):
        cal = real(*args, **kwargs)
        cal.weekend_workdays.discard(D(2026, 10, 10))
        return cal

    _calendar.package_mismatch.cache_clear()
    _calendar._package_schedule.cache_clear()
    monkeypatch.setattr(holidays, "China", china_without_2026)
    try:
        with pytest.warns(ProvisionalCalendarWarning, match="2026-10-10"):
            result = deadline_for("2026Q3")
        # 国办发明电〔2025〕7号: Saturday 10 October 2026 is a working day
        assert (result.date, result.calendar_status) == (D(2026, 10, 10), "provisional")
    finally:
        monkeypatch.undo()
        _calendar.package_mismatch.cache_clear()
        _calendar._package_schedule.cache_clear()


@pytest.mark.parametrize(
    ("holiday", "fragment"),
    [
        ({"name": "x", "off": [D(2024, 5, 1), D(2024, 5, 5)], "work": [D(2024, 5, 6)]}, "weekday"),
        ({"name": "x", "off": [D(2024, 12, 30), D(2024, 12, 31)]}, "outside"),
        ({"name": "x", "off": ["2024-05-01", D(2024, 5, 5)]}, "not a TOML date"),
    ],
)
def test_shipped_data_that_breaks_its_format_is_refused(holiday, fragment) -> None:
    raw = {"year": 2024, "title": "t", "url": "u", "holiday": [holiday]}
    with pytest.raises(_reviewed.ReviewedDataError, match=fragment):
        _reviewed._year(raw, "prc_2024.toml")


def test_exchange_closures_are_weekdays_with_a_notice() -> None:
    for closure in _reviewed.exchange_closures():
        assert closure.notice
        assert all(day.weekday() < 5 for day in closure.days)
