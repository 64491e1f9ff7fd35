"""Business-day calendars of mainland China.

Two calendars are built from the State Council working-day schedule as kept by the
``holidays`` package (``holidays.China``):

``prc``
    The default. A day is a business day when it is a weekday that is not a public
    holiday, or a weekend day that the State Council made a working day (调休上班).
    This is also the calendar of the interbank market.
``sse``
    The exchanges (Shanghai, Shenzhen). Closed on the same public holidays and on
    every Saturday and Sunday, make-up working days included.

Each covered year has a status: ``published`` (its notice is in
:data:`calendars._published.PUBLISHED_NOTICES`), ``override`` (a user file pinned it)
or ``provisional`` (a rule-based estimate). A result that depends on a provisional
year warns with :class:`ProvisionalCalendarWarning`, or raises
:class:`ProvisionalCalendarError` on a strict calendar.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import holidays
import numpy as np

from ._errors import (
    CalendarError,
    DateOutOfBoundsError,
    OverrideFileError,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    UnknownCalendarError,
)
from ._published import PUBLISHED_NOTICES

YearStatus = Literal["published", "override", "provisional"]
Convention = Literal["following", "modified_following", "preceding"]

CALENDAR_NAMES = ("prc", "sse")
CONVENTIONS: tuple[Convention, ...] = ("following", "modified_following", "preceding")
FIRST_YEAR = 2001
LAST_YEAR = 2060
_EPOCH = dt.date(1970, 1, 1)
_STATUS_RANK = {"published": 0, "override": 1, "provisional": 2}


def _days(day: dt.date) -> int:
    return (day - _EPOCH).days


def _date(days: int) -> dt.date:
    return _EPOCH + dt.timedelta(days=int(days))


@dataclass(frozen=True)
class YearOverride:
    """A user-supplied schedule for one year: its holidays and make-up working days.

    Parameters
    ----------
    year : int
        The year pinned.
    holidays : frozenset of datetime.date
        Days off (weekdays among them close the calendar).
    working_days : frozenset of datetime.date
        Weekend days that are working days (ignored by ``sse``, closed every weekend).
    source : str
        The notice the schedule was copied from (title, number or URL).
    """

    year: int
    holidays: frozenset[dt.date]
    working_days: frozenset[dt.date]
    source: str


def load_overrides(path: str | Path) -> tuple[YearOverride, ...]:
    """Read an override file.

    The file is JSON: one object, or a list of objects, each with ``year`` (int),
    ``source`` (non-empty text), ``holidays`` and ``working_days`` (lists of ISO
    dates inside that year)::

        {"year": 2027, "source": "国办发明电〔2026〕N号 https://www.gov.cn/...",
         "holidays": ["2027-01-01", "2027-02-05"], "working_days": ["2027-02-07"]}

    Raises
    ------
    OverrideFileError
        If the file cannot be read or does not follow this format.
    """
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OverrideFileError(
            "override", str(path), f"a readable JSON override file ({reason})"
        ) from None
    entries = raw if isinstance(raw, list) else [raw]
    overrides = tuple(_parse_override(entry, str(path)) for entry in entries)
    years = [o.year for o in overrides]
    if len(set(years)) != len(years):
        raise OverrideFileError("override", str(path), "each year at most once per file")
    return overrides


def _parse_override(entry: Any, path: str) -> YearOverride:
    if not isinstance(entry, Mapping):
        raise OverrideFileError("override", path, "a JSON object per year")
    year = entry.get("year")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise OverrideFileError(
            "override.year", year, f"an integer year {FIRST_YEAR}-{LAST_YEAR} ({path})"
        )
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise OverrideFileError("override.source", source, f"the notice it copies ({path})")
    off = _parse_days(entry.get("holidays", []), "override.holidays", year, path)
    on = _parse_days(entry.get("working_days", []), "override.working_days", year, path)
    if off & on:
        both = min(off & on).isoformat()
        raise OverrideFileError(
            "override", both, f"a day either a holiday or a working day, not both ({path})"
        )
    weekday_on = sorted(d for d in on if d.weekday() < 5)
    if weekday_on:
        raise OverrideFileError(
            "override.working_days",
            weekday_on[0].isoformat(),
            f"Saturdays or Sundays only; weekdays work anyway ({path})",
        )
    return YearOverride(year, off, on, source.strip())


def _parse_days(values: Any, field: str, year: int, path: str) -> frozenset[dt.date]:
    if not isinstance(values, list):
        raise OverrideFileError(field, values, f"a list of ISO dates ({path})")
    days = set()
    for value in values:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise OverrideFileError(
                field, value, f"an ISO date such as {year}-01-01 ({path})"
            ) from None
        if day.year != year:
            raise OverrideFileError(field, value, f"a date in {year} ({path})")
        days.add(day)
    return frozenset(days)


@functools.cache
def _holiday_schedule() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Public holidays and make-up working weekend days over the covered years."""
    china = holidays.China(years=range(FIRST_YEAR, LAST_YEAR + 1))
    return frozenset(china), frozenset(china.weekend_workdays)


