"""Ledger dates: parsing text columns to day numbers, and civil-date arithmetic.

Dates are int64 day numbers since 1970-01-01 throughout, computed with integer
arithmetic only (no datetime objects per row).

Notes
-----
Accepted dates: ``2022-04-01``, ``2022/04/01``, ``2022.04.01`` (common in Chinese
usage), ``20220401``, ``2022年4月1日``, each optionally followed by a midnight time
``00:00:00``, after Unicode NFKC (full-width digits and punctuation, ``２０２２－０４－０１``,
read as ASCII); ``datetime64`` columns holding midnights. A day past the month's end
(30 February) is invalid, never rolled over.
The calendar is the proleptic Gregorian one, by H. Hinnant's ``days_from_civil`` and
``civil_from_days``, read from tables computed once for the years that ledgers use.
"""

from __future__ import annotations

import datetime as dt
import functools

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .bytes import pair
from .compiled import kernels_for
from .text import TextColumn

_DATE_RE = (
    r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{4}\.\d{1,2}\.\d{1,2}|\d{8}"
    r"|\d{4}年\d{1,2}月\d{1,2}日)(?:[ T]00:00(?::00)?)?$"
)


def parse_dates(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Dates to int64 days since 1970-01-01, vectorized, with validity.

    Strings in the accepted formats, ``datetime64`` columns and ``datetime.date``
    objects are accepted; anything else is invalid (never guessed).

    Notes
    -----
    A column that repeats a few values (a quarter's days) is read once per distinct
    value (see :meth:`TextColumn.few_distinct`).
    ``YYYY-MM-DD`` strings (the common case) are read from the column's bytes; the other
    formats are checked against the accepted patterns, rewritten to ``Y-M-D`` and split
    with Arrow kernels. A day past the month's end (30 February) is invalid.
    """
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return _midnight_days(pd.Series(values))
    text = TextColumn.of(values)
    few = text.few_distinct()
    if few is not None:  # a ledger's dates repeat: each distinct one is read once
        distinct, at = few
        days, ok = _text_days(distinct)
        return days[at], ok[at]
    return _text_days(text)


def _text_days(text: TextColumn) -> tuple[np.ndarray, np.ndarray]:
    """:func:`parse_dates` of a text column."""
    text = text.nfkc().stripped()
    year, month, day, ok = _split_iso(text)
    rest = np.flatnonzero(~ok & ~text.missing)
    if len(rest):
        y, m, d, other_ok = _split_other(text.take(rest).array)
        year[rest], month[rest], day[rest], ok[rest] = y, m, d, other_ok
    days, valid = days_from_ymd(year, month, day)
    ok &= valid
    return days, ok


_TICKS_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}
"""Ticks in a day for each unit pandas keeps datetime64 columns in."""


def _midnight_days(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Days and validity of a ``datetime64`` column: midnights only, as in text (a time
    of day is never guessed away).

    Notes
    -----
    Checked on the column's int64 ticks: a value is a midnight when its ticks are a
    whole number of days in the column's unit (s, ms, us or ns), floor division
    handling days before 1970; NaT is invalid. A timezone-aware column is read on its
    wall clock (2022-04-01 00:00+08:00 is 2022-04-01), as the ledger wrote it.
    """
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype) and pa.types.is_date(dtype.pyarrow_dtype):
        # a notebook's date column (date32/date64[pyarrow]): days already, no time of day
        days32 = pa.array(values).cast(pa.date32()).cast(pa.int32())
        ok = ~np.asarray(days32.is_null(), dtype=bool)
        return np.asarray(days32.fill_null(0), dtype=np.int64), ok
    if values.dt.tz is not None:
        values = values.dt.tz_localize(None)
    stamps = values.to_numpy()
    unit, count = np.datetime_data(stamps.dtype)
    per_day = _TICKS_PER_DAY[unit] // count
    kernels = kernels_for(len(stamps))
    if kernels is not None:
        days, ok = np.empty(len(stamps), dtype=np.int64), np.empty(len(stamps), dtype=bool)
        kernels.midnight_days(stamps.view(np.int64), per_day, days, ok)
        return days, ok
    days, rest = np.divmod(stamps.view(np.int64), per_day)
    ok = (rest == 0) & ~np.isnat(stamps)
    return days * ok, ok  # 0 where not ok


def _split_iso(text: TextColumn) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of ``YYYY-MM-DD`` strings, read from the column's bytes.

    Rows of another shape come back not ok, for the general parser; their year, month
    and day are then meaningless.
    """
    rows, matrix = text.rows_of_width(10)
    century, decade = pair(matrix, 0), pair(matrix, 2)
    month, day = pair(matrix, 5), pair(matrix, 8)
    good = (matrix[:, 4] == ord("-")) & (matrix[:, 7] == ord("-"))
    good &= (century >= 0) & (decade >= 0) & (month >= 0) & (day >= 0)
    year = century.astype(np.int32) * 100 + decade
    if len(rows) == len(text):
        return year, month.astype(np.int32), day.astype(np.int32), good
    n = len(text)
    parts = (np.zeros(n, np.int32), np.zeros(n, np.int32), np.zeros(n, np.int32),
             np.zeros(n, dtype=bool))  # fmt: skip
    for whole, found in zip(parts, (year, month, day, good), strict=True):
        whole[rows] = found
    return parts


def _split_other(text: pa.Array) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day of the other accepted formats, by regular expressions."""
    ok = pc.fill_null(pc.match_substring_regex(text, _DATE_RE), False)
    text = pc.replace_substring_regex(text, r"[ T]00:00(?::00)?$", "")
    text = pc.replace_substring_regex(text, r"^(\d{4})(\d{2})(\d{2})$", r"\1-\2-\3")
    text = pc.replace_substring_regex(pc.replace_substring(text, "日", ""), "[/.年月]", "-")
    text = pc.if_else(ok, text, "1970-1-1")
    parts = pc.extract_regex(text, r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
    year, month, day = (
        pc.cast(parts.field(name), pa.int32()).to_numpy(zero_copy_only=False)
        for name in ("y", "m", "d")
    )
    return year, month, day, ok.to_numpy(zero_copy_only=False)


def month_length(year: np.ndarray, month: np.ndarray) -> np.ndarray:
    """Days in each month of the proleptic Gregorian calendar."""
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    return np.where(month == 2, 28 + leap, 30 + ((month + (month >= 8)) % 2))


def _civil_days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """H. Hinnant's ``days_from_civil`` on int64 columns (no validity check)."""
    year, month, day = (np.asarray(a, dtype=np.int64) for a in (year, month, day))
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


# month index year * 12 + month - 1, years 0..9999 -> first day's number and length
_TABLE_YEARS = 10_000
_YEARS, _MONTHS = np.divmod(np.arange(_TABLE_YEARS * 12), 12)
_MONTH_START = _civil_days(_YEARS, _MONTHS + 1, np.ones_like(_YEARS)).astype(np.int32)
_MONTH_LENGTH = month_length(_YEARS, _MONTHS + 1).astype(np.int8)
del _YEARS, _MONTHS


def days_from_ymd(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Day numbers from year, month and day columns, and whether each date exists.

    Notes
    -----
    Years 1 to 9999 are read from tables of month starts and lengths (computed once
    by H. Hinnant's ``days_from_civil``, integer arithmetic only); later years, which
    only month arithmetic can reach, use the formula itself.
    """
    year = np.asarray(year)
    month = np.asarray(month)
    day = np.asarray(day)
    valid = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    in_table = valid & (year < _TABLE_YEARS)
    index = (year * 12 + month - 1) * in_table  # 0 outside the table
    days = np.take(_MONTH_START, index).astype(np.int64) + day - 1
    valid &= (day <= np.take(_MONTH_LENGTH, index)) | ~in_table
    beyond = np.flatnonzero(valid & ~in_table)
    if len(beyond):
        y, m, d = year[beyond], month[beyond], day[beyond]
        valid[beyond] = d <= month_length(y, m)
        days[beyond] = _civil_days(y, m, d)
    return days * valid, valid  # 0 where not valid


def _civil_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """H. Hinnant's ``civil_from_days`` on an int64 column."""
    z = np.asarray(days, dtype=np.int64) + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + np.where(mp < 10, 3, -9)
    return yoe + era * 400 + (month <= 2), month, day


# day numbers from 1900-01-01 to 2199-12-31 -> year * 512 + month * 32 + day
_DAY_TABLE_FIRST = int(_civil_days(np.array([1900]), np.array([1]), np.array([1]))[0])
_DAY_TABLE_END = int(_civil_days(np.array([2200]), np.array([1]), np.array([1]))[0])
_Y, _M, _D = _civil_from_days(np.arange(_DAY_TABLE_FIRST, _DAY_TABLE_END))
_PACKED_YMD = (_Y * 512 + _M * 32 + _D).astype(np.int32)
del _Y, _M, _D


def ymd_from_days(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month and day of day numbers.

    Notes
    -----
    Days from 1900 to 2199 are read from a table computed once by H. Hinnant's
    ``civil_from_days`` (integer arithmetic only); other days use the formula.
    """
    days = np.asarray(days, dtype=np.int64)
    in_table = (days >= _DAY_TABLE_FIRST) & (days < _DAY_TABLE_END)
    packed = _PACKED_YMD[np.where(in_table, days - _DAY_TABLE_FIRST, 0)]
    year, month, day = packed >> 9, (packed >> 5) & 15, packed & 31
    outside = np.flatnonzero(~in_table)
    if len(outside):
        year, month, day = (a.astype(np.int64) for a in (year, month, day))
        year[outside], month[outside], day[outside] = _civil_from_days(days[outside])
    return year, month, day


def epoch_days(day: dt.date) -> int:
    """Days since 1970-01-01, the integer form dates take in ledger columns."""
    return (day - dt.date(1970, 1, 1)).days


def add_months(days: np.ndarray, months: int) -> np.ndarray:
    """Add calendar months to int64 day numbers, clamping to the month's end.

    Notes
    -----
    2022-08-31 + 6 months is 2023-02-28 (February has no 31st); 2023-08-31 + 6 months
    is 2024-02-29.
    """
    days = np.asarray(days, dtype=np.int64)
    in_days = (days >= _DAY_TABLE_FIRST) & (days < _DAY_TABLE_END)
    if in_days.all():  # the usual ledger: one lookup per row
        return _shifted_days(months)[days - _DAY_TABLE_FIRST]
    return _add_months(days, months)


@functools.lru_cache(maxsize=16)
def _shifted_days(months: int) -> np.ndarray:
    """:func:`add_months` of every day of the day table (1900 to 2199), computed once
    per number of months by the general rule below."""
    shifted = _add_months(np.arange(_DAY_TABLE_FIRST, _DAY_TABLE_END, dtype=np.int64), months)
    shifted.flags.writeable = False
    return shifted


def _add_months(days: np.ndarray, months: int) -> np.ndarray:
    """:func:`add_months` by the calendar: year, month and day, then the target month's
    start and length."""
    year, month, day = ymd_from_days(days)
    index = year * 12 + (month - 1) + months  # the target month, as in the tables
    in_table = (index >= 12) & (index < _TABLE_YEARS * 12)
    if in_table.all():
        return _MONTH_START[index] + np.minimum(day, _MONTH_LENGTH[index]).astype(np.int64) - 1
    year, month = index // 12, index % 12 + 1
    shifted, _ = days_from_ymd(year, month, np.minimum(day, month_length(year, month)))
    return shifted
