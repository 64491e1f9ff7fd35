"""The cold benchmarks measure what they say: each contender does the same claim.

``bench_cold.py`` and ``bench_api.py`` time fresh processes and compare the answers of
relend and its peers; these tests run their pieces on small generated ledgers (not
timed), so that a benchmark that times a failing process, a peer given the wrong form,
or a comparison that cannot fail is caught here rather than in a table of figures.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.paths import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_api
import bench_cold


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Ledgers and frames written under the test's folder, not benchmarks/out."""
    folder = tmp_path / "out"
    monkeypatch.setattr(bench_cold, "OUT", folder)
    return folder


def test_cold_runs_relend_and_duckdb_and_their_summaries_agree(out: Path, tmp_path: Path):
    found = bench_cold.cold(600, 1, tmp_path)
    assert found["same"] is True
    assert found["relend"] > 0 and found["duckdb"] > 0
    # the ledger is written once and reused
    assert (out / "ledger-600.csv").exists() and (out / "ledger-600.csv.eligible.csv").exists()


def test_same_summary_tells_a_fen_or_a_reason_apart(tmp_path: Path):
    relend_dir, duck_dir = tmp_path / "relend", tmp_path / "duckdb"
    relend_dir.mkdir()
    duck_dir.mkdir()
    written = {
        "entitlement_fen": 600,
        "eligible_principal_fen": 1000,
        "loans_total": 3,
        "reasons": {"eligible": 1, "invalid_principal": 2, "non_cny": 0},
    }
    duck = {
        "entitlement_fen": 600,
        "eligible_principal_fen": 1000,
        "rows": 3,
        "reasons": {"eligible": 1, "invalid_principal": 2},
    }
    (relend_dir / "summary.json").write_text(json.dumps(written))
    for change, same in (({}, True), ({"entitlement_fen": 601}, False),
                         ({"reasons": {"eligible": 2, "invalid_principal": 1}}, False),
                         ({"rows": 4}, False)):  # fmt: skip
        (duck_dir / "summary.json").write_text(json.dumps({**duck, **change}))
        assert bench_cold.same_summary(relend_dir, duck_dir) is same


@pytest.mark.parametrize("form", ["text", "typed"])
def test_each_cold_call_claims_the_same_ledger(form, out: Path, capsys):
    totals = {}
    for contender in ("relend", "bare", "duckdb", "polars"):
        bench_cold.child(contender, form, 3000)
        answer = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
        assert answer["call"] > 0 and answer["again"] > 0 and answer["import"] >= 0
        totals[contender] = answer["total"]
    assert totals["relend"] == totals["duckdb"] == totals["polars"] > 0
    # the bare query sums principal (it trusts every row), not 60% of it
    assert totals["bare"] > totals["relend"]


def test_a_claim_through_the_api_gives_the_command_line_summary(out: Path, tmp_path: Path):
    server, base, _ = bench_api.start_server()
    try:
        headers = {"Authorization": f"Bearer {bench_api.TOKEN}"}
        with bench_api.httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            found = bench_api.measure(500, 1, tmp_path, client)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # the API's run was polled until done (its summary read) and agrees with the command's
    assert found["same"] is True
    assert 0 < found["upload"] < found["api"]
