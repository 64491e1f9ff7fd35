"""Business-day calendars of mainland China.

Two calendars are built from the State Council working-day schedule:

``prc``
    The default. A day is a business day when it is a weekday that is not a public
    holiday, or a weekend day that the State Council made a working day (调休上班).
    This is also the calendar of the interbank market.
``sse``
    The exchanges (Shanghai, Shenzhen). Closed on the same public holidays, on every
    Saturday and Sunday, make-up working days included, and on the weekdays the
    exchange closed on its own notice (``calendars/data/sse.toml``).

Where the days come from
------------------------
For every year with a reviewed notice (``calendars/data/prc_YYYY.toml``, see
:mod:`calendars._reviewed`) the calendar uses the reviewed day lists, so an old or
wrong ``holidays`` package cannot move a deadline in those years. The ``holidays``
package (``holidays.China``) supplies only the years after the last reviewed notice,
as rule-based or unreviewed estimates.

Each covered year has a status: ``override`` (a user file pinned it), ``published``
or ``provisional``. A year is ``published`` when relend ships its reviewed notice
*and* the installed ``holidays`` package agrees with it on every day the notice
governs (checked at run time, once per year). A reviewed year the package disagrees
with is ``provisional``, with a warning naming the first differing day: two sources
disagree and relend does not guess which is right (the reviewed days are still the
ones used). Days on which the package is known to keep a superseded arrangement (2003,
before the SARS notice) are listed in the data file and left out of the comparison.

A day from 24 December on may be moved by the next year's notice (make-up working days
for New Year's Day), so its status is the less certain of its own year's and the next
year's. A status over a span of days considers every year in the span. A result that
depends on a provisional year warns with :class:`ProvisionalCalendarWarning`, or
raises :class:`ProvisionalCalendarError` on a strict calendar.
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

import numpy as np

from ._china import china as package_china
from ._errors import (
    CalendarError,
    DateOutOfBoundsError,
    OverrideFileError,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    UnknownCalendarError,
)
from ._i18n import _, os_reason
from ._published import PUBLISHED_NOTICES
from ._reviewed import exchange_closures, notice_span, notice_year, reviewed_years

YearStatus = Literal["published", "override", "provisional"]
Convention = Literal["following", "modified_following", "preceding"]

CALENDAR_NAMES = ("prc", "sse")


def calendar_title(name: str) -> str:
    """The calendar ``name`` (``prc``, ``sse``) by its title, in the current language."""
    titles = {
        "prc": _("PRC working-day calendar"),
        "sse": _("Shanghai Stock Exchange trading calendar"),
    }
    return titles.get(name, name)


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

    Notes
    -----
    Like a notice, an override for year N governs the days from 24 December of N-1 to
    23 December of N: it replaces every day in that span, and its days must lie in it.
    """

    year: int
    holidays: frozenset[dt.date]
    working_days: frozenset[dt.date]
    source: str


