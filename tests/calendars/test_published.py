"""The published-years list agrees with what the holidays package knows."""

from __future__ import annotations

import re

from holidays.countries.china import ChinaStaticHolidays

from calendars import PUBLISHED_NOTICES, china


def test_published_years_match_holidays_package() -> None:
    known = set(ChinaStaticHolidays.special_public_holidays)
    listed = set(PUBLISHED_NOTICES)
    assert known - listed == set(), "holidays knows years relend does not list as published"
    assert listed - known == set(), "relend lists years holidays has no notice for"


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
    last = max(PUBLISHED_NOTICES)
    assert china().year_status(last + 1) == "provisional"
    assert china().year_status(last) == "published"
