"""Golden working-day schedules, one test per year 2001-2026, with the notice behind each.

Each entry lists the day ranges off (放假) and the make-up working days (上班) as the
State Council notice states them; nothing here is derived from relend's data files or
the ``holidays`` package at test time. 2020-2026 were copied from the notices; 2006,
2007 and the 2003 May holiday from the notice texts; the other years were drafted from
two independent compilations (the ``holidays`` package and ``chinesecalendar``), checked
to agree day by day, and corrected where a notice says otherwise (2005-12-31, a
make-up working day by 国办发明电〔2005〕35号, is missing from ``chinesecalendar``).

The same lists are the day-by-day reference of both calendars: ``prc`` opens weekdays
not off and the make-up days; ``sse`` opens weekdays not off and not closed by the
exchange's own notice (``SSE_ONLY``).
"""

from __future__ import annotations

import datetime as dt
import warnings

import pytest

from calendars import ProvisionalCalendarWarning, get_calendar

D = dt.date

NOTICES = {
    2001: {
        "notice": "国务院办公厅关于2001年春节、“五一”、“十一”放假安排的通知",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2001年春节、“五一”、“十一”放假安排的通知",
        "off": [
            (D(2001, 1, 1), D(2001, 1, 1)),  # 元旦
            (D(2001, 1, 24), D(2001, 1, 30)),  # 春节
            (D(2001, 5, 1), D(2001, 5, 7)),  # 劳动节
            (D(2001, 10, 1), D(2001, 10, 5)),  # 国庆节
        ],
        "work": [
            D(2001, 1, 20), D(2001, 1, 21), D(2001, 4, 28), D(2001, 4, 29),
            D(2001, 9, 29), D(2001, 9, 30),
        ],
    },
    2002: {
        "notice": "国务院办公厅关于2002年部分节假日休息安排的通知",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2002年部分节假日休息安排的通知",
        "off": [
            (D(2002, 1, 1), D(2002, 1, 3)),  # 元旦
            (D(2002, 2, 12), D(2002, 2, 18)),  # 春节
            (D(2002, 5, 1), D(2002, 5, 7)),  # 劳动节
            (D(2002, 10, 1), D(2002, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2001, 12, 29), D(2001, 12, 30), D(2002, 2, 9), D(2002, 2, 10),
            D(2002, 4, 27), D(2002, 4, 28), D(2002, 9, 28), D(2002, 9, 29),
        ],
    },
    2003: {
        "notice": "国务院办公厅关于2003年部分节假日休息安排的通知",
        "amended_by": "国务院办公厅关于2003年“五一”放假调休安排的通知（2003年4月21日）",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2003年部分节假日休息安排的通知",
        "off": [
            (D(2003, 1, 1), D(2003, 1, 1)),  # 元旦
            (D(2003, 2, 1), D(2003, 2, 7)),  # 春节
            (D(2003, 5, 1), D(2003, 5, 5)),  # 劳动节
            (D(2003, 10, 1), D(2003, 10, 7)),  # 国庆节
        ],
        "work": [D(2003, 2, 8), D(2003, 2, 9), D(2003, 9, 27), D(2003, 9, 28)],
    },
    2004: {
        "notice": "国务院办公厅关于2004年部分节假日安排的通知",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2004年部分节假日安排的通知",
        "off": [
            (D(2004, 1, 1), D(2004, 1, 1)),  # 元旦
            (D(2004, 1, 22), D(2004, 1, 28)),  # 春节
            (D(2004, 5, 1), D(2004, 5, 7)),  # 劳动节
            (D(2004, 10, 1), D(2004, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2004, 1, 17), D(2004, 1, 18), D(2004, 5, 8), D(2004, 5, 9),
            D(2004, 10, 9), D(2004, 10, 10),
        ],
    },
    2005: {
        "notice": "国务院办公厅关于2005年部分节假日安排的通知",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2005年部分节假日安排的通知",
        "off": [
            (D(2005, 1, 1), D(2005, 1, 3)),  # 元旦
            (D(2005, 2, 9), D(2005, 2, 15)),  # 春节
            (D(2005, 5, 1), D(2005, 5, 7)),  # 劳动节
            (D(2005, 10, 1), D(2005, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2005, 2, 5), D(2005, 2, 6), D(2005, 4, 30), D(2005, 5, 8),
            D(2005, 10, 8), D(2005, 10, 9),
        ],
    },
    2006: {
        # checked against the notice text
        "notice": "国务院办公厅关于2006年部分节假日安排的通知; 国办发明电〔2005〕35号",
        "url": "https://zh.wikisource.org/wiki/国务院办公厅关于2006年部分节假日安排的通知",
        "off": [
            (D(2006, 1, 1), D(2006, 1, 3)),  # 元旦
            (D(2006, 1, 29), D(2006, 2, 4)),  # 春节
            (D(2006, 5, 1), D(2006, 5, 7)),  # 劳动节
            (D(2006, 10, 1), D(2006, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2005, 12, 31), D(2006, 1, 28), D(2006, 2, 5), D(2006, 4, 29),
            D(2006, 4, 30), D(2006, 9, 30), D(2006, 10, 8),
        ],
    },
    2007: {
        # checked against the notice text
        "notice": "国务院办公厅关于2007年部分节假日安排的通知; 国办发明电〔2006〕49号",
        "url": "https://www.gov.cn/gongbao/content/2007/content_503397.htm",
        "off": [
            (D(2007, 1, 1), D(2007, 1, 3)),  # 元旦
            (D(2007, 2, 18), D(2007, 2, 24)),  # 春节
            (D(2007, 5, 1), D(2007, 5, 7)),  # 劳动节
            (D(2007, 10, 1), D(2007, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2006, 12, 30), D(2006, 12, 31), D(2007, 2, 17), D(2007, 2, 25),
            D(2007, 4, 28), D(2007, 4, 29), D(2007, 9, 29), D(2007, 9, 30),
        ],
    },
    2008: {
        "notice": "国务院办公厅关于2008年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2008/content_859870.htm",
        "off": [
            (D(2007, 12, 30), D(2008, 1, 1)),  # 元旦
            (D(2008, 2, 6), D(2008, 2, 12)),  # 春节
            (D(2008, 4, 4), D(2008, 4, 6)),  # 清明节
            (D(2008, 5, 1), D(2008, 5, 3)),  # 劳动节
            (D(2008, 6, 7), D(2008, 6, 9)),  # 端午节
            (D(2008, 9, 13), D(2008, 9, 15)),  # 中秋节
            (D(2008, 9, 29), D(2008, 10, 5)),  # 国庆节
        ],
        "work": [
            D(2007, 12, 29), D(2008, 2, 2), D(2008, 2, 3), D(2008, 5, 4),
            D(2008, 9, 27), D(2008, 9, 28),
        ],
    },
    2009: {
        "notice": "国务院办公厅关于2009年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2008/content_1175823.htm",
        "off": [
            (D(2009, 1, 1), D(2009, 1, 3)),  # 元旦
            (D(2009, 1, 25), D(2009, 1, 31)),  # 春节
            (D(2009, 4, 4), D(2009, 4, 6)),  # 清明节
            (D(2009, 5, 1), D(2009, 5, 3)),  # 劳动节
            (D(2009, 5, 28), D(2009, 5, 30)),  # 端午节
            (D(2009, 10, 1), D(2009, 10, 8)),  # 国庆节、中秋节
        ],
        "work": [
            D(2009, 1, 4), D(2009, 1, 24), D(2009, 2, 1), D(2009, 5, 31),
            D(2009, 9, 27), D(2009, 10, 10),
        ],
    },
    2010: {
        # checked against the notice text
        "notice": "国务院办公厅关于2010年部分节假日安排的通知; 国办发明电〔2009〕27号",
        "url": "https://www.gov.cn/gongbao/content/2009/content_1487011.htm",
        "off": [
            (D(2010, 1, 1), D(2010, 1, 3)),  # 元旦
            (D(2010, 2, 13), D(2010, 2, 19)),  # 春节
            (D(2010, 4, 3), D(2010, 4, 5)),  # 清明节
            (D(2010, 5, 1), D(2010, 5, 3)),  # 劳动节
            (D(2010, 6, 14), D(2010, 6, 16)),  # 端午节
            (D(2010, 9, 22), D(2010, 9, 24)),  # 中秋节
            (D(2010, 10, 1), D(2010, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2010, 2, 20), D(2010, 2, 21), D(2010, 6, 12), D(2010, 6, 13),
            D(2010, 9, 19), D(2010, 9, 25), D(2010, 9, 26), D(2010, 10, 9),
        ],
    },
    2011: {
        "notice": "国务院办公厅关于2011年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2010/content_1765282.htm",
        "off": [
            (D(2011, 1, 1), D(2011, 1, 3)),  # 元旦
            (D(2011, 2, 2), D(2011, 2, 8)),  # 春节
            (D(2011, 4, 3), D(2011, 4, 5)),  # 清明节
            (D(2011, 4, 30), D(2011, 5, 2)),  # 劳动节
            (D(2011, 6, 4), D(2011, 6, 6)),  # 端午节
            (D(2011, 9, 10), D(2011, 9, 12)),  # 中秋节
            (D(2011, 10, 1), D(2011, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2011, 1, 30), D(2011, 2, 12), D(2011, 4, 2), D(2011, 10, 8),
            D(2011, 10, 9),
        ],
    },
    2012: {
        # checked against the notice text
        "notice": "国务院办公厅关于2012年部分节假日安排的通知; 国办发明电〔2011〕45号",
        "url": "https://www.gov.cn/gongbao/content/2011/content_2020918.htm",
        "off": [
            (D(2012, 1, 1), D(2012, 1, 3)),  # 元旦
            (D(2012, 1, 22), D(2012, 1, 28)),  # 春节
            (D(2012, 4, 2), D(2012, 4, 4)),  # 清明节
            (D(2012, 4, 29), D(2012, 5, 1)),  # 劳动节
            (D(2012, 6, 22), D(2012, 6, 24)),  # 端午节
            (D(2012, 9, 30), D(2012, 10, 7)),  # 中秋节、国庆节
        ],
        "work": [
            D(2011, 12, 31), D(2012, 1, 21), D(2012, 1, 29), D(2012, 3, 31),
            D(2012, 4, 1), D(2012, 4, 28), D(2012, 9, 29),
        ],
    },
    2013: {
        "notice": "国务院办公厅关于2013年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2012/content_2292057.htm",
        "off": [
            (D(2013, 1, 1), D(2013, 1, 3)),  # 元旦
            (D(2013, 2, 9), D(2013, 2, 15)),  # 春节
            (D(2013, 4, 4), D(2013, 4, 6)),  # 清明节
            (D(2013, 4, 29), D(2013, 5, 1)),  # 劳动节
            (D(2013, 6, 10), D(2013, 6, 12)),  # 端午节
            (D(2013, 9, 19), D(2013, 9, 21)),  # 中秋节
            (D(2013, 10, 1), D(2013, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2013, 1, 5), D(2013, 1, 6), D(2013, 2, 16), D(2013, 2, 17),
            D(2013, 4, 7), D(2013, 4, 27), D(2013, 4, 28), D(2013, 6, 8),
            D(2013, 6, 9), D(2013, 9, 22), D(2013, 9, 29), D(2013, 10, 12),
        ],
    },
    2014: {
        "notice": "国务院办公厅关于2014年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2014/content_2561299.htm",
        "off": [
            (D(2014, 1, 1), D(2014, 1, 1)),  # 元旦
            (D(2014, 1, 31), D(2014, 2, 6)),  # 春节
            (D(2014, 4, 5), D(2014, 4, 7)),  # 清明节
            (D(2014, 5, 1), D(2014, 5, 3)),  # 劳动节
            (D(2014, 6, 2), D(2014, 6, 2)),  # 端午节
            (D(2014, 9, 8), D(2014, 9, 8)),  # 中秋节
            (D(2014, 10, 1), D(2014, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2014, 1, 26), D(2014, 2, 8), D(2014, 5, 4), D(2014, 9, 28),
            D(2014, 10, 11),
        ],
    },
    2015: {
        "notice": "国务院办公厅关于2015年部分节假日安排的通知",
        "amended_by": (
            "国务院关于中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日调休放假的通知"
            "（2015年5月13日）"
        ),
        "url": "https://www.gov.cn/gongbao/content/2015/content_2799019.htm",
        "off": [
            (D(2015, 1, 1), D(2015, 1, 3)),  # 元旦
            (D(2015, 2, 18), D(2015, 2, 24)),  # 春节
            (D(2015, 4, 5), D(2015, 4, 6)),  # 清明节
            (D(2015, 5, 1), D(2015, 5, 1)),  # 劳动节
            (D(2015, 6, 20), D(2015, 6, 22)),  # 端午节
            (D(2015, 9, 3), D(2015, 9, 4)),  # 中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日
            (D(2015, 9, 27), D(2015, 9, 27)),  # 中秋节
            (D(2015, 10, 1), D(2015, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2015, 1, 4), D(2015, 2, 15), D(2015, 2, 28), D(2015, 9, 6),
            D(2015, 10, 10),
        ],
    },
    2016: {
        "notice": "国务院办公厅关于2016年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2016/content_2979719.htm",
        "off": [
            (D(2016, 1, 1), D(2016, 1, 1)),  # 元旦
            (D(2016, 2, 7), D(2016, 2, 13)),  # 春节
            (D(2016, 4, 4), D(2016, 4, 4)),  # 清明节
            (D(2016, 5, 1), D(2016, 5, 2)),  # 劳动节
            (D(2016, 6, 9), D(2016, 6, 11)),  # 端午节
            (D(2016, 9, 15), D(2016, 9, 17)),  # 中秋节
            (D(2016, 10, 1), D(2016, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2016, 2, 6), D(2016, 2, 14), D(2016, 6, 12), D(2016, 9, 18),
            D(2016, 10, 8), D(2016, 10, 9),
        ],
    },
    2017: {
        "notice": "国务院办公厅关于2017年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2016/content_5148793.htm",
        "off": [
            (D(2017, 1, 1), D(2017, 1, 2)),  # 元旦
            (D(2017, 1, 27), D(2017, 2, 2)),  # 春节
            (D(2017, 4, 2), D(2017, 4, 4)),  # 清明节
            (D(2017, 5, 1), D(2017, 5, 1)),  # 劳动节
            (D(2017, 5, 28), D(2017, 5, 30)),  # 端午节
            (D(2017, 10, 1), D(2017, 10, 8)),  # 国庆节、中秋节
        ],
        "work": [
            D(2017, 1, 22), D(2017, 2, 4), D(2017, 4, 1), D(2017, 5, 27),
            D(2017, 9, 30),
        ],
    },
    2018: {
        "notice": "国务院办公厅关于2018年部分节假日安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2017/content_5248221.htm",
        "off": [
            (D(2018, 1, 1), D(2018, 1, 1)),  # 元旦
            (D(2018, 2, 15), D(2018, 2, 21)),  # 春节
            (D(2018, 4, 5), D(2018, 4, 7)),  # 清明节
            (D(2018, 4, 29), D(2018, 5, 1)),  # 劳动节
            (D(2018, 6, 18), D(2018, 6, 18)),  # 端午节
            (D(2018, 9, 24), D(2018, 9, 24)),  # 中秋节
            (D(2018, 10, 1), D(2018, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2018, 2, 11), D(2018, 2, 24), D(2018, 4, 8), D(2018, 4, 28),
            D(2018, 9, 29), D(2018, 9, 30),
        ],
    },
    2019: {
        "notice": "国务院办公厅关于2019年部分节假日安排的通知",
        # 劳动节 as changed by 国办发明电〔2019〕3号 (2019-03-22): 5月1日至4日放假调休,
        # 4月28日（星期日）、5月5日（星期日）上班
        "amended_by": "国务院办公厅关于调整2019年劳动节假期安排的通知",
        "url": "https://www.gov.cn/gongbao/content/2018/content_5350046.htm",
        "off": [
            (D(2018, 12, 30), D(2019, 1, 1)),  # 元旦
            (D(2019, 2, 4), D(2019, 2, 10)),  # 春节
            (D(2019, 4, 5), D(2019, 4, 7)),  # 清明节
            (D(2019, 5, 1), D(2019, 5, 4)),  # 劳动节
            (D(2019, 6, 7), D(2019, 6, 9)),  # 端午节
            (D(2019, 9, 13), D(2019, 9, 15)),  # 中秋节
            (D(2019, 10, 1), D(2019, 10, 7)),  # 国庆节
        ],
        "work": [
            D(2018, 12, 29), D(2019, 2, 2), D(2019, 2, 3), D(2019, 4, 28),
            D(2019, 5, 5), D(2019, 9, 29), D(2019, 10, 12),
        ],
    },
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

# Weekdays the exchange closed that the State Council had not given off.
SSE_ONLY = {
    # 上海证券交易所关于2004年元旦、春节、五一、十一休市安排的通知（2003年12月24日）:
    # 春节休市 1月19日至1月28日
    D(2004, 1, 19), D(2004, 1, 20), D(2004, 1, 21),
    # 2005 春节休市 2月7日至2月15日
    D(2005, 2, 7), D(2005, 2, 8),
    # 2006 春节休市 1月26日至2月3日（7个交易日）
    D(2006, 1, 26), D(2006, 1, 27),
    # 上海证券交易所关于2024年部分节假日休市安排的通知（2023年12月26日）: 2月9日至17日休市
    D(2024, 2, 9),
}  # fmt: skip


def _days_of(year: int) -> list[dt.date]:
    first = D(year, 1, 1)
    return [first + dt.timedelta(n) for n in range((D(year + 1, 1, 1) - first).days)]


def _expected_open(year: int, exchange: bool) -> dict[dt.date, bool]:
    """Open or closed for every day of ``year``, from the lists of ``year`` and ``year + 1``.

    The next year's notice may move days of late December (make-up days for New Year).
    """
    off: set[dt.date] = set()
    work: set[dt.date] = set()
    for y in (year, year + 1):
        if y in NOTICES:
            off |= {
                start + dt.timedelta(n)
                for start, end in NOTICES[y]["off"]
                for n in range((end - start).days + 1)
            }
            work |= set(NOTICES[y]["work"])
    return {
        day: (day.weekday() < 5 and day not in off and not (exchange and day in SSE_ONLY))
        or (not exchange and day in work)
        for day in _days_of(year)
    }


def _actual_open(cal, days) -> dict[dt.date, bool]:
    # late December 2026 depends on the 2027 notice, not yet out: tested in test_published
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ProvisionalCalendarWarning)
        return {day: cal.is_business_day(day) for day in days}


def test_every_year_2001_to_2026_has_its_notice() -> None:
    assert sorted(NOTICES) == list(range(2001, 2027))


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_prc_year_matches_notice(year: int) -> None:
    cal = get_calendar("prc")
    expected = _expected_open(year, exchange=False)
    actual = _actual_open(cal, expected)
    wrong = {day.isoformat(): actual[day] for day in expected if actual[day] != expected[day]}
    assert wrong == {}, f"{year} differs from {NOTICES[year]['notice']}"
    assert cal.year_status(year) == "published"


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_sse_year_matches_notice_and_exchange_closures(year: int) -> None:
    cal = get_calendar("sse")
    expected = _expected_open(year, exchange=True)
    actual = _actual_open(cal, expected)
    wrong = {day.isoformat(): actual[day] for day in expected if actual[day] != expected[day]}
    assert wrong == {}, f"{year} differs from {NOTICES[year]['notice']}"


def test_make_up_saturdays_are_business_days_on_prc_only() -> None:
    for day in (D(2020, 10, 10), D(2026, 10, 10)):
        assert day.weekday() == 5
        assert get_calendar("prc").is_business_day(day)
        assert not get_calendar("sse").is_business_day(day)


def test_exchange_closed_on_new_years_eve_2024_when_the_interbank_market_worked() -> None:
    # Friday 9 February 2024: not in 国办发明电〔2023〕7号 (春节 10-17 February), but
    # closed by the exchange's notice of 26 December 2023
    assert get_calendar("prc").is_business_day(D(2024, 2, 9))
    assert not get_calendar("sse").is_business_day(D(2024, 2, 9))


def test_2003_may_holiday_follows_the_sars_notice() -> None:
    # 国务院办公厅 2003-04-21: 5月1日至3日法定假日, 5月3日（星期六）公休调至5月5日;
    # no long holiday, so 6 and 7 May are working days and 26-27 April a normal weekend
    cal = get_calendar("prc")
    assert not cal.is_business_day(D(2003, 5, 5))
    assert cal.is_business_day(D(2003, 5, 6)) and cal.is_business_day(D(2003, 5, 7))
    assert not cal.is_business_day(D(2003, 4, 26)) and not cal.is_business_day(D(2003, 4, 27))
    assert cal.year_status(2003) == "published"