def load_overrides(path: str | Path) -> tuple[YearOverride, ...]:
    """Read an override file.

    The file is JSON: one object, or a list of objects, each with ``year`` (int),
    ``source`` (non-empty text), ``holidays`` and ``working_days`` (lists of ISO
    dates from 24 December of the year before to 23 December of that year, the days
    the year's notice governs)::

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
        reason = os_reason(exc) if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise OverrideFileError(
            "override",
            str(path),
            _("a readable JSON override file ({reason})").format(reason=reason),
        ) from None
    entries = raw if isinstance(raw, list) else [raw]
    overrides = tuple(_parse_override(entry, str(path)) for entry in entries)
    years = [o.year for o in overrides]
    if len(set(years)) != len(years):
        raise OverrideFileError("override", str(path), _("each year at most once per file"))
    return overrides


def _parse_override(entry: Any, path: str) -> YearOverride:
    if not isinstance(entry, Mapping):
        raise OverrideFileError("override", path, _("a JSON object per year"))
    year = entry.get("year")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise OverrideFileError(
            "override.year",
            year,
            _("an integer year {first}-{last} ({path})").format(
                first=FIRST_YEAR, last=LAST_YEAR, path=path
            ),
        )
    source = entry.get("source")
    if not isinstance(source, str) or not source.strip():
        raise OverrideFileError(
            "override.source", source, _("the notice it copies ({path})").format(path=path)
        )
    off = _parse_days(entry.get("holidays", []), "override.holidays", year, path)
    on = _parse_days(entry.get("working_days", []), "override.working_days", year, path)
    if off & on:
        both = min(off & on).isoformat()
        raise OverrideFileError(
            "override",
            both,
            _("a day either a holiday or a working day, not both ({path})").format(path=path),
        )
    weekday_on = sorted(d for d in on if d.weekday() < 5)
    if weekday_on:
        raise OverrideFileError(
            "override.working_days",
            weekday_on[0].isoformat(),
            _("Saturdays or Sundays only; weekdays work anyway ({path})").format(path=path),
        )
    return YearOverride(year, off, on, source.strip())


def _parse_days(values: Any, field: str, year: int, path: str) -> frozenset[dt.date]:
    if not isinstance(values, list):
        raise OverrideFileError(field, values, _("a list of ISO dates ({path})").format(path=path))
    days = set()
    for value in values:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise OverrideFileError(
                field,
                value,
                _("an ISO date such as {year}-01-01 ({path})").format(year=year, path=path),
            ) from None
        first, last = notice_span(year)
        if not first <= day <= last:
            raise OverrideFileError(
                field,
                value,
                _("a date {first} to {last}, the days the {year} notice governs ({path})").format(
                    first=first.isoformat(), last=last.isoformat(), year=year, path=path
                ),
            )
        days.add(day)
    return frozenset(days)


def _open_flags(
    days: np.ndarray, off: Iterable[dt.date], on: Iterable[dt.date], exchange: bool
) -> np.ndarray:
    """Business-day flags of ``days`` (epoch day numbers) under one schedule."""
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    is_open = (weekday < 5) & ~np.isin(days, [_days(d) for d in off])
    if not exchange:
        is_open |= np.isin(days, [_days(d) for d in on])
    return is_open


@functools.cache
def _package_schedule(
    first_year: int, last_year: int
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Holidays and make-up weekend days of ``holidays.China`` over a span of years."""
    china = package_china()(years=range(first_year, last_year + 1))
    return frozenset(china), frozenset(china.weekend_workdays)


