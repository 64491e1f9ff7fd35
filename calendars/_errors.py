"""Errors raised by :mod:`calendars`.

Every error is a user-facing ``ValueError`` that renders as one line naming the
parameter, the value it was given and what would have been accepted.

Exception hierarchy::

    CalendarError (ValueError)
    ├── InvalidPeriodError          "2022Q5", "abc"
    ├── DateOutOfBoundsError        a date outside a calendar's coverage
    ├── UnknownCalendarError        a calendar name that does not exist
    ├── OverrideFileError           an unreadable or malformed override file
    └── ProvisionalCalendarError    strict mode met a year that is not published

    ProvisionalCalendarWarning (UserWarning)
                                    a result depends on a year that is not published
"""

from __future__ import annotations

from typing import Any

from ._i18n import _


class CalendarError(ValueError):
    """Base class of every error raised by :mod:`calendars`.

    Parameters
    ----------
    parameter : str
        The name of the argument or field that was wrong.
    value : Any
        The value it was given.
    accepted : str
        What would have been accepted, in words.
    """

    def __init__(self, parameter: str, value: Any, accepted: str) -> None:
        self.parameter = parameter
        self.value = value
        self.accepted = accepted
        super().__init__(
            _("{parameter}={value} is not accepted: {accepted}").format(
                parameter=parameter, value=repr(value), accepted=accepted
            )
        )


class InvalidPeriodError(CalendarError):
    """A quarter or month string that cannot be parsed."""


class DateOutOfBoundsError(CalendarError):
    """A date outside the years a calendar covers.

    Attributes
    ----------
    bound : datetime.date
        The first or last date the calendar covers.
    """

    def __init__(self, parameter: str, value: Any, bound: Any, side: str) -> None:
        self.bound = bound
        if side == "first":
            accepted = _("the calendar covers dates on or after {bound}")
        else:
            accepted = _("the calendar covers dates on or before {bound}")
        super().__init__(parameter, value, accepted.format(bound=bound.isoformat()))


class UnknownCalendarError(CalendarError):
    """A calendar name that is not registered."""


class OverrideFileError(CalendarError):
    """An override file that cannot be read or does not follow the format."""


class ProvisionalCalendarError(CalendarError):
    """A strict calendar was asked about a year whose schedule is not published."""


class ProvisionalCalendarWarning(UserWarning):
    """A result depends on a year that is not published.

    Either relend ships no reviewed State Council notice for the year, and its
    holidays are the ``holidays`` package's estimate (statutory holidays with weekend
    days carried to the next weekday, and no make-up working days, until a notice is
    out), or the installed ``holidays`` package disagrees with the reviewed notice, and
    the message names the first day they differ on.
    """
