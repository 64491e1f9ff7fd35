"""The calendars' warning in Chinese, and the English one unchanged.

A broken implementation this fails: the warning text left unmarked or formatted before
the language is set (English in Chinese mode), or its English id edited.
"""

from __future__ import annotations

import datetime as dt
import warnings

from calendars import ProvisionalCalendarWarning, get_calendar
from calendars._language import using_language
from tests.language import english_prose

# 2040 has no reviewed State Council notice in the package (published: 2001-2026)
FAR = dt.date(2040, 3, 5)


def _warning() -> str:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        get_calendar("prc").is_business_day(FAR)
    found = [w for w in caught if issubclass(w.category, ProvisionalCalendarWarning)]
    assert len(found) == 1, [str(w.message) for w in caught]
    return str(found[0].message)


def test_provisional_year_warning_in_english() -> None:
    assert _warning() == (
        "the PRC working-day calendar for 2040 is provisional: no State Council notice is in "
        "the data "
        "yet, holidays are a rule-based estimate"
    )


def test_provisional_year_warning_in_chinese() -> None:
    with using_language("zh"):
        text = _warning()
    assert english_prose(text) == [], text
    assert text == (
        "中国内地工作日历 2040 年的节假日安排为暂定：数据中尚无国务院办公厅通知，"
        "节假日为按规则推算的估计"
    )
