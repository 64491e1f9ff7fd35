"""Time relend's tech claim against DuckDB and Polars on a dirty 2022Q2 ledger.

Usage: ``python benchmarks/bench_claim.py [--runs N] [--no-end-to-end] [ROWS ...]``
(default 1,000,000 rows, 5 runs). Everything runs in this one process, each figure
the median of N runs, on the ledgers of ``generate.py`` (realistic dirt), text (every
cell a string, as from a CSV) and typed (``datetime64`` dates, int64
``principal_fen``, as in a notebook):

- in memory: relend's ``tech_relending.claim``; DuckDB's bare eligibility-and-sum query
  (trusts every id and date); the same full claim in DuckDB SQL and in Polars
  (``peers.py``), whose rows are checked against relend's, row by row, on every run
  of this script. Each is given the eligible list made once, before the timings, as
  a notebook reusing it across claims has it: DuckDB a table, Polars a Series,
  relend a ``BorrowerList``;
- end to end, from the ledger CSV to the written outputs: ``relend claim tech FILE
  ... --out DIR --no-xlsx --quiet`` (``calculators.cli.main`` in this process) against
  DuckDB ``read_csv`` + the full SQL claim + ``COPY`` to CSV + a summary JSON (totals
  and counts checked against relend's summary);
- peak memory: the relend command run once more as a child process (its maximum
  resident set size, from ``wait4``), against the ledger's in-memory size (the frame
  relend reads from the CSV, ``memory_usage(deep=True)``); the DuckDB pipeline's the
  same way, for reference.

Ratios are relend's time over the peer's: below 1 relend is faster. The tables are
printed as Markdown, as ``benchmarks/README.md`` shows them.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import duckdb  # noqa: E402
import pandas as pd  # noqa: E402
import polars as pl  # noqa: E402
import pyarrow as pa  # noqa: E402
from generate import LENDER, QUARTER, generate  # noqa: E402
from peers import (  # noqa: E402
    DUCKDB_BARE_QUERY,
    DUCKDB_BARE_QUERY_TYPED,
    compare,
    duckdb_claim,
    duckdb_connection,
    duckdb_pipeline,
    polars_claim,
)

from calculators import BorrowerList  # noqa: E402
from calculators.cli import main as relend_main  # noqa: E402
from calculators.programs import tech as tech_relending  # noqa: E402
from calculators.readers.ledger import read_ledger  # noqa: E402


def median_times(work: dict[str, Callable[[], Any]], runs: int) -> tuple[dict, dict]:
    """The median wall time of ``runs`` calls of each contender, and each one's first
    result. The contenders take turns, one call each per round, so that a change of load
    on a shared machine falls on all of them alike."""
    times: dict[str, list[float]] = {name: [] for name in work}
    first: dict[str, Any] = {}
    for i in range(runs):
        for name, call in work.items():
            gc.collect()
            start = time.perf_counter()
            result = call()
            times[name].append(time.perf_counter() - start)
            if i == 0:
                first[name] = result
            del result
    return {name: statistics.median(t) for name, t in times.items()}, first


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


_LAUNCHER = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[1:], "
    "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "_, status, usage = os.wait4(child.pid, 0); "
    "print(usage.ru_maxrss, os.waitstatus_to_exitcode(status))"
)


def peak_rss_mib(argv: list[str]) -> tuple[float, float, int]:
    """Run ``argv`` as a child: its peak resident set size (MiB), wall time, exit status.

    Notes
    -----
    Linux keeps a process's peak resident size across ``exec``, so a child forked from
    this large process would report this process's size: the child is started by a
    small launcher process, whose own child's peak is its own.
    """
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *argv], capture_output=True, text=True, check=True
    )
    kib, status = done.stdout.split()
    return int(kib) / 1024, time.perf_counter() - start, int(status)


def in_memory(rows: int, runs: int) -> list[dict[str, Any]]:
    """Medians of the four in-memory measurements, text and typed."""
    out = []
    for typed in (False, True):
        found = generate(rows, typed=typed)
        frame, eligible = found.frame, found.eligible
        polars_frame = pl.from_pandas(frame)
        # each contender is given the eligible list made once, outside the timings:
        # DuckDB as a table, Polars as a Series, relend as a BorrowerList
        polars_eligible = pl.Series(eligible, dtype=pl.String)
        con = duckdb_connection(eligible)
        relend_eligible = BorrowerList(eligible)
        con.register("ledger", frame)
        form = "typed" if typed else "text"
        print(f"  {rows:,} rows, {form}: load {load()}", file=sys.stderr, flush=True)

        bare_sql = DUCKDB_BARE_QUERY_TYPED if typed else DUCKDB_BARE_QUERY
        medians, first = median_times(
            {
                "relend": lambda f=frame, e=relend_eligible: tech_relending.claim(
                    f, QUARTER, LENDER, e
                ),
                "bare": lambda c=con, q=bare_sql: c.execute(q).fetchall(),
                "duckdb": lambda c=con, f=frame, t=typed: duckdb_claim(c, f, t),
                "polars": lambda f=polars_frame, e=polars_eligible, t=typed: polars_claim(f, e, t),
            },
            runs,
        )
        result, duck_rows, polars_rows = first["relend"], first["duckdb"], first["polars"]
        duck_check, polars_check = (
            compare(result.loans, duck_rows),
            compare(result.loans, polars_rows),
        )
        out.append(
            {
                "rows": rows,
                "form": form,
                **medians,
                "checked": f"DuckDB {duck_check}; Polars {polars_check}",
                "same": duck_check.same and polars_check.same,
                "ledger_mib": frame.memory_usage(deep=True).sum() / 2**20,
                "entitlement_fen": result.entitlement_fen,
            }
        )
        del result, duck_rows, polars_rows, polars_frame, frame, con, first, relend_eligible
        gc.collect()
    return out


def end_to_end(rows: int, runs: int) -> dict[str, Any]:
    """Medians of relend's CLI and of the DuckDB pipeline, CSV in to outputs written, and
    the peak memory of each as a child process."""
    folder = Path(tempfile.mkdtemp(prefix="relend-bench-"))
    try:
        found = generate(rows)
        ledger, listed = folder / "ledger.csv", folder / "eligible.csv"
        found.frame.to_csv(ledger, index=False)
        pd.Series(found.eligible, name="borrower_id").to_csv(listed, index=False)
        del found
        gc.collect()
        size = read_ledger(ledger).frame.memory_usage(deep=True).sum() / 2**20
        argv = ["claim", "tech", str(ledger), "--quarter", QUARTER, "--lender", LENDER,
                "--eligible-borrowers", str(listed), "--no-xlsx", "--quiet"]  # fmt: skip
        print(f"  {rows:,} rows, end to end: load {load()}", file=sys.stderr, flush=True)
        counter = iter(range(10**6))

        def relend() -> int:
            out = folder / f"relend-{next(counter)}"
            with contextlib.redirect_stdout(io.StringIO()):  # the printed summary
                status = relend_main([*argv, "--out", str(out)])
            shutil.rmtree(out)
            return status

        con = duckdb_connection(pd.read_csv(listed, dtype=str)["borrower_id"].to_numpy())

        def duck() -> dict[str, Any]:
            out = folder / f"duckdb-{next(counter)}"
            out.mkdir()
            summary = duckdb_pipeline(con, str(ledger), str(out))
            shutil.rmtree(out)
            return summary

        medians, first = median_times({"relend": relend, "duckdb": duck}, runs)
        relend_time, duck_time = medians["relend"], medians["duckdb"]
        status, summary = first["relend"], first["duckdb"]
        out = folder / "relend-memory"
        rss, child_time, child_status = peak_rss_mib(
            [sys.executable, "-m", "calculators.cli", *argv, "--out", str(out)]
        )
        written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        same = (
            summary["entitlement_fen"] == written["entitlement_fen"]
            and summary["eligible_principal_fen"] == written["eligible_principal_fen"]
            and summary["rows"] == written["loans_total"]
            and {k: v for k, v in written["reasons"].items() if v} == summary["reasons"]
        )
        shutil.rmtree(out)
        duck_out = folder / "duckdb-memory"
        duck_out.mkdir()
        script = (
            f"import sys; sys.path.insert(0, {str(HERE)!r}); import pandas as pd; "
            "from peers import duckdb_connection, duckdb_pipeline; "
            f"con = duckdb_connection(pd.read_csv({str(listed)!r}, dtype=str)"
            "['borrower_id'].to_numpy()); "
            f"duckdb_pipeline(con, {str(ledger)!r}, {str(duck_out)!r})"
        )
        duck_rss, _, _ = peak_rss_mib([sys.executable, "-c", script])
        # what the interpreter holds before any ledger: Python, numpy, pandas, Arrow, relend
        base, _, _ = peak_rss_mib([sys.executable, "-c", "import calculators.cli.app"])
        return {
            "rows": rows,
            "relend": relend_time,
            "duckdb": duck_time,
            "status": (status, child_status),
            "same": same,
            "rss": rss,
            "child_time": child_time,
            "duck_rss": duck_rss,
            "base_rss": base,
            "ledger_mib": size,
            "csv_mib": ledger.stat().st_size / 2**20,
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def x(a: float, b: float) -> str:
    return f"{a / b:.2f}x"


def report(claims: list[dict[str, Any]], ends: list[dict[str, Any]], runs: int) -> None:
    print(
        f"\nMedian of {runs} runs; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores; Python {platform.python_version()}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, DuckDB {duckdb.__version__}, Polars {pl.__version__}; "
        f"load average (1/5 min) at the end {load()}\n"
    )
    if claims:
        print(
            "| rows | form | relend claim | DuckDB bare query | relend / bare "
            "| DuckDB SQL claim | relend / DuckDB SQL | Polars claim | relend / Polars "
            "| rows checked |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for c in claims:
        print(
            f"| {c['rows']:,} | {c['form']} | {c['relend']:.2f} s | {c['bare']:.2f} s | "
            f"{x(c['relend'], c['bare'])} | {c['duckdb']:.2f} s | {x(c['relend'], c['duckdb'])} "
            f"| {c['polars']:.2f} s | {x(c['relend'], c['polars'])} | "
            f"{'same' if c['same'] else c['checked']} |"
        )
    if not ends:
        return
    print(
        "\n| rows | CSV | relend claim --out (CLI) | DuckDB read_csv + claim + COPY + JSON "
        "| relend / DuckDB | relend peak RSS (imports alone) | ledger in memory | peak / ledger "
        "| DuckDB pipeline peak RSS | outputs agree |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for e in ends:
        print(
            f"| {e['rows']:,} | {e['csv_mib']:,.0f} MiB | {e['relend']:.2f} s | "
            f"{e['duckdb']:.2f} s | {x(e['relend'], e['duckdb'])} | {e['rss']:,.0f} MiB "
            f"({e['base_rss']:,.0f} MiB) | "
            f"{e['ledger_mib']:,.0f} MiB | {x(e['rss'], e['ledger_mib'])} | "
            f"{e['duck_rss']:,.0f} MiB | {'yes' if e['same'] else 'NO'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-end-to-end", action="store_true")
    parser.add_argument("--no-in-memory", action="store_true")
    parser.add_argument(
        "--csv", action="store_true", help="ignored: end to end runs unless --no-end-to-end"
    )
    args = parser.parse_args()
    print(f"load average (1/5 min) at the start {load()}", flush=True)
    claims, ends = [], []
    for rows in args.rows:
        if not args.no_in_memory:
            claims += in_memory(rows, args.runs)
        if not args.no_end_to_end:
            ends.append(end_to_end(rows, args.runs))
    report(claims, ends, args.runs)


if __name__ == "__main__":
    main()
