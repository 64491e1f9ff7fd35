"""Properties of rolling and business-day arithmetic on published years."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from calendars import deadline_for, get_calendar
from calendars._periods import Quarter

published_days = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 12, 20))
calendars = st.sampled_from([get_calendar("prc"), get_calendar("sse")])


@given(published_days, calendars, st.sampled_from(["following", "modified_following", "preceding"]))
def test_rolled_date_is_a_business_day_and_idempotent(day, cal, convention) -> None:
    rolled = cal.roll(day, convention)
    assert cal.is_business_day(rolled)
    assert cal.roll(rolled, convention) == rolled


@given(published_days, calendars)
def test_following_never_goes_back_and_preceding_never_forward(day, cal) -> None:
    assert cal.roll(day, "following") >= day
    assert cal.roll(day, "preceding") <= day
    modified = cal.roll(day, "modified_following")
    assert (modified.year, modified.month) == (day.year, day.month)


# 40 business days span at most about 64 calendar days: stay clear of provisional 2027
far_from_2027 = st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2026, 10, 15))


@given(far_from_2027, calendars, st.integers(min_value=-40, max_value=40))
def test_adding_business_days_counts_business_days(day, cal, n) -> None:
    result = cal.add_business_days(day, n)
    assert cal.is_business_day(result)
    one = dt.timedelta(days=1)
    if n > 0:
        assert len(cal.business_days(day + one, result)) == n
    elif n < 0:
        assert len(cal.business_days(result, day - one)) == -n
    else:
        assert result == cal.roll(day, "following")


@given(st.integers(min_value=2005, max_value=2026), st.integers(min_value=1, max_value=4))
def test_deadline_is_on_or_after_the_10th_and_within_10_days(year, q) -> None:
    quarter = Quarter(year, q)
    if quarter.next().year > 2026:
        return
    for cal in (get_calendar("prc"), get_calendar("sse")):
        result = deadline_for(quarter, cal)
        assert result.nominal.day == 10
        assert result.nominal <= result.date <= result.nominal + dt.timedelta(days=10)
        assert cal.is_business_day(result.date)
