"""Ledger date parsing against Python's own calendar."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from calculators.columnar.dates import add_months, parse_dates

EPOCH = dt.date(1970, 1, 1)


def _render(day: dt.date, style: int) -> str:
    return [
        day.isoformat(),
        f"{day.year}-{day.month}-{day.day}",
        day.strftime("%Y/%m/%d"),
        day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日",
        f"{day.isoformat()} 00:00:00",
        f"{day.year}.{day.month:02d}.{day.day:02d}",
        f"{day.year}.{day.month}.{day.day}",
        # full-width digits and dashes, as NFKC reads them
        day.isoformat().translate(str.maketrans("0123456789-", "０１２３４５６７８９－")),
    ][style]


@given(st.lists(st.tuples(st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31)),
                          st.integers(0, 8)), max_size=40))  # fmt: skip
def test_every_accepted_format_parses_to_the_same_day(items) -> None:
    values = pd.Series([_render(day, style) for day, style in items], dtype=object)
    days, ok = parse_dates(values)
    assert ok.all()
    assert [EPOCH + dt.timedelta(int(n)) for n in days] == [day for day, _ in items]


def _oracle(text: str) -> dt.date | None:
    """The accepted formats, written independently with ``re`` and ``datetime``."""
    text = re.sub(r"[ T]00:00(:00)?$", "", unicodedata.normalize("NFKC", text).strip())
    for pattern in (r"(\d{4})-(\d{1,2})-(\d{1,2})", r"(\d{4})/(\d{1,2})/(\d{1,2})",
                    r"(\d{4})\.(\d{1,2})\.(\d{1,2})",
                    r"(\d{4})(\d{2})(\d{2})", r"(\d{4})年(\d{1,2})月(\d{1,2})日"):  # fmt: skip
        match = re.fullmatch(pattern, text, flags=re.ASCII)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                return None
    return None


DATE_CHARACTERS = "0123456789-/.年月日 :T０１２－．"  # the last five are full-width


@given(st.lists(st.one_of(st.text(DATE_CHARACTERS, max_size=19), st.text(max_size=12)),
                max_size=30))  # fmt: skip
def test_anything_else_is_invalid_not_guessed(texts) -> None:
    days, ok = parse_dates(pd.Series(texts, dtype=object))
    expected = [_oracle(t) for t in texts]
    assert list(ok) == [e is not None for e in expected]
    assert [EPOCH + dt.timedelta(int(n)) for n, good in zip(days, ok, strict=True) if good] == [
        e for e in expected if e is not None
    ]


def test_impossible_and_odd_dates() -> None:
    values = pd.Series(["2022-02-29", "2024-02-29", "2022-13-01", "2022-00-10", "2022-04-31",
                        "2022-04-01 12:00:00", "01/04/2022", "2022.04.31", "01.04.2022", None,
                        ""])  # fmt: skip
    _, ok = parse_dates(values)
    assert list(ok) == [False, True, False, False, False, False, False, False, False, False,
                        False]  # fmt: skip


@given(st.dates(dt.date(1950, 1, 1), dt.date(2150, 12, 31)), st.integers(0, 36))
def test_add_months_clamps_to_month_end(day, months) -> None:
    got = EPOCH + dt.timedelta(int(add_months(np.array([(day - EPOCH).days]), months)[0]))
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    last = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(1)).day
    assert got == dt.date(year, month, min(day.day, last))
