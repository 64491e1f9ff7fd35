"""Each loan's policy version, and the exclusions every program shares by the policy
windows and minimum terms."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from calculators.engine.classify import version_of, window_exclusions
from calculators.engine.validate import columns
from calculators.policy.table import policy_table
from calendars import Quarter

TECH = policy_table(None).rows("tech")  # tech-2022 from 2022-04-01, tech-2024 from 2024-04-07
LOANS = [  # disbursed, matures
    ("2022-03-10", "2022-04-10"),  # before tech-2022: not short, however short its term
    ("2022-05-10", "2022-11-09"),  # a day under 6 months
    ("2022-05-10", "2022-11-10"),  # 6 months to the day
    ("2022-08-31", "2023-02-27"),  # 6 months from the 31st end on 2023-02-28
    ("2024-05-10", "2024-11-10"),  # tech-2024: 6 months to the day
    ("2024-05-10", "2025-05-09"),  # tech-2024: a day under 12 months
]


def _short(versions: tuple) -> list[bool]:
    frame = pd.DataFrame(
        {
            "loan_id": [f"L{k}" for k in range(len(LOANS))],
            "borrower_id": "911101085011945813",
            "principal": "1.00",
            "disbursement_date": [d for d, _ in LOANS],
            "maturity_date": [m for _, m in LOANS],
        }
    )
    cols = columns(frame)
    version = version_of(cols.disbursed, versions)
    found = dict(window_exclusions(cols, versions, Quarter(2022, 2), version))
    assert found["before_policy_start"].tolist() == [True, False, False, False, False, False]
    return found["term_under_minimum"].tolist()


def test_one_minimum_for_every_version() -> None:
    assert {v.min_term_months.value for v in TECH} == {6}
    assert _short(TECH) == [False, True, False, True, False, False]


def test_a_minimum_of_its_own_for_each_version() -> None:
    later = replace(TECH[1], min_term_months=replace(TECH[1].min_term_months, value=12))
    assert _short((TECH[0], later)) == [False, True, False, True, True, True]


def test_no_minimum_term() -> None:
    none = tuple(replace(v, min_term_months=replace(v.min_term_months, value=0)) for v in TECH)
    assert _short(none) == [False] * len(LOANS)


def _starting(*days: str) -> tuple:
    """Versions of tech starting on ``days`` (ISO), in order."""
    return tuple(
        replace(TECH[0], first_disbursement=replace(TECH[0].first_disbursement,
                                                    value=dt.date.fromisoformat(d)))
        for d in days
    )  # fmt: skip


def _days(*days: str) -> np.ndarray:
    return np.array([(dt.date.fromisoformat(d) - dt.date(1970, 1, 1)).days for d in days])


def test_each_loan_under_the_last_version_started_by_its_disbursement() -> None:
    versions = _starting("2022-01-01", "2022-07-01", "2023-01-01")
    days = _days("2021-12-31", "2022-01-01", "2022-06-30", "2022-07-01", "2023-01-01", "2060-01-01")
    found = version_of(days, versions)
    assert found.tolist() == [-1, 0, 0, 1, 2, 2]
    assert found.dtype == np.int8


@pytest.mark.parametrize("count", [8, 9, 200])
def test_many_versions(count) -> None:
    # a version a month from 2001-01: the loans of the 1st and the 15th of each month
    # under it, the day before the first under none
    months = [(2001 + k // 12, k % 12 + 1) for k in range(count)]
    versions = _starting(*(f"{y}-{m:02d}-01" for y, m in months))
    days = [f"{y}-{m:02d}-{d}" for y, m in months for d in ("01", "15")]
    found = version_of(_days("2000-12-31", *days), versions)
    assert found.tolist() == [-1, *(k for k in range(count) for _ in (1, 2))]
    assert found.dtype == (np.int8 if count < 128 else np.int16)
