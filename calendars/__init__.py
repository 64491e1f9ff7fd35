"""Business-day calendars of mainland China, quarters and application deadlines.

This package knows nothing of relending policy: it answers which days are business
days, how to roll a date, and when the 10th-of-next-quarter deadline falls.
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
    china,
    get_calendar,
    load_overrides,
    sse,
)
from ._deadline import Deadline, application_deadline, deadline_for
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
    "application_deadline",
    "china",
    "deadline_for",
    "get_calendar",
    "load_overrides",
    "parse_period",
    "sse",
]

# public classes and functions show under the public package, not their private module
for _name in __all__:
    _obj = globals()[_name]
    if (isinstance(_obj, type) or callable(_obj)) and getattr(_obj, "__module__", "").startswith(
        __name__ + "._"
    ):
        _obj.__module__ = __name__
del _name, _obj
