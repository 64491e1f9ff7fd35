"""Day-count conventions as exact year fractions.

Notes
-----
``ACT/360``: actual days / 360. ``ACT/365F``: actual days / 365. ``30/360``: the
bond basis (ISDA 2006 4.16(f)): a start on the 31st counts as the 30th, and an end on
the 31st counts as the 30th when the start is the 30th or 31st.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from .._errors import ParameterError
from .._i18n import _

DAY_COUNTS = ("ACT/360", "ACT/365F", "30/360")


def check_day_count(name: str) -> str:
    """The canonical day-count name, or :class:`ParameterError`."""
    canonical = str(name).upper().replace("ACT/365", "ACT/365F").replace("FF", "F")
    if canonical not in DAY_COUNTS:
        raise ParameterError(
            "day_count", name, _("one of {names}").format(names=", ".join(DAY_COUNTS))
        )
    return canonical


def year_fraction(start: dt.date, end: dt.date, day_count: str) -> Fraction:
    """The exact year fraction from ``start`` to ``end``."""
    convention = check_day_count(day_count)
    if convention == "ACT/360":
        return Fraction((end - start).days, 360)
    if convention == "ACT/365F":
        return Fraction((end - start).days, 365)
    d1 = min(start.day, 30)
    d2 = min(end.day, 30) if d1 == 30 else end.day
    days = 360 * (end.year - start.year) + 30 * (end.month - start.month) + (d2 - d1)
    return Fraction(days, 360)
