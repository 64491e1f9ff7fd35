"""Years whose State Council holiday notice relend ships, reviewed, as day lists.

One entry per year: the year and the address of the notice of the General Office of the
State Council (国务院办公厅关于 YYYY 年部分节假日安排的通知) that fixes its holidays and
make-up working days. The entries are read from ``calendars/data/prc_YYYY.toml``, which
hold the notice's title, number and day lists beside the address.

A year listed here is ``published`` as long as the installed ``holidays`` package agrees
with its day lists (see :mod:`calendars._calendar`); any other covered year is
``provisional``. To add a year, copy its notice into a new ``prc_YYYY.toml`` and add its
hand-copied test in ``tests/calendars/test_prc_years.py``.
"""

from __future__ import annotations

from types import MappingProxyType

from ._reviewed import reviewed_years

PUBLISHED_NOTICES: MappingProxyType[int, str] = MappingProxyType(
    {year: notice.url for year, notice in reviewed_years().items()}
)
