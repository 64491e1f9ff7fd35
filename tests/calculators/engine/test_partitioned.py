"""A claim over a multi-partition Dask ledger equals the in-memory claim, loan for loan."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.engine.test_claim_properties import ELIGIBLE, VALID, _ledger, row
from tests.calculators.programs.test_tech_golden import LEDGER

dd = pytest.importorskip("dask.dataframe")


def _same(in_memory, partitioned) -> None:
    assert partitioned.entitlement_fen == in_memory.entitlement_fen
    assert partitioned.eligible_principal_fen == in_memory.eligible_principal_fen
    got, want = partitioned.loans.compute(), in_memory.loans
    # Dask stores the ledger's text columns as Arrow strings: same values, another dtype
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    for column in ("principal_fen", "status", "reason", "entitlement_fen"):
        assert got[column].dtype == want[column].dtype, column
    a, b = in_memory.summary(), partitioned.summary()
    for key in ("loans_total", "loans_eligible", "loans_excluded", "loans_invalid", "reasons",
                "entitlement_fen", "deadline"):  # fmt: skip
        assert a[key] == b[key], key


def test_golden_ledger_split_across_partitions() -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    # 19 rows in chunks of 4: the two T11 rows (rows 11 and 12) fall in different partitions
    ddf = dd.from_pandas(frame, chunksize=4, sort=False)
    assert ddf.npartitions == 5
    result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
    assert result.entitlement_fen == 60_761_161
    loans = result.loans.compute()
    assert list(loans.loc[loans["loan_id"] == "T11", "reason"].astype(str)) == [
        "duplicate_loan_id", "duplicate_loan_id",
    ]  # fmt: skip
    _same(tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE), result)


@settings(max_examples=25)
@given(st.lists(row, max_size=40), st.integers(1, 7))
def test_any_partitioning_gives_the_in_memory_answer(rows, chunk) -> None:
    frame = _ledger(rows)
    if len(frame) == 0:
        return
    ddf = dd.from_pandas(frame, chunksize=chunk, sort=False)
    _same(
        tech_relending.claim(frame, "2022Q2", "ICBC", ELIGIBLE),
        tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE),
    )
    _same(
        transport_relending.claim(frame, "2022Q3", "ABC", [VALID[0]]),
        transport_relending.claim_partitioned(ddf, "2022Q3", "ABC", [VALID[0]]),
    )


def test_parquet_ledger_with_progress(tmp_path, capsys) -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    dd.from_pandas(frame, npartitions=3, sort=False).to_parquet(tmp_path / "ledger")
    ddf = dd.read_parquet(tmp_path / "ledger")
    result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE, progress=True)
    assert result.entitlement_fen == 60_761_161
    assert "100%" in capsys.readouterr().err
