"""Application deadlines for relending claims.

Notes
-----
Both notices set the deadline as "于次季度第一个月10日(遇节假日顺延)前": 中国人民银行
科技部 工业和信息化部关于设立科技创新再贷款的通知, 三 (发放和管理), seed 769-771, and
中国人民银行 交通运输部关于设立交通物流专项再贷款有关事宜的通知, 三 (发放和管理), seed
851-853 (there with full-width parentheses). That is the 10th of the first month of the
next quarter, carried forward to the next business day when the 10th is not one; the
10th itself is within the deadline.

The monthly cadence (the 10th of the following month, likewise carried forward) is
for programs whose claims are monthly; no source confirms that the 2023 transport
relending became monthly or the number 银发〔2023〕32号 (shared/sources later-notices.md),
so neither is assumed here.
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

    def as_dict(self) -> dict[str, str]:
        """The object ``relend deadline --json`` prints (``quarter`` kept beside
        ``period`` for earlier readers), dates ISO."""
        return {
            "quarter": str(self.period),
            "period": str(self.period),
            "deadline": self.date.isoformat(),
            "nominal": self.nominal.isoformat(),
            "calendar": self.calendar,
            "calendar_status": self.calendar_status,
        }


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
