"""The per-loan output frame built from a claim's verdicts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from calculators.engine.codes import reason_index
from calculators.engine.result import per_loan_frame
from calculators.engine.split import RowVerdicts
from calculators.policy.table import policy_table

VERSIONS = policy_table(None).rows("tech")


def _verdicts() -> RowVerdicts:
    """Three rows: eligible (1,000.00 yuan), invalid principal, outside the period."""
    verdicts = RowVerdicts.empty(3, 1, np.dtype(np.int8))
    verdicts.codes[:] = [
        reason_index("eligible"),
        reason_index("invalid_principal"),
        reason_index("outside_period"),
    ]
    verdicts.principal_fen[:] = [100_000, 0, 250]
    verdicts.principal_ok[:] = [True, False, True]
    verdicts.version[:] = [0, 0, 0]
    return verdicts


def test_a_given_principal_fen_column_is_replaced_where_it_stands_by_the_parsed_one() -> None:
    frame = pd.DataFrame(
        {"loan_id": ["A", "B", "C"], "principal_fen": ["100000", "x", "250"], "note": [1, 2, 3]},
        index=[7, 8, 9],
    )
    verdicts = _verdicts()
    loans = per_loan_frame(frame, verdicts, np.array([60_000, 0, 0]), VERSIONS)
    assert list(loans.columns) == [
        "loan_id", "principal_fen", "note",
        "status", "reason", "entitlement_fen", "detail", "policy_version",
    ]  # fmt: skip
    assert list(loans.index) == [0, 1, 2]
    assert str(loans["principal_fen"].dtype) == "Int64"
    assert loans["principal_fen"].tolist() == [100_000, pd.NA, 250]
    assert loans["loan_id"].tolist() == ["A", "B", "C"]
    assert loans["note"].tolist() == [1, 2, 3]
    assert loans["status"].tolist() == ["eligible", "invalid", "excluded"]
    assert loans["reason"].tolist() == ["eligible", "invalid_principal", "outside_period"]
    assert loans["entitlement_fen"].tolist() == [60_000, 0, 0]
    assert loans["policy_version"].tolist()[1] is np.nan
    # the parsed column itself, not a copy of it (2M rows: some 30 ms of a first claim)
    assert np.shares_memory(loans["principal_fen"].array._data, verdicts.principal_fen)
    assert frame["principal_fen"].tolist() == ["100000", "x", "250"]  # the input as given


def test_a_ledger_without_principal_fen_gets_it_after_its_own_columns() -> None:
    frame = pd.DataFrame({"loan_id": ["A", "B", "C"], "principal": ["1000.00", "x", "2.50"]})
    loans = per_loan_frame(frame, _verdicts(), np.array([60_000, 0, 0]), VERSIONS)
    assert list(loans.columns) == [
        "loan_id", "principal", "principal_fen",
        "status", "reason", "entitlement_fen", "detail", "policy_version",
    ]  # fmt: skip
    assert loans["principal_fen"].tolist() == [100_000, pd.NA, 250]
