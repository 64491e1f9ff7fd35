"""The ``holidays`` package's China calendar loaded alone (without the package's some 300
other countries) gives the days ``holidays.China`` gives, and a replaced
``holidays.China`` is still the one used."""

from __future__ import annotations

import subprocess
import sys

import holidays

from calendars._calendar import FIRST_YEAR, LAST_YEAR
from calendars._china import _china_alone, china


def test_alone_gives_the_package_days() -> None:
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    alone = _china_alone("China")
    assert alone is not None
    mine, theirs = alone(years=years), holidays.China(years=years)
    assert dict(mine) == dict(theirs)  # every day off, with its name
    assert set(mine.weekend_workdays) == set(theirs.weekend_workdays)
    for year in (2003, 2020, 2022, 2026, 2027):
        assert dict(alone(years=year)) == dict(holidays.China(years=year))


def test_a_calendar_does_not_import_every_country() -> None:
    code = (
        "import sys, calendars; c = calendars.get_calendar('prc'); "
        "print(c.year_status(2022), c.year_status(2040), 'holidays.countries' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["published", "provisional", "False"]


def test_a_replaced_entry_is_used(monkeypatch) -> None:
    def replaced(**kwargs):
        return holidays.HolidayBase(**kwargs)

    monkeypatch.setattr(holidays, "China", replaced)
    assert china() is replaced
