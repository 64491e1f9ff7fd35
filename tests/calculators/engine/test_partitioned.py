"""A claim over a multi-partition Dask ledger equals the in-memory claim, loan for loan,
and its summary equals the in-memory one, the programs' own warnings and entries
(tech's first loans, elderly care's widened pilot) among them."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.programs import elderly_care
from calculators.programs import tech as tech_relending
from calculators.programs import transport as transport_relending
from tests.calculators.engine.test_claim_properties import ELIGIBLE, VALID, _ledger, row
from tests.calculators.programs.test_tech_golden import LEDGER
from tests.calculators.programs.test_version_goldens import TECH_2025Q3_LIST

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
    # every entry in the same order, warnings and the program's own entries among them;
    # only the digest is of the partitions' contents
    assert list(a) == list(b)
    for key in a:
        if key != "input_sha256":
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


# -- the programs' own warnings and entries, partition by partition --------------------

# tech-2024, 2025Q2, CCB, ratio 0.6; first loans apart from 2024-04-07 to 2025-05-06.
# Three partitions of three rows: G1-G3, G4-G6, G7-G9.
FIRST_LOANS = """借据号,统一社会信用代码,贷款金额,发放日期,到期日期,首贷
G1,911101085011945813,"1,000.00",2025-04-01,2026-04-01,是
G2,915101005446414621,0.01,2025-04-02,2026-04-02,否
G3,913205002859570946,500.00,2025-04-03,2026-04-03,是
G4,91420100102630063R,0.02,2025-04-10,2026-04-10,maybe
G5,911101085011945813,0.03,2025-05-06,2026-05-06,Y
G6,915101005446414621,"2,000.00",2025-05-07,2026-05-07,是
G7,91420100102630063R,0.05,2025-06-01,2026-06-01,
G8,911101085011945813,0.01,2025-04-20,2026-04-20,1
G9,913205002859570946,1.00,2025-04-21,2026-04-21,??
"""


def _first_loan_ledger(tmp_path) -> pd.DataFrame:
    path = tmp_path / "first.csv"
    path.write_text(FIRST_LOANS, encoding="utf-8")
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_first_loans_across_partitions(tmp_path) -> None:
    """Worked by hand. Eligible: every row but G3 and G9 (borrower not on the list).
    Principal in fen and 0.6 x principal: G1 100,000 -> 60,000; G2 1 -> 0.6; G4 2 -> 1.2;
    G5 3 -> 1.8; G6 200,000 -> 120,000; G7 5 -> 3; G8 1 -> 0.6. Eligible principal
    300,012, 0.6 x 300,012 = 180,007.2 -> 180,007; floors 180,005, two leftover fen:
    G5 (remainder 4/5), then of the two at 3/5 the first in ledger order, G2 (partition
    1), not G8 (partition 3).

    First loans of the window: G1 (是), G5 (Y, on its last day 2025-05-06) and G8 (1),
    one in each partition; not G2 (否), G3 and G9 (not eligible), G4 (flag unreadable),
    G6 (是, but from 2025-05-07), G7 (blank: no). Loans 3, principal 100,000 + 3 + 1 =
    100,004, entitlement 60,000 + 2 + 0 = 60,002; unreadable flags G4 and G9: 2.

    Broken implementations caught: the first loans of one partition only (1 loan, or
    the last partition's), a leftover fen fixed partition by partition (G8 taking one:
    60,003), the flags read on eligible rows only (1 unreadable)."""
    frame = _first_loan_ledger(tmp_path)
    args = ("2025Q2", "CCB", TECH_2025Q3_LIST)
    ddf = dd.from_pandas(frame, chunksize=3, sort=False)
    assert ddf.npartitions == 3
    result = tech_relending.claim_partitioned(ddf, *args)
    assert result.entitlement_fen == 180_007
    summary = result.summary()
    assert summary["first_loans"] == {
        "from": "2024-04-07",
        "to": "2025-05-06",
        "loans": 3,
        "principal_fen": 100_004,
        "principal_yuan": "1,000.04",
        "entitlement_fen": 60_002,
        "entitlement_yuan": "600.02",
        "unreadable": 2,
    }
    in_memory = tech_relending.claim(frame, *args)
    _same(in_memory, result)
    assert tech_relending.PROGRAM.summary_lines(summary) == (
        tech_relending.PROGRAM.summary_lines(in_memory.summary())
    )


@pytest.mark.parametrize("chunk", range(1, 10))
def test_first_loans_for_every_partitioning(tmp_path, chunk) -> None:
    frame = _first_loan_ledger(tmp_path)
    args = ("2025Q2", "CCB", TECH_2025Q3_LIST)
    ddf = dd.from_pandas(frame, chunksize=chunk, sort=False)
    _same(tech_relending.claim(frame, *args), tech_relending.claim_partitioned(ddf, *args))


def test_no_first_loan_column_no_first_loans_entry() -> None:
    frame = pd.read_csv(LEDGER, dtype=str, keep_default_na=False)
    ddf = dd.from_pandas(frame, chunksize=4, sort=False)
    result = tech_relending.claim_partitioned(ddf, "2022Q2", "ICBC", ELIGIBLE)
    assert "first_loans" not in result.summary()


# 2022Q3, ICBC: the pilot widened after 2022-09-01. Borrowers: 浙江 (33, in the pilot),
# 北京 (11) and 广东 (44) outside it. Three partitions of two rows: H1-H2, H3-H4, H5-H6.
WIDENED = pd.DataFrame(
    {
        "loan_id": ["H1", "H2", "H3", "H4", "H5", "H6"],
        "borrower_id": ["9133010677690123XR", "9111010858227345UD", "440121196001010013",
                        "9133010677690123XR", "440121196001010013", "9111010858227345UD"],
        "principal": ["100.00", "200.00", "300.00", "400.00", "500.00", "600.00"],
        "disbursement_date": ["2022-07-01", "2022-09-01", "2022-08-31", "2022-09-15",
                              "2022-09-30", "2022-09-10"],
        "maturity_date": ["2023-07-01", "2023-09-01", "2023-08-31", "2023-09-15",
                          "2023-09-30", "2023-09-10"],
    }
)  # fmt: skip


def test_widened_pilot_warning_across_partitions() -> None:
    """Outside the five: H2 (2022-09-01, the day itself), H3 (2022-08-31, before it), H5
    (2022-09-30) and H6 (2022-09-10): three from the day, in the first and last
    partitions, one warning counting 3.

    Broken implementations caught: a warning per partition (two), the count of one
    partition (1 or 2), no warning at all (the hook not run)."""
    ddf = dd.from_pandas(WIDENED, chunksize=2, sort=False)
    assert ddf.npartitions == 3
    result = elderly_care.claim_partitioned(ddf, "2022Q3", "ICBC")
    warned = [w for w in result.summary()["warnings"] if w["code"] == "pilot_list_unknown"]
    assert len(warned) == 1
    assert "disbursed from 2022-09-01: 3." in warned[0]["message"]
    _same(elderly_care.claim(WIDENED, "2022Q3", "ICBC"), result)


@pytest.mark.parametrize("chunk", range(1, 7))
def test_widened_pilot_for_every_partitioning(chunk) -> None:
    ddf = dd.from_pandas(WIDENED, chunksize=chunk, sort=False)
    _same(
        elderly_care.claim(WIDENED, "2022Q3", "ICBC"),
        elderly_care.claim_partitioned(ddf, "2022Q3", "ICBC"),
    )


def test_no_widened_pilot_warning_when_none_is_due() -> None:
    """H3 alone is outside the five, and before the day: no warning, in memory or not."""
    frame = WIDENED[WIDENED["loan_id"].isin(["H1", "H3", "H4"])].reset_index(drop=True)
    ddf = dd.from_pandas(frame, chunksize=1, sort=False)
    result = elderly_care.claim_partitioned(ddf, "2022Q3", "ICBC")
    assert "pilot_list_unknown" not in [w["code"] for w in result.summary()["warnings"]]
    _same(elderly_care.claim(frame, "2022Q3", "ICBC"), result)
