"""The published-years list agrees with what the holidays package knows."""

from __future__ import annotations

from holidays.countries.china import ChinaStaticHolidays

from calendars import PUBLISHED_NOTICES, china


def test_published_years_match_holidays_package() -> None:
    known = set(ChinaStaticHolidays.special_public_holidays)
    listed = set(PUBLISHED_NOTICES)
    assert known - listed == set(), "holidays knows years relend does not list as published"
    assert listed - known == set(), "relend lists years holidays has no notice for"


def test_every_published_year_names_its_notice() -> None:
    for year, url in PUBLISHED_NOTICES.items():
        assert url.startswith("https://"), year
        assert str(year) in url or "gongbao" in url, year


def test_years_after_the_list_are_provisional() -> None:
    last = max(PUBLISHED_NOTICES)
    assert china().year_status(last + 1) == "provisional"
    assert china().year_status(last) == "published"
