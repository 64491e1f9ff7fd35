"""NPL tolerance: hand-worked boundaries (tests/golden/npl_boundaries.csv)."""

from __future__ import annotations

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from calculators.tools import npl as npl_tolerance
from tests import paths

GOLDEN = paths.GOLDEN / "npl_boundaries.csv"


def test_golden_boundaries() -> None:
    frame = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    rows = npl_tolerance.check(frame).rows
    assert list(rows["status"]) == list(rows["expected_status"])
    assert list(rows["reason"]) == list(rows["expected_reason"])
    headroom = ["" if pd.isna(h) else str(int(h)) for h in rows["headroom_fen"]]
    assert headroom == list(rows["expected_headroom_fen"])
    assert rows.loc[0, "npl_ratio_pct"] == "3.500000"
    assert rows.loc[0, "tolerance_pct"] == "3.5"
    assert rows.loc[0, "industry_code"] == "accommodation"
    assert rows.loc[0, "industry"] == frame.loc[0, "industry"]  # the input stays as given
    assert rows.loc[0, "assessment_relief"] == "no_or_reduced_deduction"
    assert rows.loc[0, "due_diligence_exemption"] == "may_be_considered"
    assert rows.loc[1, "assessment_relief"] == "not_applicable"  # breach


def test_summary_per_industry_and_unit() -> None:
    frame = pd.read_csv(GOLDEN, dtype=str, keep_default_na=False)
    summary = npl_tolerance.check(frame).summary()
    assert (summary["within"], summary["breach"], summary["invalid"]) == (5, 2, 7)
    units = {u["unit"]: u for u in summary["by_unit"]}
    # 喀什分行: loans 10,000,000 x 2 + 100 + 1,000 x 3 yuan
    # NPL 350,000 + 350,000.01 + 3.02 + 10 + 60 yuan
    assert units["喀什分行"]["loan_balance_fen"] == 2_000_310_000
    assert units["喀什分行"]["npl_balance_fen"] == 70_007_303
    assert len(summary["units"]) == 14


def _frame(loan: int, npl: int, base: str, uplift: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "unit": ["u"],
            "industry": ["retail"],
            "loan_balance": [f"{loan // 100}.{loan % 100:02d}"],
            "npl_balance": [f"{npl // 100}.{npl % 100:02d}"],
            "baseline_tolerance_pct": [base],
            "uplift_pct": [uplift],
        }
    )


pct = st.integers(0, 300).map(lambda n: f"{n // 100}.{n % 100:02d}")


@given(st.integers(1, 10**15), st.data(), pct, pct, pct)
def test_more_uplift_never_turns_within_into_breach(loan, data, base, low, high) -> None:
    npl = data.draw(st.integers(0, loan))
    low, high = sorted((low, high), key=lambda p: int(p.replace(".", "")))
    a = npl_tolerance.check(_frame(loan, npl, base, low)).rows.iloc[0]
    b = npl_tolerance.check(_frame(loan, npl, base, high)).rows.iloc[0]
    if a["status"] == "within":
        assert b["status"] == "within"
    for row in (a, b):
        if row["headroom_fen"] > 0:
            assert row["status"] == "within"


@given(st.integers(1, 10**15), st.data())
def test_ratio_is_exact(loan, data) -> None:
    npl = data.draw(st.integers(0, loan))
    row = npl_tolerance.check(_frame(loan, npl, "1.00", "0.00")).rows.iloc[0]
    # the displayed ratio is the exact ratio rounded half up to 6 decimals of a percent
    exact_micro = npl * 100 * 10**6
    shown = int(row["npl_ratio_pct"].replace(".", ""))
    assert abs(shown * loan - exact_micro) * 2 <= loan
    assert (row["status"] == "within") == (npl * 100 <= loan * 1)


def test_a_baseline_above_100_percent_is_invalid() -> None:
    rows = npl_tolerance.check(_frame(10**17, 1, "999.999999", "0")).rows
    assert rows.loc[0, "reason"] == "invalid_percentage"
    rows = npl_tolerance.check(_frame(10**17, 1, "100", "3")).rows
    assert rows.loc[0, "status"] == "within"
    assert rows.loc[0, "headroom_fen"] == 103 * 10**15 - 1