class BusinessCalendar:
    """A business-day calendar with explicit coverage and per-year status.

    Parameters
    ----------
    name : {"prc", "sse"}
        ``prc``: State Council working days (make-up weekends are business days);
        ``sse``: exchange days (every weekend closed).
    overrides : iterable of YearOverride, optional
        Schedules that replace the package data for their years, for this calendar
        object only.
    strict : bool, default False
        Raise :class:`ProvisionalCalendarError` instead of warning when a result
        depends on a provisional year.

    Notes
    -----
    Coverage is the years ``FIRST_YEAR`` to ``LAST_YEAR``; a date outside raises
    :class:`DateOutOfBoundsError`. Rolling and adding business days are binary
    searches in the sorted array of business days, so they also work on numpy
    arrays of ``datetime64[D]``.
    """

    def __init__(
        self, name: str = "prc", overrides: Iterable[YearOverride] = (), *, strict: bool = False
    ) -> None:
        if name not in CALENDAR_NAMES:
            raise UnknownCalendarError("calendar", name, f"one of {', '.join(CALENDAR_NAMES)}")
        self.name = name
        self.strict = strict
        self.overrides: Mapping[int, YearOverride] = {o.year: o for o in overrides}
        self.first = dt.date(FIRST_YEAR, 1, 1)
        self.last = dt.date(LAST_YEAR, 12, 31)
        self._sessions = self._build_sessions()

    def __repr__(self) -> str:
        pinned = ", ".join(str(y) for y in sorted(self.overrides)) or "none"
        return f"BusinessCalendar({self.name!r}, overrides: {pinned}, strict={self.strict})"

    def _build_sessions(self) -> np.ndarray:
        off, weekend_on = _holiday_schedule()
        days = np.arange(_days(self.first), _days(self.last) + 1, dtype=np.int64)
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
        is_open = weekday < 5
        is_open &= ~np.isin(days, [_days(d) for d in off])
        if self.name == "prc":
            is_open |= np.isin(days, [_days(d) for d in weekend_on])
        for year, override in self.overrides.items():
            start, end = _days(dt.date(year, 1, 1)), _days(dt.date(year, 12, 31))
            in_year = (days >= start) & (days <= end)
            is_open[in_year] = weekday[in_year] < 5
            is_open &= ~np.isin(days, [_days(d) for d in override.holidays])
            if self.name == "prc":
                is_open |= np.isin(days, [_days(d) for d in override.working_days])
        return days[is_open]

    # -- status -------------------------------------------------------------------------

    def year_status(self, year: int) -> YearStatus:
        """``override``, ``published`` or ``provisional`` for a covered year."""
        if year in self.overrides:
            return "override"
        if year in PUBLISHED_NOTICES:
            return "published"
        return "provisional"

    def source(self, year: int) -> str | None:
        """The notice behind a year's schedule, or None for a provisional year."""
        if year in self.overrides:
            return self.overrides[year].source
        return PUBLISHED_NOTICES.get(year)

    def worst_status(self, *days: dt.date) -> YearStatus:
        """The least certain status among the years of ``days``, without warning."""
        statuses = [self.year_status(d.year) for d in days]
        return max(statuses, key=_STATUS_RANK.__getitem__, default="published")

    def status_of(self, *days: dt.date) -> YearStatus:
        """The least certain status among the years of ``days``, and enforce it.

        Warns with :class:`ProvisionalCalendarWarning` (or raises
        :class:`ProvisionalCalendarError` when strict) if any year is provisional.
        """
        worst = self.worst_status(*days)
        provisional = sorted({d.year for d in days if self.year_status(d.year) == "provisional"})
        if provisional:
            listed = ", ".join(map(str, provisional))
            if self.strict:
                raise ProvisionalCalendarError(
                    "year",
                    provisional[0],
                    f"a year with a published State Council notice or an override "
                    f"(published: {min(PUBLISHED_NOTICES)}-{max(PUBLISHED_NOTICES)})",
                )
            warnings.warn(
                f"the {self.name} calendar for {listed} is provisional: no State Council "
                f"notice is in the data yet, holidays are a rule-based estimate",
                ProvisionalCalendarWarning,
                stacklevel=3,
            )
        return worst

    # -- business days ------------------------------------------------------------------

    def _check_bounds(self, day: dt.date, parameter: str) -> None:
        if day < self.first:
            raise DateOutOfBoundsError(parameter, day.isoformat(), self.first, "first")
        if day > self.last:
            raise DateOutOfBoundsError(parameter, day.isoformat(), self.last, "last")

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a business day on this calendar."""
        self._check_bounds(day, "date")
        self.status_of(day)
        n = _days(day)
        i = int(np.searchsorted(self._sessions, n))
        return i < len(self._sessions) and int(self._sessions[i]) == n

    def roll(self, day: dt.date, convention: Convention = "following") -> dt.date:
        """Move ``day`` to a business day.

        Parameters
        ----------
        day : datetime.date
        convention : {"following", "modified_following", "preceding"}
            ``following``: the first business day on or after ``day`` (顺延);
            ``preceding``: the last business day on or before it;
            ``modified_following``: following, unless that leaves the month, then
            preceding.

        Notes
        -----
        A business day is returned unchanged by every convention.
        """
        if convention not in CONVENTIONS:
            raise CalendarError("convention", convention, f"one of {', '.join(CONVENTIONS)}")
        self._check_bounds(day, "date")
        n = _days(day)
        if convention == "preceding":
            rolled = self._preceding(n, day)
        else:
            rolled = self._following(n, day)
            if convention == "modified_following" and rolled.month != day.month:
                rolled = self._preceding(n, day)
        self.status_of(day, rolled)
        return rolled

    def _following(self, n: int, day: dt.date) -> dt.date:
        i = int(np.searchsorted(self._sessions, n, side="left"))
        if i == len(self._sessions):
            raise DateOutOfBoundsError("date", day.isoformat(), self.last, "last")
        return _date(self._sessions[i])

    def _preceding(self, n: int, day: dt.date) -> dt.date:
        i = int(np.searchsorted(self._sessions, n, side="right")) - 1
        if i < 0:
            raise DateOutOfBoundsError("date", day.isoformat(), self.first, "first")
        return _date(self._sessions[i])

    def add_business_days(self, day: dt.date, n: int) -> dt.date:
        """The business day ``n`` business days after (or, for negative ``n``, before) ``day``.

        Notes
        -----
        ``day`` itself need not be a business day: counting starts from it, so adding 1
        to a Saturday gives the first business day after it, and adding 0 rolls a
        non-business day forward.
        """
        self._check_bounds(day, "date")
        d = _days(day)
        if n >= 0:
            i = int(np.searchsorted(self._sessions, d, side="left"))
            is_open = i < len(self._sessions) and int(self._sessions[i]) == d
            target = i + n if is_open or n == 0 else i + n - 1
        else:
            i = int(np.searchsorted(self._sessions, d, side="right")) - 1
            is_open = i >= 0 and int(self._sessions[i]) == d
            target = i + n if is_open else i + n + 1
        if not 0 <= target < len(self._sessions):
            bound, side = (self.last, "last") if n >= 0 else (self.first, "first")
            raise DateOutOfBoundsError("date", day.isoformat(), bound, side)
        result = _date(self._sessions[target])
        self.status_of(day, result)
        return result

    def business_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every business day from ``start`` to ``end`` inclusive."""
        self._check_bounds(start, "start")
        self._check_bounds(end, "end")
        lo = np.searchsorted(self._sessions, _days(start), side="left")
        hi = np.searchsorted(self._sessions, _days(end), side="right")
        self.status_of(start, end)
        return [_date(n) for n in self._sessions[lo:hi]]


