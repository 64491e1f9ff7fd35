"""Reviewed day lists shipped with relend: State Council notices and exchange closures.

``calendars/data/prc_YYYY.toml`` holds one State Council notice (国务院办公厅关于 YYYY 年
部分节假日安排的通知): its title, number and address, and one table per holiday with the
range of days off (放假) and the weekend days made working days (上班), copied from the
notice. ``calendars/data/sse.toml`` holds the weekdays the Shanghai Stock Exchange closed
although the State Council had not given them off, each with the exchange's notice.

Notes
-----
A notice for year N fixes days from 24 December of N-1 (make-up working days for New
Year's Day, as in the notices for 2002, 2006, 2007, 2008, 2012 and 2019) to 23 December
of N; the days from 24 December on belong to the next year's notice. Loading checks
this, so each day is governed by exactly one notice: :func:`notice_year`.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

EDGE_MONTH, EDGE_DAY = 12, 24


def notice_year(day: dt.date) -> int:
    """The year whose notice governs ``day``: the next year's from 24 December on."""
    return day.year + 1 if (day.month, day.day) >= (EDGE_MONTH, EDGE_DAY) else day.year


def notice_span(year: int) -> tuple[dt.date, dt.date]:
    """First and last day a notice for ``year`` may move: 24 Dec of year-1 to 23 Dec."""
    return dt.date(year - 1, EDGE_MONTH, EDGE_DAY), dt.date(year, EDGE_MONTH, EDGE_DAY - 1)


@dataclass(frozen=True)
class Holiday:
    """One holiday of a notice: a range of days off and its make-up working days.

    Attributes
    ----------
    name : str
        The holiday as the notice names it (元旦, 春节, ...).
    first, last : datetime.date
        The first and last day off (放假), weekend days inside included.
    work : tuple of datetime.date
        Saturdays and Sundays the notice makes working days (上班) for this holiday.
    notice : str or None
        The notice or rule that set this holiday when it is not the year's notice: a
        later notice that changed it (2003, 2015, 2019, 2020), or the statutory day
        the year's notice left out (2001).
    """

    name: str
    first: dt.date
    last: dt.date
    work: tuple[dt.date, ...]
    notice: str | None = None

    def days_off(self) -> frozenset[dt.date]:
        """Every day from ``first`` to ``last``."""
        span = (self.last - self.first).days
        return frozenset(self.first + dt.timedelta(days=n) for n in range(span + 1))


@dataclass(frozen=True)
class ReviewedYear:
    """The reviewed schedule of one year's State Council notice.

    Attributes
    ----------
    year : int
    title : str
        The notice's title.
    number : str or None
        Its document number (国办发明电〔...〕N号) where recorded.
    url : str
        Where the notice's text is published.
    holidays : tuple of Holiday
    package_differs : frozenset of datetime.date
        Days on which the ``holidays`` package is known to keep a superseded
        arrangement (2003: the May holiday before the SARS notice); they are left out
        of the run-time comparison.
    """

    year: int
    title: str
    number: str | None
    url: str
    holidays: tuple[Holiday, ...]
    package_differs: frozenset[dt.date]

    @property
    def off(self) -> frozenset[dt.date]:
        """Every day off the notice gives."""
        return frozenset().union(*(h.days_off() for h in self.holidays))

    @property
    def work(self) -> frozenset[dt.date]:
        """Every weekend day the notice makes a working day."""
        return frozenset(d for h in self.holidays for d in h.work)


@dataclass(frozen=True)
class ExchangeClosure:
    """Weekdays the exchange closed that the State Council had not given off."""

    days: tuple[dt.date, ...]
    notice: str
    url: str | None


class ReviewedDataError(RuntimeError):
    """A shipped data file breaks its own format: a defect of relend, not of the user."""


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    raise ReviewedDataError(f"{where}: {value!r} is not a TOML date")


def _holiday(raw: Mapping[str, Any], year: int, where: str) -> Holiday:
    first, last = (_date(v, f"{where} off") for v in raw["off"])
    work = tuple(sorted(_date(v, f"{where} work") for v in raw.get("work", [])))
    lo, hi = notice_span(year)
    if not lo <= first <= last <= hi or not all(lo <= d <= hi for d in work):
        raise ReviewedDataError(f"{where}: days outside {lo} to {hi}")
    if any(d.weekday() < 5 for d in work):
        raise ReviewedDataError(f"{where}: a make-up working day that is a weekday")
    return Holiday(str(raw["name"]), first, last, work, raw.get("notice"))


def _year(raw: Mapping[str, Any], where: str) -> ReviewedYear:
    year = int(raw["year"])
    holidays = tuple(
        _holiday(h, year, f"{where} {h.get('name', '?')}") for h in raw.get("holiday", [])
    )
    differs = frozenset(_date(v, where) for v in raw.get("holidays_package_differs", []))
    reviewed = ReviewedYear(
        year, str(raw["title"]), raw.get("number"), str(raw["url"]), holidays, differs
    )
    if reviewed.off & reviewed.work:
        raise ReviewedDataError(f"{where}: a day both off and a working day")
    return reviewed


@functools.cache
def reviewed_years() -> Mapping[int, ReviewedYear]:
    """Every shipped State Council notice, by year (read once)."""
    data = resources.files("calendars") / "data"
    years: dict[int, ReviewedYear] = {}
    for entry in data.iterdir():
        if entry.name.startswith("prc_") and entry.name.endswith(".toml"):
            reviewed = _year(tomllib.loads(entry.read_text(encoding="utf-8")), entry.name)
            if entry.name != f"prc_{reviewed.year}.toml":
                raise ReviewedDataError(f"{entry.name}: holds year {reviewed.year}")
            years[reviewed.year] = reviewed
    return MappingProxyType(dict(sorted(years.items())))


@functools.cache
def exchange_closures() -> tuple[ExchangeClosure, ...]:
    """The exchange-only closures of ``sse.toml`` (read once)."""
    text = (resources.files("calendars") / "data" / "sse.toml").read_text(encoding="utf-8")
    closures = []
    for raw in tomllib.loads(text).get("closure", []):
        days = tuple(_date(v, "sse.toml") for v in raw["days"])
        if any(d.weekday() >= 5 for d in days):
            raise ReviewedDataError("sse.toml: a weekend day needs no exchange closure")
        closures.append(ExchangeClosure(days, str(raw["notice"]), raw.get("url")))
    return tuple(closures)
