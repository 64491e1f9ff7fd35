"""Time the whole ``relend claim --out`` command with and without the workbook.

Usage: ``python benchmarks/bench_command.py [ROWS ...] [--runs N]`` (default 100,000
and 1,000,000 rows, 1 run).

For each size, a text ledger made by ``generate.py`` is written as a CSV with its
eligible list, then, each from a fresh process and timed whole (interpreter start,
imports, reading, the claim, every file written):

- ``relend claim tech LEDGER --quarter 2022Q2 --lender ICBC --eligible-borrowers LIST
  --out DIR --quiet``: the default command, ``claim.xlsx`` included;
- the same with ``--no-xlsx`` (``summary.json`` and ``loans.csv`` only);
- for reference, Polars' ``write_excel`` of the same loans (``loans.csv`` of the first
  command read back as text, every column a string), timed around the call alone in a
  process of its own: a general writer given the same rows.

The contenders take turns run by run, so that a change of load on the shared machine
falls on all of them alike; each figure is the median of the runs. The goals: the
default command at most 3x the one with ``--no-xlsx``, and at most 0.1x Polars'
``write_excel``. The figures go to ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bytecode import compile_packages
from generate import LENDER, QUARTER, write

RUN_MAIN = "import sys; from calculators.cli import main; sys.exit(main(sys.argv[1:]))"

POLARS = (
    "import sys, time, polars as pl; "
    "frame = pl.read_csv(sys.argv[1], infer_schema=False); "
    "start = time.perf_counter(); frame.write_excel(sys.argv[2]); "
    "print(time.perf_counter() - start)"
)


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def command(argv: list[str]) -> float:
    """The wall time of ``relend ARGV`` in a fresh process (exit 0 or 3 expected)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", RUN_MAIN, *argv], capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 3):
        raise SystemExit(f"relend {' '.join(argv)} exited {done.returncode}: {done.stderr!r}")
    return elapsed


def polars_write_excel(loans: Path, out: Path) -> float:
    """Polars' ``write_excel`` of the loans, read back as text, timed around the call."""
    done = subprocess.run(
        [sys.executable, "-c", POLARS, str(loans), str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.strip())


def measure(rows: int, runs: int, folder: Path) -> dict[str, float]:
    ledger = folder / f"ledger-{rows}.csv"
    write(rows, str(ledger))
    base = ["claim", "tech", str(ledger), "--quarter", QUARTER, "--lender", LENDER,
            "--eligible-borrowers", f"{ledger}.eligible.csv", "--quiet"]  # fmt: skip
    times: dict[str, list[float]] = {"workbook": [], "no_xlsx": [], "polars": []}
    size = 0.0
    for run in range(runs):
        print(f"  {rows:,} rows, run {run + 1}: load {load()}", file=sys.stderr, flush=True)
        with_book, without = folder / "with", folder / "without"
        times["workbook"].append(command([*base, "--out", str(with_book)]))
        times["no_xlsx"].append(command([*base, "--out", str(without), "--no-xlsx"]))
        size = (with_book / "claim.xlsx").stat().st_size / 2**20
        polars_book = folder / "polars.xlsx"
        times["polars"].append(polars_write_excel(with_book / "loans.csv", polars_book))
        polars_size = polars_book.stat().st_size / 2**20
        for path in (with_book, without):
            shutil.rmtree(path)
        polars_book.unlink()
    ledger.unlink()
    Path(f"{ledger}.eligible.csv").unlink()
    medians = {name: statistics.median(t) for name, t in times.items()}
    return {**medians, "size": size, "polars_size": polars_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    print(f"load average (1/5 min) at the start {load()}", file=sys.stderr, flush=True)
    compile_packages()
    found = {}
    with tempfile.TemporaryDirectory(prefix="relend-bench-") as folder:
        for rows in args.rows:
            found[rows] = measure(rows, args.runs, Path(folder))
    import polars
    import pyarrow

    print(
        f"\nMedian of {args.runs} run(s), each command from a fresh process; "
        f"{platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"pyarrow {pyarrow.__version__}, Polars {polars.__version__}; "
        f"load average (1/5 min) at the end {load()}\n"
    )
    print("| rows | relend claim --out (workbook) | with --no-xlsx | workbook / no-xlsx "
          "| Polars write_excel | relend / Polars | claim.xlsx | Polars' file |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for rows, t in found.items():
        print(
            f"| {rows:,} | {t['workbook']:.2f} s | {t['no_xlsx']:.2f} s "
            f"| {t['workbook'] / t['no_xlsx']:.2f}x | {t['polars']:.2f} s "
            f"| {t['workbook'] / t['polars']:.3f}x | {t['size']:.0f} MiB "
            f"| {t['polars_size']:.0f} MiB |"
        )


if __name__ == "__main__":
    main()
