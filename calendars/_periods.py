"""Calendar quarters and months as values.

A claim period is a :class:`Quarter` (quarterly cadence) or a :class:`Month`
(monthly cadence). Both are frozen, ordered and hashable, parse from the strings
users type, and know their first and last day.
"""

from __future__ import annotations

import calendar as _stdcal
import datetime as dt
import re
from dataclasses import dataclass

from ._errors import InvalidPeriodError
from ._i18n import _

_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]([1-4])\s*$")
_MONTH_RE = re.compile(r"^\s*(\d{4})\s*-?\s*[Mm]?(\d{1,2})\s*$")
_YEARS = range(1900, 2200)


@dataclass(frozen=True, order=True)
class Quarter:
    """A calendar quarter, e.g. ``Quarter(2022, 2)`` for April to June 2022.

    Examples
    --------
    >>> Quarter.parse("2022-Q2").end
    datetime.date(2022, 6, 30)
    >>> str(Quarter.parse("2022Q4").next())
    '2023Q1'
    """

    year: int
    quarter: int

    def __post_init__(self) -> None:
        if self.year not in _YEARS or self.quarter not in (1, 2, 3, 4):
            raise InvalidPeriodError(
                "quarter",
                f"{self.year}Q{self.quarter}",
                _("a year and a quarter 1-4, e.g. 2022Q2"),
            )

    @classmethod
    def parse(cls, text: str | Quarter) -> Quarter:
        """Parse ``"2022Q2"``, ``"2022-Q2"`` or ``"2022q2"``."""
        if isinstance(text, Quarter):
            return text
        match = _QUARTER_RE.match(str(text))
        if not match:
            raise InvalidPeriodError("quarter", text, _("a quarter like 2022Q2 or 2022-Q2 (Q1-Q4)"))
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: dt.date) -> Quarter:
        """The quarter that contains ``day``."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def start(self) -> dt.date:
        """First day of the quarter."""
        return dt.date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the quarter."""
        month = 3 * self.quarter
        return dt.date(self.year, month, _stdcal.monthrange(self.year, month)[1])

    def next(self) -> Quarter:
        """The following quarter."""
        if self.quarter == 4:
            return Quarter(self.year + 1, 1)
        return Quarter(self.year, self.quarter + 1)

    def previous(self) -> Quarter:
        """The preceding quarter."""
        if self.quarter == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.quarter - 1)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the quarter."""
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.year}Q{self.quarter}"


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, e.g. ``Month(2023, 1)``; parses ``"2023-01"`` and ``"2023M01"``."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if self.year not in _YEARS or not 1 <= self.month <= 12:
            raise InvalidPeriodError(
                "month",
                f"{self.year}-{self.month:02d}",
                _("a year and a month 01-12, e.g. 2023-01"),
            )

    @classmethod
    def parse(cls, text: str | Month) -> Month:
        """Parse ``"2023-01"``, ``"2023M1"`` or ``"202301"``."""
        if isinstance(text, Month):
            return text
        match = _MONTH_RE.match(str(text))
        if not match or not 1 <= int(match[2]) <= 12:
            raise InvalidPeriodError("month", text, _("a month like 2023-01 (months 01-12)"))
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def containing(cls, day: dt.date) -> Month:
        """The month that contains ``day``."""
        return cls(day.year, day.month)

    @property
    def start(self) -> dt.date:
        """First day of the month."""
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        """Last day of the month."""
        return dt.date(self.year, self.month, _stdcal.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        """The following month."""
        if self.month == 12:
            return Month(self.year + 1, 1)
        return Month(self.year, self.month + 1)

    def previous(self) -> Month:
        """The preceding month."""
        if self.month == 1:
            return Month(self.year - 1, 12)
        return Month(self.year, self.month - 1)

    def contains(self, day: dt.date) -> bool:
        """Whether ``day`` falls inside the month."""
        return self.start <= day <= self.end

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}"


Period = Quarter | Month


def parse_period(text: str | Quarter | Month) -> Quarter | Month:
    """Parse a quarter (``2022Q2``) or a month (``2023-01``).

    Raises
    ------
    InvalidPeriodError
        If ``text`` is neither.
    """
    if isinstance(text, Quarter | Month):
        return text
    if _QUARTER_RE.match(str(text)):
        return Quarter.parse(text)
    if re.match(r"^\s*\d{4}\s*-?\s*[Mm]?\d{1,2}\s*$", str(text)):
        return Month.parse(text)
    raise InvalidPeriodError(
        "period", text, _("a quarter like 2022Q2 or 2022-Q2, or a month like 2023-01")
    )
