"""Business-day calendars of mainland China, quarters and application deadlines.

This package knows nothing of relending policy: it answers which days are business
days, how to roll a date, and when the 10th-of-next-quarter deadline falls.

One name per concept: :func:`get_calendar` for a calendar (``prc`` or ``sse``),
:func:`deadline_for` for a deadline, :func:`parse_period` for a period (or
``Quarter.parse`` / ``Month.parse`` when the kind is known). The older shortcuts
``china()``, ``sse()`` and ``application_deadline()`` stay importable for existing
code but are not part of the public surface.
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
from ._calendar import (
    china as china,  # kept importable, not in __all__
)
from ._calendar import (
    sse as sse,
)
from ._deadline import Deadline, deadline_for
from ._deadline import application_deadline as application_deadline
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
    "deadline_for",
    "get_calendar",
    "load_overrides",
    "parse_period",
]

# public classes and functions show under the public package, not their private module
for _name in __all__:
    _obj = globals()[_name]
    if (isinstance(_obj, type) or callable(_obj)) and getattr(_obj, "__module__", "").startswith(
        __name__ + "._"
    ):
        _obj.__module__ = __name__
del _name, _obj
