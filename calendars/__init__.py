"""Business-day calendars of mainland China, quarters and application deadlines.

This package knows nothing of relending policy: it answers which days are business
days, how to roll a date, and when the 10th-of-next-quarter deadline falls.

One name per concept: :func:`get_calendar` for a calendar (``prc`` or ``sse``),
:func:`deadline_for` for a deadline, :func:`parse_period` for a period (or
``Quarter.parse`` / ``Month.parse`` when the kind is known). The older shortcuts
``china()``, ``sse()`` and ``application_deadline()`` still import, with a
``DeprecationWarning`` naming what replaces them, until the next release.
"""

from __future__ import annotations

from ._calendar import (
    CALENDAR_NAMES,
    CONVENTIONS,
    FIRST_YEAR,
    LAST_YEAR,
    BusinessCalendar,
    Convention,
    YearOverride,
    YearStatus,
    get_calendar,
    load_overrides,
)
from ._deadline import Deadline, deadline_for
from ._errors import (
    CalendarError,
    DateOutOfBoundsError,
    InvalidPeriodError,
    OverrideFileError,
    ProvisionalCalendarError,
    ProvisionalCalendarWarning,
    UnknownCalendarError,
)
from ._periods import Month, Period, Quarter, parse_period
from ._published import PUBLISHED_NOTICES
from ._version import __version__

__all__ = [
    "CALENDAR_NAMES",
    "CONVENTIONS",
    "FIRST_YEAR",
    "LAST_YEAR",
    "PUBLISHED_NOTICES",
    "BusinessCalendar",
    "CalendarError",
    "Convention",
    "DateOutOfBoundsError",
    "Deadline",
    "InvalidPeriodError",
    "Month",
    "OverrideFileError",
    "Period",
    "ProvisionalCalendarError",
    "ProvisionalCalendarWarning",
    "Quarter",
    "UnknownCalendarError",
    "YearOverride",
    "YearStatus",
    "__version__",
    "deadline_for",
    "get_calendar",
    "load_overrides",
    "parse_period",
]

# public classes and functions show under the public package, not their private module
for _name in __all__:
    _obj = globals()[_name]  # __version__ is a str: left as it is
    if (isinstance(_obj, type) or callable(_obj)) and getattr(_obj, "__module__", "").startswith(
        __name__ + "._"
    ):
        _obj.__module__ = __name__
del _name, _obj

# old shortcut -> (its module, what replaces it)
_DEPRECATED = {
    "china": ("._calendar", 'calendars.get_calendar("prc")'),
    "sse": ("._calendar", 'calendars.get_calendar("sse")'),
    "application_deadline": ("._deadline", "calendars.deadline_for"),
}


def __getattr__(name: str) -> object:
    if name not in _DEPRECATED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import warnings
    from importlib import import_module

    module, replacement = _DEPRECATED[name]
    warnings.warn(
        f"calendars.{name} is deprecated and will be removed in the next release; "
        f"use {replacement}",
        DeprecationWarning,
        stacklevel=2,
    )
    return getattr(import_module(module, __name__), name)
