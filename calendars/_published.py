"""Years whose State Council holiday notice is in the calendar data.

Reviewed data, one line per year: the year and the notice of the General Office of the
State Council (国务院办公厅关于 YYYY 年部分节假日安排的通知) that fixes its holidays and
make-up working days. A year listed here has status ``published``; any other covered
year is ``provisional``. ``tests/calendars/test_published.py`` fails when the
``holidays`` package knows a year this list lacks, or this list claims one it lacks,
so that a new notice is reviewed here before relend calls its year published.

Add a year only after checking its notice against ``holidays.China`` for that year
(and add its golden test in ``tests/calendars/test_prc_years.py``).
"""

from __future__ import annotations

from types import MappingProxyType

_GONGBAO = "https://www.gov.cn/gongbao/content"
_WIKISOURCE = "https://zh.wikisource.org/wiki"

PUBLISHED_NOTICES: MappingProxyType[int, str] = MappingProxyType(
    {
        2001: f"{_WIKISOURCE}/国务院办公厅关于2001年春节、“五一”、“十一”放假安排的通知",
        2002: f"{_WIKISOURCE}/国务院办公厅关于2002年部分节假日休息安排的通知",
        2003: f"{_WIKISOURCE}/国务院办公厅关于2003年部分节假日休息安排的通知",
        2004: f"{_WIKISOURCE}/国务院办公厅关于2004年部分节假日安排的通知",
        2005: f"{_WIKISOURCE}/国务院办公厅关于2005年部分节假日安排的通知",
        2006: f"{_WIKISOURCE}/国务院办公厅关于2006年部分节假日安排的通知",
        2007: f"{_GONGBAO}/2007/content_503397.htm",
        2008: f"{_GONGBAO}/2008/content_859870.htm",
        2009: f"{_GONGBAO}/2008/content_1175823.htm",
        2010: f"{_GONGBAO}/2009/content_1487011.htm",
        2011: f"{_GONGBAO}/2010/content_1765282.htm",
        2012: f"{_GONGBAO}/2011/content_2020918.htm",
        2013: f"{_GONGBAO}/2012/content_2292057.htm",
        2014: f"{_GONGBAO}/2014/content_2561299.htm",
        2015: f"{_GONGBAO}/2015/content_2799019.htm",
        2016: f"{_GONGBAO}/2016/content_2979719.htm",
        2017: f"{_GONGBAO}/2016/content_5148793.htm",
        2018: f"{_GONGBAO}/2017/content_5248221.htm",
        2019: f"{_GONGBAO}/2018/content_5350046.htm",
        2020: f"{_GONGBAO}/2019/content_5459138.htm",
        2021: f"{_GONGBAO}/2020/content_5567750.htm",
        2022: f"{_GONGBAO}/2021/content_5651728.htm",
        2023: f"{_GONGBAO}/2023/content_5736714.htm",
        2024: "https://www.gov.cn/gongbao/2023/issue_10806/202311/content_6913823.html",
        2025: "https://www.gov.cn/gongbao/2024/issue_11726/202411/content_6989767.html",
        2026: "https://www.gov.cn/gongbao/2025/issue_12406/202511/content_7048922.html",
    }
)
