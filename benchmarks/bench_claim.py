"""Time a tech claim on a synthetic in-memory ledger; compare with DuckDB when installed.

Usage: ``python benchmarks/bench_claim.py [--csv] [ROWS ...]`` (default 1,000,000).
Each side is timed as the best of three runs (relend's first, cold run is shown too).
With ``--csv`` the ledger is also written to a temporary CSV and both sides start from
the file: ``tech_relending.claim(path)`` against DuckDB's ``read_csv`` and the query.
DuckDB comes with ``pip install '.[bench]'``; without it only relend is timed.
Memory: the claim's peak is sampled from ``/proc/self/statm`` while it runs and
reported as the growth over the resident size just before it (Linux), beside the
ledger DataFrame's own size (``memory_usage(deep=True)``).
"""

from __future__ import annotations

import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import ledger

from calculators import round_half_up, tech_relending

DUCKDB_QUERY = """
SELECT sum(CAST(replace(principal, '.', '') AS BIGINT)) AS eligible_fen
FROM ledger l
WHERE currency = 'CNY'
  AND principal NOT LIKE '-%'
  AND CAST(disbursement_date AS DATE) BETWEEN DATE '2022-04-01' AND DATE '2022-06-30'
  AND CAST(maturity_date AS DATE) >= CAST(disbursement_date AS DATE) + INTERVAL 6 MONTH
  AND borrower_id IN (SELECT borrower_id FROM eligible)
"""


def rss_mib() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


class PeakSampler(threading.Thread):
    """Samples resident memory every 5 ms until stopped."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.base = rss_mib()
        self.peak = self.base
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mib())
            time.sleep(0.005)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.peak, rss_mib()) - self.base


RUNS = 3


def timed(work: Callable[[], Any], runs: int = RUNS) -> tuple[float, float, Any]:
    """The first (cold) time, the best of ``runs`` times, and the first result."""
    times, first = [], None
    for i in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
        first = result if i == 0 else first
        del result
    return times[0], min(times), first


def run_csv(frame, eligible, rows: int) -> None:
    import tempfile

    import duckdb
    import pandas as pd

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ledger.csv"
        frame.to_csv(path, index=False)
        if hasattr(os, "sync"):
            os.sync()  # the file's pages are written out before either side reads it
        cold, took, result = timed(lambda: tech_relending.claim(path, "2022Q2", "ICBC", eligible))
        con = duckdb.connect()
        con.register("eligible", pd.DataFrame({"borrower_id": eligible}))

        def duck_query() -> int:
            source = f"read_csv('{path}', all_varchar=true)"
            con.execute(f"CREATE OR REPLACE VIEW ledger AS SELECT * FROM {source}")
            return con.execute(DUCKDB_QUERY).fetchone()[0]

        duck_cold, duck, duck_fen = timed(duck_query)
    print(
        f"csv     rows={rows:>10,}  relend {took:8.2f} s (first {cold:.2f} s)  "
        f"duckdb {duck:8.2f} s (first {duck_cold:.2f} s)  ratio {took / duck:6.2f}  "
        f"same: {duck_fen == result.eligible_principal_fen}"
    )


def run(rows: int, csv: bool = False) -> None:
    frame, eligible = ledger(rows)
    size = frame.memory_usage(deep=True).sum() / 2**20
    sampler = PeakSampler()
    sampler.start()
    start = time.perf_counter()
    result = tech_relending.claim(frame, "2022Q2", "ICBC", eligible)
    cold = time.perf_counter() - start
    grew = sampler.stop()
    del result
    _, took, result = timed(lambda: tech_relending.claim(frame, "2022Q2", "ICBC", eligible))
    took = min(took, cold)
    print(
        f"relend  rows={rows:>10,}  {took:8.2f} s (first {cold:.2f} s)  "
        f"{rows / took:12,.0f} rows/s  ledger {size:8.1f} MiB  "
        f"claim peak +{grew:8.1f} MiB ({grew / size:4.2f}x ledger)  "
        f"eligible_fen={result.eligible_principal_fen}"
    )
    try:
        import duckdb
    except ImportError:
        print("duckdb not installed: pip install '.[bench]' to compare")
        return
    import pandas as pd

    con = duckdb.connect()
    con.register("ledger", frame)
    con.register("eligible", pd.DataFrame({"borrower_id": eligible}))
    duck_cold, duck, duck_fen = timed(lambda: con.execute(DUCKDB_QUERY).fetchone()[0])
    same = duck_fen == result.eligible_principal_fen
    print(
        f"duckdb  rows={rows:>10,}  {duck:8.2f} s (first {duck_cold:.2f} s)  "
        f"ratio relend/duckdb {took / duck:6.2f}  "
        f"same eligible principal: {same}  entitlement {round_half_up(Fraction(3, 5) * duck_fen)}"
    )
    if csv:
        run_csv(frame, eligible, rows)


if __name__ == "__main__":
    arguments = sys.argv[1:]
    with_csv = "--csv" in arguments
    for arg in [a for a in arguments if a != "--csv"] or ["1000000"]:
        run(int(arg), with_csv)
