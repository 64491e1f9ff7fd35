"""Golden PRC working-day schedules, one test per year, copied from each State Council notice.

Each entry lists the day ranges off (放假) and the make-up working days (上班) exactly as
the notice states them; nothing here is derived from the ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt

import pytest

from calendars import china, sse

D = dt.date

NOTICES = {
    2020: {
        "notice": "国办发明电〔2019〕16号; extended by 国办发明电〔2020〕1号",
        "url": "https://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm",
        "off": [
            (D(2020, 1, 1), D(2020, 1, 1)),
            (D(2020, 1, 24), D(2020, 2, 2)),  # 春节, extended to 2 February
            (D(2020, 4, 4), D(2020, 4, 6)),
            (D(2020, 5, 1), D(2020, 5, 5)),
            (D(2020, 6, 25), D(2020, 6, 27)),
            (D(2020, 10, 1), D(2020, 10, 8)),
        ],
        # 1 February (Saturday) was a working day until the extension cancelled it
        "work": [D(2020, 1, 19), D(2020, 4, 26), D(2020, 5, 9), D(2020, 6, 28),
                 D(2020, 9, 27), D(2020, 10, 10)],
    },
    2021: {
        "notice": "国办发明电〔2020〕27号",
        "url": "https://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm",
        "off": [
            (D(2021, 1, 1), D(2021, 1, 3)),
            (D(2021, 2, 11), D(2021, 2, 17)),
            (D(2021, 4, 3), D(2021, 4, 5)),
            (D(2021, 5, 1), D(2021, 5, 5)),
            (D(2021, 6, 12), D(2021, 6, 14)),
            (D(2021, 9, 19), D(2021, 9, 21)),
            (D(2021, 10, 1), D(2021, 10, 7)),
        ],
        "work": [D(2021, 2, 7), D(2021, 2, 20), D(2021, 4, 25), D(2021, 5, 8),
                 D(2021, 9, 18), D(2021, 9, 26), D(2021, 10, 9)],
    },
    2022: {
        "notice": "国办发明电〔2021〕11号",
        "url": "https://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm",
        "off": [
            (D(2022, 1, 1), D(2022, 1, 3)),
            (D(2022, 1, 31), D(2022, 2, 6)),
            (D(2022, 4, 3), D(2022, 4, 5)),
            (D(2022, 4, 30), D(2022, 5, 4)),
            (D(2022, 6, 3), D(2022, 6, 5)),
            (D(2022, 9, 10), D(2022, 9, 12)),
            (D(2022, 10, 1), D(2022, 10, 7)),
        ],
        "work": [D(2022, 1, 29), D(2022, 1, 30), D(2022, 4, 2), D(2022, 4, 24),
                 D(2022, 5, 7), D(2022, 10, 8), D(2022, 10, 9)],
    },
    2023: {
        "notice": "国办发明电〔2022〕16号",
        "url": "https://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm",
        "off": [
            (D(2023, 1, 1), D(2023, 1, 2)),  # from 31 December 2022
            (D(2023, 1, 21), D(2023, 1, 27)),
            (D(2023, 4, 5), D(2023, 4, 5)),
            (D(2023, 4, 29), D(2023, 5, 3)),
            (D(2023, 6, 22), D(2023, 6, 24)),
            (D(2023, 9, 29), D(2023, 10, 6)),
        ],
        "work": [D(2023, 1, 28), D(2023, 1, 29), D(2023, 4, 23), D(2023, 5, 6),
                 D(2023, 6, 25), D(2023, 10, 7), D(2023, 10, 8)],
    },
    2024: {
        "notice": "国办发明电〔2023〕7号",
        "url": "https://www.gov.cn/zhengce/content/202310/content_6911527.htm",
        "off": [
            (D(2024, 1, 1), D(2024, 1, 1)),
            (D(2024, 2, 10), D(2024, 2, 17)),
            (D(2024, 4, 4), D(2024, 4, 6)),
            (D(2024, 5, 1), D(2024, 5, 5)),
            (D(2024, 6, 10), D(2024, 6, 10)),
            (D(2024, 9, 15), D(2024, 9, 17)),
            (D(2024, 10, 1), D(2024, 10, 7)),
        ],
        "work": [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28),
                 D(2024, 5, 11), D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)],
    },
    2025: {
        "notice": "国办发明电〔2024〕12号",
        "url": "https://www.gov.cn/zhengce/content/202411/content_6986383.htm",
        "off": [
            (D(2025, 1, 1), D(2025, 1, 1)),
            (D(2025, 1, 28), D(2025, 2, 4)),
            (D(2025, 4, 4), D(2025, 4, 6)),
            (D(2025, 5, 1), D(2025, 5, 5)),
            (D(2025, 5, 31), D(2025, 6, 2)),
            (D(2025, 10, 1), D(2025, 10, 8)),
        ],
        "work": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28),
                 D(2025, 10, 11)],
    },
    2026: {
        "notice": "国办发明电〔2025〕7号",
        "url": "https://www.gov.cn/zhengce/content/202511/content_7048916.htm",
        "off": [
            (D(2026, 1, 1), D(2026, 1, 3)),
            (D(2026, 2, 15), D(2026, 2, 23)),
            (D(2026, 4, 4), D(2026, 4, 6)),
            (D(2026, 5, 1), D(2026, 5, 5)),
            (D(2026, 6, 19), D(2026, 6, 21)),
            (D(2026, 9, 25), D(2026, 9, 27)),
            (D(2026, 10, 1), D(2026, 10, 7)),
        ],
        "work": [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9),
                 D(2026, 9, 20), D(2026, 10, 10)],
    },
}  # fmt: skip


def _days_of(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(n) for n in range((D(year + 1, 1, 1) - first).days)]


def _expected_open(year: int, exchange: bool) -> dict[dt.date, bool]:
    notice = NOTICES[year]
    off = {
        start + dt.timedelta(n)
        for start, end in notice["off"]
        for n in range((end - start).days + 1)
    }
    work = set(notice["work"])
    return {
        day: (day.weekday() < 5 and day not in off) or (not exchange and day in work)
        for day in _days_of(year)
    }


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_prc_year_matches_notice(year: int) -> None:
    cal = china()
    expected = _expected_open(year, exchange=False)
    actual = {day: cal.is_business_day(day) for day in expected}
    wrong = {day.isoformat(): actual[day] for day in expected if actual[day] != expected[day]}
    assert wrong == {}, f"{year} differs from {NOTICES[year]['notice']}"
    assert cal.year_status(year) == "published"


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_sse_year_closes_every_weekend(year: int) -> None:
    cal = sse()
    expected = _expected_open(year, exchange=True)
    wrong = [day for day, is_open in expected.items() if cal.is_business_day(day) != is_open]
    assert wrong == []


def test_make_up_saturdays_are_business_days_on_prc_only() -> None:
    for day in (D(2020, 10, 10), D(2026, 10, 10)):
        assert day.weekday() == 5
        assert china().is_business_day(day)
        assert not sse().is_business_day(day)