@functools.cache
def _reviewed_schedule() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Days off and make-up working days of the reviewed notices alone (no package's)."""
    years = reviewed_years().values()
    return frozenset().union(*(r.off for r in years)), frozenset().union(*(r.work for r in years))


@functools.cache
def _schedule() -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    """Days off and make-up working days over the covered years.

    The reviewed notices up to the last reviewed year; ``holidays.China`` after it.
    """
    reviewed = reviewed_years()
    off, on = _reviewed_schedule()
    after = notice_span(max(reviewed) + 1)[0]
    pkg_off, pkg_on = _package_schedule(max(reviewed), LAST_YEAR)
    return off | {d for d in pkg_off if d >= after}, on | {d for d in pkg_on if d >= after}


@functools.cache
def package_mismatch(year: int) -> tuple[dt.date, ...]:
    """Days the ``holidays`` package disagrees with the reviewed notice of ``year``.

    Empty when they agree or ``year`` has no reviewed notice. Compares business days
    on the ``prc`` calendar over the days the notice governs, less the days the data
    file lists as known to differ. Computed once per year.
    """
    reviewed = reviewed_years()
    if year not in reviewed:
        return ()
    first, last = notice_span(year)
    first = max(first, dt.date(FIRST_YEAR, 1, 1))
    days = np.arange(_days(first), _days(last) + 1, dtype=np.int64)
    mine_off, mine_on = _reviewed_schedule()  # the notice's days: the package's not needed
    pkg_off, pkg_on = _package_schedule(first.year, last.year)
    mine = _open_flags(days, mine_off, mine_on, exchange=False)
    theirs = _open_flags(days, pkg_off, pkg_on, exchange=False)
    known = {_days(d) for d in reviewed[year].package_differs}
    return tuple(_date(n) for n in days[mine != theirs] if int(n) not in known)


def _edge_years(lo: dt.date, hi: dt.date) -> range:
    """Every year whose notice can move a day from ``lo`` to ``hi``."""
    return range(lo.year, max(hi.year, min(notice_year(hi), LAST_YEAR)) + 1)


class BusinessCalendar:
    """A business-day calendar with explicit coverage and per-year status.

    Parameters
    ----------
    name : {"prc", "sse"}
        ``prc``: State Council working days (make-up weekends are business days);
        ``sse``: exchange days (every weekend closed, and the exchange-only closures).
    overrides : iterable of YearOverride, optional
        Schedules that replace the shipped data for their years, for this calendar
        object only. At most one per year.
    strict : bool, default False
        Raise :class:`ProvisionalCalendarError` instead of warning when a result
        depends on a provisional year.

    Raises
    ------
    CalendarError
        Two overrides for the same year, or an override for a year outside coverage.

    Notes
    -----
    Coverage is the years ``FIRST_YEAR`` to ``LAST_YEAR``; a date outside raises
    :class:`DateOutOfBoundsError`. Rolling and adding business days are binary
    searches in the sorted array of business days, so they also work on numpy
    arrays of ``datetime64[D]``. The business days after the last reviewed notice's
    (``holidays.China``, some 35 years) are built when an answer first reaches them.
    """

    def __init__(
        self, name: str = "prc", overrides: Iterable[YearOverride] = (), *, strict: bool = False
    ) -> None:
        if name not in CALENDAR_NAMES:
            raise UnknownCalendarError(
                "calendar", name, _("one of {names}").format(names=", ".join(CALENDAR_NAMES))
            )
        self.name = name
        self.strict = strict
        pinned: dict[int, YearOverride] = {}
        for override in overrides:
            if not FIRST_YEAR <= override.year <= LAST_YEAR:
                raise CalendarError(
                    "override.year",
                    override.year,
                    _("a year {first}-{last}").format(first=FIRST_YEAR, last=LAST_YEAR),
                )
            if override.year in pinned:
                raise CalendarError(
                    "override.year", override.year, _("each year at most once among the overrides")
                )
            pinned[override.year] = override
        self.overrides: Mapping[int, YearOverride] = pinned
        self.first = dt.date(FIRST_YEAR, 1, 1)
        self.last = dt.date(LAST_YEAR, 12, 31)
        self._known_last = _days(min(notice_span(max(reviewed_years()))[1], self.last))
        self._known = self._build_sessions(self._known_last)  # a prefix of _sessions

    def __repr__(self) -> str:
        pinned = ", ".join(str(y) for y in sorted(self.overrides)) or "none"
        return f"BusinessCalendar({self.name!r}, overrides: {pinned}, strict={self.strict})"

    @functools.cached_property
    def _sessions(self) -> np.ndarray:
        return self._build_sessions()

    def _build_sessions(self, last: int | None = None) -> np.ndarray:
        off, on = _schedule() if last is None else _reviewed_schedule()
        exchange = self.name == "sse"
        stop = (_days(self.last) if last is None else last) + 1
        days = np.arange(_days(self.first), stop, dtype=np.int64)
        is_open = _open_flags(days, off, on, exchange)
        for year, override in self.overrides.items():
            start, end = (_days(d) for d in notice_span(year))
            span = (days >= start) & (days <= end)
            is_open[span] = _open_flags(
                days[span], override.holidays, override.working_days, exchange
            )
        if exchange:
            closed = [_days(d) for c in exchange_closures() for d in c.days]
            is_open &= ~np.isin(days, closed)
        return days[is_open]

    # -- status -------------------------------------------------------------------------

    def _check_year(self, year: int) -> None:
        if year < FIRST_YEAR:
            raise DateOutOfBoundsError("year", year, self.first, "first")
        if year > LAST_YEAR:
            raise DateOutOfBoundsError("year", year, self.last, "last")

    def year_status(self, year: int) -> YearStatus:
        """``override``, ``published`` or ``provisional`` for a covered year.

        Raises
        ------
        DateOutOfBoundsError
            If ``year`` is outside the calendar's coverage.
        """
        self._check_year(year)
        if year in self.overrides:
            return "override"
        if year in reviewed_years() and not package_mismatch(year):
            return "published"
        return "provisional"

    def source(self, year: int) -> str | None:
        """The notice behind a year's schedule, or None for a year without one."""
        self._check_year(year)
        if year in self.overrides:
            return self.overrides[year].source
        return PUBLISHED_NOTICES.get(year)

    def _years(self, days: tuple[dt.date, ...]) -> range:
        if not days:
            return range(0)
        lo, hi = min(days), max(days)
        self._check_bounds(lo, "date")
        self._check_bounds(hi, "date")
        return _edge_years(lo, hi)

    def worst_status(self, *days: dt.date) -> YearStatus:
        """The least certain status over the span of ``days``, without warning.

        Every year from the earliest to the latest day counts, and the next year too
        when the latest day is on or after 24 December.
        """
        statuses = [self.year_status(y) for y in self._years(days)]
        return max(statuses, key=_STATUS_RANK.__getitem__, default="published")

    def status_of(self, *days: dt.date) -> YearStatus:
        """The least certain status over the span of ``days``, and enforce it.

        Warns with :class:`ProvisionalCalendarWarning` (or raises
        :class:`ProvisionalCalendarError` when strict) if any year is provisional,
        naming the day the ``holidays`` package disagrees on for a reviewed year.
        """
        years = self._years(days)
        worst = self.worst_status(*days)
        provisional = [y for y in years if self.year_status(y) == "provisional"]
        if provisional:
            listed = ", ".join(map(str, provisional))
            disagree = [(y, package_mismatch(y)[0]) for y in provisional if package_mismatch(y)]
            why = _(
                "no State Council notice is in the data yet, holidays are a rule-based estimate"
            )
            if disagree:
                # TRANSLATORS: joins the reasons of several provisional years
                why = _("; ").join(
                    _("the holidays package disagrees with the {year} notice on {day}").format(
                        year=y, day=d.isoformat()
                    )
                    for y, d in disagree
                )
            if self.strict:
                raise ProvisionalCalendarError(
                    "year",
                    provisional[0],
                    _(
                        "a year with a published State Council notice or an override "
                        "(published: {first}-{last}; {why})"
                    ).format(first=min(PUBLISHED_NOTICES), last=max(PUBLISHED_NOTICES), why=why),
                )
            warnings.warn(
                _("the {calendar} for {years} is provisional: {why}").format(
                    calendar=calendar_title(self.name), years=listed, why=why
                ),
                ProvisionalCalendarWarning,
                stacklevel=3,
            )
        return worst

    # -- business days ------------------------------------------------------------------

    @property
    def last_business_day(self) -> dt.date:
        """The last business day the calendar covers: a later day cannot be rolled
        forward (``following``)."""
        return _date(self._sessions[-1])

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
        sessions = self._known if n <= self._known_last else self._sessions
        i = int(np.searchsorted(sessions, n))
        return i < len(sessions) and int(sessions[i]) == n

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
            raise CalendarError(
                "convention", convention, _("one of {names}").format(names=", ".join(CONVENTIONS))
            )
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
        sessions = self._known if n <= self._known[-1] else self._sessions
        i = int(np.searchsorted(sessions, n, side="left"))
        if i == len(sessions):
            raise DateOutOfBoundsError("date", day.isoformat(), self.last, "last")
        return _date(sessions[i])

    def _preceding(self, n: int, day: dt.date) -> dt.date:
        sessions = self._known if n <= self._known_last else self._sessions
        i = int(np.searchsorted(sessions, n, side="right")) - 1
        if i < 0:
            raise DateOutOfBoundsError("date", day.isoformat(), self.first, "first")
        return _date(sessions[i])

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
        sessions = self._known if d <= self._known_last else self._sessions
        if n >= 0:
            i = int(np.searchsorted(sessions, d, side="left"))
            is_open = i < len(sessions) and int(sessions[i]) == d
            target = i + n if is_open or n == 0 else i + n - 1
            if target >= len(sessions):  # past the known days: the same indices in all
                sessions = self._sessions
        else:
            i = int(np.searchsorted(sessions, d, side="right")) - 1
            is_open = i >= 0 and int(sessions[i]) == d
            target = i + n if is_open else i + n + 1
        if not 0 <= target < len(sessions):
            bound, side = (self.last, "last") if n >= 0 else (self.first, "first")
            raise DateOutOfBoundsError("date", day.isoformat(), bound, side)
        result = _date(sessions[target])
        self.status_of(day, result)
        return result

    def business_days(self, start: dt.date, end: dt.date) -> list[dt.date]:
        """Every business day from ``start`` to ``end`` inclusive."""
        self._check_bounds(start, "start")
        self._check_bounds(end, "end")
        sessions = self._known if _days(end) <= self._known_last else self._sessions
        lo = np.searchsorted(sessions, _days(start), side="left")
        hi = np.searchsorted(sessions, _days(end), side="right")
        self.status_of(start, end)
        return [_date(n) for n in sessions[lo:hi]]


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
        raise UnknownCalendarError(
            "calendar", name, _("one of {names}").format(names=", ".join(CALENDAR_NAMES))
        )
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
