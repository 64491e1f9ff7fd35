"""The benchmark's peers, the same claim in DuckDB SQL and in Polars, give relend's
answer row by row on a small dirty ledger: the benchmark compares like with like.

The ledger is ``benchmarks/generate.py``'s, 8,000 rows, seed 7; the test first checks
that every kind of dirt is in it and decides some rows, so that a peer skipping any
rule (duplicate ids, check characters, region codes, the month-end clamp of the term,
the largest-remainder split) gives another answer on those rows and fails.
"""

from __future__ import annotations

import csv
import json
import sys
from unittest import mock

import numpy as np
import pandas as pd
import polars as pl
import pytest

from calculators.cli import main
from calculators.columnar import compiled as _compiled
from calculators.programs import tech as tech_relending
from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import generate
import peers

ROWS, SEED = 8000, 7


@pytest.fixture(scope="module", params=["text", "typed"])
def case(request):
    found = generate.generate(ROWS, seed=SEED, typed=request.param == "typed")
    result = tech_relending.claim(found.frame, generate.QUARTER, generate.LENDER, found.eligible)
    return request.param == "typed", found, result


@pytest.fixture(scope="module")
def connection():
    found = generate.generate(ROWS, seed=SEED)
    return peers.duckdb_connection(found.eligible)


def test_every_kind_of_dirt_is_in_the_ledger_and_decides_rows(case) -> None:
    _, found, result = case
    assert {k: int(v.sum()) for k, v in found.dirt.items() if not v.any()} == {}
    reasons = result.loans["reason"].astype(str)
    every = {"eligible", *peers.INVALID, *peers.EXCLUDED} - {"after_policy_end"}
    counts = reasons.value_counts()
    assert {r: int(counts.get(r, 0)) for r in every if not counts.get(r, 0)} == {}
    # the region rule and resident ids decide rows of their own
    assert (reasons[found.dirt["abolished_region"]] == "invalid_borrower_id").any()
    assert (reasons[found.dirt["resident"]] == "eligible").any()
    # both sides of the 6-month boundary (the clamp to the month's end included)
    d = pd.to_datetime(found.frame["disbursement_date"], errors="coerce")
    m = pd.to_datetime(found.frame["maturity_date"], errors="coerce")
    six = d + pd.DateOffset(months=6)
    on_edge = (m == six) & (d.dt.day == 31) & (reasons == "eligible")
    day_short = (m == six - pd.Timedelta(days=1)) & (reasons == "term_under_minimum")
    assert on_edge.any() and day_short.any()
    # the leftover fen of the split go to some loans and not to others of equal remainder
    eligible = result.loans[reasons == "eligible"]
    fen = eligible["principal_fen"].to_numpy(dtype=np.int64)
    bonus = eligible["entitlement_fen"].to_numpy() - fen * 3 // 5
    remainder = fen * 3 % 5
    assert set(bonus) == {0, 1}
    assert any(len(set(bonus[remainder == r])) == 2 for r in range(1, 5))
    assert result.entitlement_fen == eligible["entitlement_fen"].sum()


def _columns(result) -> list[str]:
    return [c for c in result.loans.columns if c not in ("detail", "policy_version")]


def test_the_duckdb_claim_gives_relends_rows(case, connection) -> None:
    typed, found, result = case
    out = peers.duckdb_claim(connection, found.frame, typed)
    assert peers.compare(result.loans, out).same, str(peers.compare(result.loans, out))
    assert out.column_names == _columns(result)


def test_the_compiled_paths_give_the_same_rows(case) -> None:
    """8,000 rows are below KERNEL_ROWS, so the peers check relend's numpy paths here;
    the compiled paths (which large ledgers take) must give the same loans, row for row."""
    _, found, result = case
    with mock.patch.object(_compiled, "KERNEL_ROWS", 0):
        compiled = tech_relending.claim(
            found.frame, generate.QUARTER, generate.LENDER, found.eligible
        )
    pd.testing.assert_frame_equal(compiled.loans, result.loans)
    assert compiled.entitlement_fen == result.entitlement_fen


def test_the_polars_claim_gives_relends_rows(case) -> None:
    typed, found, result = case
    out = peers.polars_claim(pl.from_pandas(found.frame), pl.Series(found.eligible), typed)
    assert peers.compare(result.loans, out).same, str(peers.compare(result.loans, out))
    assert int(out["entitlement_fen"].sum()) == result.entitlement_fen
    assert out.columns == _columns(result)


BROKEN = {
    "duplicate ids ignored": ("WHEN dup THEN", "WHEN false THEN"),
    "no region rule": ("CAST(substr(bid, 7, 4) AS INTEGER) <= r.last_year", "true"),
    "term in days": ("CAST(d + INTERVAL 6 MONTH AS DATE)", "d + 181"),
    "currency after the period": (
        "WHEN NOT cny THEN 'non_cny'\n            WHEN d < DATE '2022-04-01'",
        "WHEN d < DATE '2022-04-01'",
    ),
    "each loan rounded": ("rem > (SELECT r FROM threshold)", "2 * rem >= 5 OR rem > 9"),
    "ties to later rows": ("ORDER BY rn\n        LIMIT", "ORDER BY rn DESC\n        LIMIT"),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_the_check_fails_a_broken_peer(broken, connection) -> None:
    found = generate.generate(ROWS, seed=SEED)
    result = tech_relending.claim(found.frame, generate.QUARTER, generate.LENDER, found.eligible)
    old, new = BROKEN[broken]
    sql = peers.duckdb_claim_sql(False)
    assert sql.count(old) == 1
    connection.register("ledger", found.frame)
    out = connection.sql(sql.replace(old, new)).to_arrow_table()
    assert not peers.compare(result.loans, out).same


def test_the_duckdb_pipeline_writes_relends_rows(tmp_path, connection, capsys) -> None:
    found = generate.generate(ROWS, seed=SEED)
    ledger = tmp_path / "ledger.csv"
    found.frame.to_csv(ledger, index=False)
    listed = tmp_path / "eligible.csv"
    pd.Series(found.eligible, name="borrower_id").to_csv(listed, index=False)
    ours, theirs = tmp_path / "relend", tmp_path / "duckdb"
    theirs.mkdir()
    argv = ["claim", "tech", str(ledger), "--quarter", generate.QUARTER, "--lender",
            generate.LENDER, "--eligible-borrowers", str(listed), "--out", str(ours),
            "--no-xlsx", "--quiet"]  # fmt: skip
    assert main(argv) == 3  # done, with invalid rows
    capsys.readouterr()
    summary = peers.duckdb_pipeline(connection, str(ledger), str(theirs))
    written = json.loads((ours / "summary.json").read_text(encoding="utf-8"))
    assert summary == json.loads((theirs / "summary.json").read_text())
    assert summary["entitlement_fen"] == written["entitlement_fen"]
    assert summary["eligible_principal_fen"] == written["eligible_principal_fen"]
    assert summary["rows"] == written["loans_total"] == ROWS
    relend_rows = pd.read_csv(ours / "loans.csv", dtype=str, keep_default_na=False,
                              encoding="utf-8-sig")  # fmt: skip
    with open(theirs / "loans.csv", newline="") as handle:
        duck_rows = pd.DataFrame(list(csv.DictReader(handle)), dtype=str)
    assert len(duck_rows) == len(relend_rows) == ROWS
    for name in ("loan_id", "principal_fen", "status", "reason", "entitlement_fen"):
        assert (duck_rows[name] == relend_rows[name]).all(), name