@functools.cache
def _default(name: str) -> BusinessCalendar:
    return BusinessCalendar(name)


def get_calendar(
    name: str = "prc",
    *,
    overrides: Iterable[YearOverride] | str | Path = (),
    strict: bool = False,
) -> BusinessCalendar:
    """A calendar by name, optionally with overrides (objects or a file path).

    Without overrides or strictness the same cached object is returned each time.
    """
    if isinstance(overrides, str | Path):
        overrides = load_overrides(overrides)
    overrides = tuple(overrides)
    if name not in CALENDAR_NAMES:
        raise UnknownCalendarError("calendar", name, f"one of {', '.join(CALENDAR_NAMES)}")
    if not overrides and not strict:
        return _default(name)
    return BusinessCalendar(name, overrides, strict=strict)


def china(
    *, overrides: Iterable[YearOverride] | str | Path = (), strict: bool = False
) -> BusinessCalendar:
    """The default ``prc`` calendar: State Council working days."""
    return get_calendar("prc", overrides=overrides, strict=strict)


def sse(
    *, overrides: Iterable[YearOverride] | str | Path = (), strict: bool = False
) -> BusinessCalendar:
    """The exchange calendar: PRC public holidays and every weekend closed."""
    return get_calendar("sse", overrides=overrides, strict=strict)
