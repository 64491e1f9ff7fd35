"""Reading the hand-worked golden ledgers of tests/golden and checking a claim's rows
against them (one helper for every program's tests)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd


def read_golden(path: Path) -> pd.DataFrame:
    """A golden ledger with every cell as text, as written by hand."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def assert_rows_match(loans: pd.DataFrame, golden: pd.DataFrame) -> None:
    """Every row, in ledger order: loan id, reason, policy version and entitlement."""
    assert list(loans["loan_id"].astype(str)) == list(golden["loan_id"])
    assert [str(r) for r in loans["reason"]] == list(golden["expected_reason"])
    versions = loans["policy_version"].astype(object).fillna("").astype(str)
    assert list(versions) == list(golden["expected_policy_version"])
    assert [int(x) for x in loans["entitlement_fen"]] == [
        int(x) for x in golden["expected_entitlement_fen"]
    ]
