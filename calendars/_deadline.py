"""Application deadlines for relending claims.

Notes
-----
The tech-innovation and transport-logistics relending notices both set the deadline
as "于次季度第一个月10日(遇节假日顺延)前" (seed lines 751-753 and 848-850): the 10th
of the first month of the next quarter, carried forward to the next business day when
the 10th is not one. The 2023 extension of the transport relending (银发〔2023〕32号)
moved to monthly claims due by the 10th of the following month, likewise carried
forward. The 10th itself is counted as within the deadline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._calendar import BusinessCalendar, YearStatus, get_calendar
from ._periods import Month, Quarter, parse_period

DEADLINE_DAY = 10


@dataclass(frozen=True)
class Deadline:
    """An application deadline with how sure the calendar is of it.

    Attributes
    ----------
    period : Quarter or Month
        The period whose loans the application covers.
    nominal : datetime.date
        The 10th of the following quarter's first month (or of the following month).
    date : datetime.date
        ``nominal`` rolled forward to a business day.
    calendar : str
        Name of the calendar used.
    calendar_status : {"published", "override", "provisional"}
        The least certain status of the years involved.
    """

    period: Quarter | Month
    nominal: dt.date
    date: dt.date
    calendar: str
    calendar_status: YearStatus


def deadline_for(
    period: str | Quarter | Month, calendar: BusinessCalendar | str | None = None
) -> Deadline:
    """The application deadline for loans disbursed in ``period``, with its status.

    Parameters
    ----------
    period : str, Quarter or Month
        ``"2022Q2"``/``"2022-Q2"`` for quarterly cadence, ``"2023-01"`` for monthly.
    calendar : BusinessCalendar or str, optional
        Default: the ``prc`` calendar.
    """
    cal = _resolve(calendar)
    parsed = parse_period(period)
    following = parsed.next()
    nominal = dt.date(following.start.year, following.start.month, DEADLINE_DAY)
    rolled = cal.roll(nominal, "following")
    return Deadline(parsed, nominal, rolled, cal.name, cal.worst_status(nominal, rolled))


def application_deadline(
    period: str | Quarter | Month, calendar: BusinessCalendar | str | None = None
) -> dt.date:
    """The last day to apply for relending on loans disbursed in ``period``.

    Examples
    --------
    >>> application_deadline("2022Q2")
    datetime.date(2022, 7, 11)

    Notes
    -----
    The 10th of the first month of the next quarter, or of the next month for a
    :class:`Month`, rolled forward over non-business days ("遇节假日顺延").
    """
    return deadline_for(period, calendar).date


def _resolve(calendar: BusinessCalendar | str | None) -> BusinessCalendar:
    if calendar is None:
        return get_calendar("prc")
    if isinstance(calendar, str):
        return get_calendar(calendar)
    return calendar
