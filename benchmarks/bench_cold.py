"""Time what users run, from fresh processes: the command cold, against DuckDB cold.

Usage: ``python benchmarks/bench_cold.py [ROWS ...] [--runs N] [--in-memory ROWS]
[--memory ROWS] [--no-startup] [--profile ROWS]`` (default 100,000, 1,000,000 and
2,000,000 rows, 3 runs; the in-memory and memory parts at 2,000,000 rows; ``0`` skips a
part). Ledgers come from ``generate.py`` (a text ledger with the dirt of real exports
and its eligible list), written once under ``benchmarks/out/`` (gitignored) and reused.
Every figure is the median of N runs; in each run the contenders take turns (relend,
DuckDB, relend, DuckDB...), so that a change of load on the shared machine falls on
all of them alike. Ratios are relend's time over the peer's: below 1, relend is faster.

- cold runs: each timed whole from a fresh process (interpreter start, imports,
  reading, the claim, every file written):
  ``relend claim tech LEDGER --quarter 2022Q2 --lender ICBC --eligible-borrowers LIST
  --out DIR --no-xlsx --quiet`` against ``python -c`` running the DuckDB pipeline of
  ``peers.py`` (its eligible and region tables, ``read_csv(all_varchar)``, the full claim
  in SQL into a table, ``COPY`` of every row to ``loans.csv``, totals and counts by
  reason into ``summary.json``; checked against relend's summary). Goals: at most 1.5x
  at 100,000 rows, at most 0.5x at 2,000,000;
- before the first row: fresh processes doing nothing (``python -c pass``), importing
  the command (``import calculators.cli.app``), importing numba (what the compiled kernels
  of a large ledger load first), ``relend claim`` of a 1-row ledger with its own list
  and with the largest ledger's eligible list, and the DuckDB pipeline on the 1-row
  ledger; then ``python -X importtime`` of the 1-row command, its heaviest imports;
- in memory, cold call: the first call in a fresh process on a 2,000,000-row ledger,
  text and typed (the frame unpickled and the eligible list made before the timing, as
  ``bench_claim.py`` gives them): relend's ``tech_relending.claim``; DuckDB's bare
  eligibility-and-sum query; the full claim in DuckDB SQL and in Polars. Each process
  also reports how long its contender's imports took (after pandas, which loading the
  frame needs), and the time of a second call (warm, for reference). The three claims'
  totals are checked to agree. Goals: at most 1.8x the bare query on text columns, 2.5x
  on a typed frame, 0.5x DuckDB SQL and Polars;
- peak memory: the command at 2,000,000 rows as a child process (maximum resident set
  size, started by a small launcher, see ``bench_claim.peak_rss_mib``) against the
  ledger's in-memory size (the frame relend reads from the CSV,
  ``memory_usage(deep=True)``). Goal: at most 2x. The DuckDB pipeline's peak and that of
  importing the command alone, for reference;
- ``--profile ROWS``: cProfile of the cold command at ROWS (main thread only: the
  blocks relend runs on worker threads show as the main thread's waits), printed and
  kept as ``benchmarks/out/cold-ROWS.prof``.

The figures go to ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import re
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
OUT = HERE / "out"
sys.path.insert(0, str(HERE))

from bytecode import compile_packages  # noqa: E402
from generate import LENDER, QUARTER  # noqa: E402

RUN_MAIN = "import sys; from calculators.cli import main; sys.exit(main(sys.argv[1:]))"

DUCKDB_PIPELINE = (
    "import sys; sys.path.insert(0, sys.argv[1]); import pandas as pd; "
    "from peers import duckdb_connection, duckdb_pipeline; "
    "con = duckdb_connection(pd.read_csv(sys.argv[3], dtype=str)['borrower_id'].to_numpy()); "
    "duckdb_pipeline(con, sys.argv[2], sys.argv[4])"
)

COLD_GOALS = {100_000: 1.5, 2_000_000: 0.5}
IN_MEMORY_GOALS = {("bare", "text"): 1.8, ("bare", "typed"): 2.5, "duckdb": 0.5, "polars": 0.5}


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f}/{five:.2f}"


def note(text: str) -> None:
    print(f"  {text}: load {load()}", file=sys.stderr, flush=True)


def ledger(rows: int) -> tuple[Path, Path]:
    """The text ledger of ``rows`` rows and its eligible list, written once."""
    from generate import write

    path = OUT / f"ledger-{rows}.csv"
    listed = Path(f"{path}.eligible.csv")
    if not (path.exists() and listed.exists()):
        OUT.mkdir(exist_ok=True)
        part = OUT / f".part-{rows}.csv"
        write(rows, str(part))
        os.replace(f"{part}.eligible.csv", listed)
        os.replace(part, path)
    return path, listed


def claim_argv(path: Path, listed: Path, out: Path) -> list[str]:
    options = ["--eligible-borrowers", str(listed), "--out", str(out), "--no-xlsx", "--quiet"]
    return ["claim", "tech", str(path), "--quarter", QUARTER, "--lender", LENDER, *options]


def timed(argv: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """The wall time of ``argv`` run as a fresh process, its output discarded."""
    start = time.perf_counter()
    done = subprocess.run(argv, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in ok:
        raise SystemExit(f"{argv[:4]}... exited {done.returncode}: {done.stderr[-2000:]!r}")
    return elapsed


def relend_cold(path: Path, listed: Path, out: Path) -> float:
    return timed([sys.executable, "-c", RUN_MAIN, *claim_argv(path, listed, out)], ok=(0, 3))


def duckdb_cold(path: Path, listed: Path, out: Path) -> float:
    out.mkdir()
    return timed(
        [sys.executable, "-c", DUCKDB_PIPELINE, str(HERE), str(path), str(listed), str(out)]
    )


def turns(work: dict[str, Callable[[int], float]], runs: int, label: str) -> dict[str, float]:
    """The median of ``runs`` turns of each contender (``work[name](run)`` gives a time)."""
    times: dict[str, list[float]] = {name: [] for name in work}
    for run in range(runs):
        note(f"{label}, run {run + 1}")
        for name, call in work.items():
            times[name].append(call(run))
    return {name: statistics.median(t) for name, t in times.items()}


def same_summary(relend_dir: Path, duck_dir: Path) -> bool:
    written = json.loads((relend_dir / "summary.json").read_text(encoding="utf-8"))
    duck = json.loads((duck_dir / "summary.json").read_text(encoding="utf-8"))
    return (
        duck["entitlement_fen"] == written["entitlement_fen"]
        and duck["eligible_principal_fen"] == written["eligible_principal_fen"]
        and duck["rows"] == written["loans_total"]
        and {k: v for k, v in written["reasons"].items() if v} == duck["reasons"]
    )


def cold(rows: int, runs: int, scratch: Path) -> dict[str, Any]:
    path, listed = ledger(rows)
    checked: list[bool] = []

    def relend(run: int) -> float:
        return relend_cold(path, listed, scratch / f"relend-{rows}-{run}")

    def duck(run: int) -> float:
        elapsed = duckdb_cold(path, listed, scratch / f"duckdb-{rows}-{run}")
        relend_dir, duck_dir = scratch / f"relend-{rows}-{run}", scratch / f"duckdb-{rows}-{run}"
        if run <= 0:
            checked.append(same_summary(relend_dir, duck_dir))
        shutil.rmtree(relend_dir)
        shutil.rmtree(duck_dir)
        return elapsed

    # one untimed turn each first: the CSV in the page cache, Python's and numba's caches
    # written (the kernels compile once per install), for both alike
    relend(-1), duck(-1)
    medians = turns({"relend": relend, "duckdb": duck}, runs, f"{rows:,} rows, cold")
    return {
        "rows": rows,
        "csv_mib": path.stat().st_size / 2**20,
        **medians,
        "same": all(checked),
    }


def startup(runs: int, big_list: Path, scratch: Path) -> dict[str, float]:
    path, listed = ledger(1)
    py = sys.executable
    work: dict[str, Callable[[int], float]] = {
        "python -c pass": lambda run: timed([py, "-c", "pass"]),
        "import calculators.cli.app": lambda run: timed([py, "-c", "import calculators.cli.app"]),
        "import numba": lambda run: timed([py, "-c", "import numba"]),
        "relend claim, 1 row, its list": lambda run: relend_cold(
            path, listed, scratch / f"one-{run}"
        ),
        f"relend claim, 1 row, {big_list.name}": lambda run: relend_cold(
            path, big_list, scratch / f"one-big-{run}"
        ),
        "DuckDB pipeline, 1 row": lambda run: duckdb_cold(path, listed, scratch / f"duck-{run}"),
    }
    return turns(work, runs, "before the first row")


def import_times(listed: Path, scratch: Path, top: int = 12) -> tuple[float, list[tuple]]:
    """``python -X importtime`` of the 1-row command: the total of the top-level imports
    (cumulative seconds) and the heaviest packages (seconds of their modules' own import
    time, summed, and how many modules)."""
    path, _ = ledger(1)
    done = subprocess.run(
        [
            sys.executable,
            "-X",
            "importtime",
            "-c",
            RUN_MAIN,
            *claim_argv(path, listed, scratch / "importtime"),
        ],
        capture_output=True,
        text=True,
    )
    total = 0.0
    packages: dict[str, list[float]] = {}
    for line in done.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| (\s*)(\S+)", line)
        if not match:
            continue
        if not match.group(3):
            total += int(match.group(2)) / 1e6
        found = packages.setdefault(match.group(4).split(".")[0], [0.0, 0])
        found[0] += int(match.group(1)) / 1e6
        found[1] += 1
    heaviest = sorted(((s, int(n), name) for name, (s, n) in packages.items()), reverse=True)
    return total, heaviest[:top]


# -- in memory, first call in a fresh process ------------------------------------------


def frame_file(rows: int, form: str) -> Path:
    """The pickled ledger frame and eligible list, made once."""
    path = OUT / f"frame-{rows}-{form}.pkl"
    if not path.exists():
        from generate import generate

        found = generate(rows, typed=form == "typed")
        OUT.mkdir(exist_ok=True)
        part = OUT / f".part-frame-{rows}-{form}.pkl"
        with part.open("wb") as f:
            pickle.dump((found.frame, found.eligible), f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(part, path)
    return path


def child(contender: str, form: str, rows: int) -> None:
    """Run in a fresh process: load the frame, import the contender, time its first
    call, then of a second call (warm, for reference); print the times and the claim's
    total (JSON)."""
    with frame_file(rows, form).open("rb") as f:
        frame, eligible = pickle.load(f)
    typed = form == "typed"
    start = time.perf_counter()
    if contender == "relend":
        from calculators import BorrowerList
        from calculators.programs import tech as tech_relending

        imported = time.perf_counter() - start
        listed = BorrowerList(eligible)
        start = time.perf_counter()
        result = tech_relending.claim(frame, QUARTER, LENDER, listed)
        call = time.perf_counter() - start
        total = result.entitlement_fen
        del result
        start = time.perf_counter()
        tech_relending.claim(frame, QUARTER, LENDER, listed)
        again = time.perf_counter() - start
    elif contender in ("bare", "duckdb"):
        import duckdb  # noqa: F401
        from peers import (
            DUCKDB_BARE_QUERY,
            DUCKDB_BARE_QUERY_TYPED,
            _arrow_column,
            duckdb_claim,
            duckdb_connection,
        )

        imported = time.perf_counter() - start
        con = duckdb_connection(eligible)
        con.register("ledger", frame)
        start = time.perf_counter()
        if contender == "bare":
            query = DUCKDB_BARE_QUERY_TYPED if typed else DUCKDB_BARE_QUERY
            total = con.execute(query).fetchall()[0][0]
            call = time.perf_counter() - start
            start = time.perf_counter()
            con.execute(query).fetchall()
        else:
            table = duckdb_claim(con, frame, typed)
            call = time.perf_counter() - start
            total = int(_arrow_column(table, "entitlement_fen").to_numpy().sum())
            del table
            start = time.perf_counter()
            duckdb_claim(con, frame, typed)
        again = time.perf_counter() - start
    else:
        import polars as pl
        from peers import _arrow_column, polars_claim

        imported = time.perf_counter() - start
        polars_frame = pl.from_pandas(frame)
        polars_eligible = pl.Series(eligible, dtype=pl.String)
        start = time.perf_counter()
        out = polars_claim(polars_frame, polars_eligible, typed)
        call = time.perf_counter() - start
        total = int(_arrow_column(out, "entitlement_fen").to_numpy().sum())
        del out
        start = time.perf_counter()
        polars_claim(polars_frame, polars_eligible, typed)
        again = time.perf_counter() - start
    answer = {"import": imported, "call": call, "again": again, "total": int(total or 0)}
    print(json.dumps(answer))


def in_memory_cold(rows: int, runs: int) -> list[dict[str, Any]]:
    out = []
    for form in ("text", "typed"):
        frame_file(rows, form)
        found: dict[str, list[dict]] = {}

        def run_child(
            contender: str, f: str = form, store: dict[str, list[dict]] = found
        ) -> Callable[[int], float]:
            def call(run: int) -> float:
                done = subprocess.run(
                    [sys.executable, __file__, "--child", contender, f, str(rows)],
                    capture_output=True,
                    text=True,
                )
                if done.returncode:
                    raise SystemExit(f"{contender} {f} failed: {done.stderr[-2000:]}")
                answer = json.loads(done.stdout.strip().splitlines()[-1])
                store.setdefault(contender, []).append(answer)
                return float(answer["call"])

            return call

        contenders = ("relend", "bare", "duckdb", "polars")
        medians = turns(
            {c: run_child(c) for c in contenders}, runs, f"{rows:,} rows, {form}, cold call"
        )
        totals = {c: found[c][0]["total"] for c in ("relend", "duckdb", "polars")}
        out.append(
            {
                "rows": rows,
                "form": form,
                **medians,
                "imports": {
                    c: statistics.median(a["import"] for a in found[c]) for c in contenders
                },
                "again": {c: statistics.median(a["again"] for a in found[c]) for c in contenders},
                "same": len(set(totals.values())) == 1,
            }
        )
    return out


# -- peak memory ----------------------------------------------------------------------


def memory(rows: int, scratch: Path) -> dict[str, float]:
    from bench_claim import peak_rss_mib

    from calculators.readers.ledger import read_ledger

    path, listed = ledger(rows)
    size = read_ledger(path).frame.memory_usage(deep=True).sum() / 2**20
    note(f"{rows:,} rows, peak memory")
    out = scratch / "memory-relend"
    rss, _, status = peak_rss_mib(
        [sys.executable, "-m", "calculators.cli", *claim_argv(path, listed, out)]
    )
    if status not in (0, 3):
        raise SystemExit(f"the command exited {status}")
    duck_out = scratch / "memory-duckdb"
    duck_out.mkdir()
    duck, _, _ = peak_rss_mib(
        [sys.executable, "-c", DUCKDB_PIPELINE, str(HERE), str(path), str(listed), str(duck_out)]
    )
    base, _, _ = peak_rss_mib([sys.executable, "-c", "import calculators.cli.app"])
    return {"rows": rows, "rss": rss, "ledger": size, "duckdb": duck, "base": base}


def profile(rows: int, scratch: Path, top: int = 30) -> None:
    import pstats

    path, listed = ledger(rows)
    stats = OUT / f"cold-{rows}.prof"  # kept for pstats or snakeviz
    note(f"{rows:,} rows, cProfile")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cProfile",
            "-o",
            str(stats),
            "-m",
            "calculators.cli",
            *claim_argv(path, listed, scratch / "profile"),
        ],
        capture_output=True,
    )
    print(f"\ncProfile of the cold command at {rows:,} rows (main thread), by cumulative time:\n")
    pstats.Stats(str(stats)).sort_stats("cumulative").print_stats(top)
    print("by own time:\n")
    pstats.Stats(str(stats)).sort_stats("tottime").print_stats(top)


# -- report ---------------------------------------------------------------------------


def goal(ratio: float, limit: float | None) -> str:
    if limit is None:
        return "-"
    return f"at most {limit}x: {'met' if ratio <= limit else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[100_000, 1_000_000, 2_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--in-memory", type=int, default=2_000_000, metavar="ROWS")
    parser.add_argument("--memory", type=int, default=2_000_000, metavar="ROWS")
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--profile", type=int, default=0, metavar="ROWS")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        contender, form, rows = args.child
        child(contender, form, int(rows))
        return
    print(f"load average (1/5 min) at the start {load()}", file=sys.stderr, flush=True)
    compile_packages()
    scratch = Path(tempfile.mkdtemp(prefix="relend-cold-"))
    try:
        colds = [cold(rows, args.runs, scratch) for rows in args.rows]
        first = None
        if not args.no_startup:
            biggest = max([*args.rows, args.memory, 1])
            big_list = ledger(biggest)[1]
            first = startup(args.runs, big_list, scratch)
            imports = import_times(big_list, scratch)
        claims = in_memory_cold(args.in_memory, args.runs) if args.in_memory else []
        peak = memory(args.memory, scratch) if args.memory else None
        report(args.runs, colds, first, imports if first else None, claims, peak)
        if args.profile:
            profile(args.profile, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(
    runs: int,
    colds: list[dict[str, Any]],
    first: dict[str, float] | None,
    imports: tuple[float, list[tuple]] | None,
    claims: list[dict[str, Any]],
    peak: dict[str, float] | None,
) -> None:
    import duckdb
    import pandas as pd
    import polars as pl
    import pyarrow as pa

    print(
        f"\nMedian of {runs} runs, each from a fresh process; {platform.machine()}, "
        f"{os.cpu_count()} cores; Python {platform.python_version()}, pandas {pd.__version__}, "
        f"pyarrow {pa.__version__}, DuckDB {duckdb.__version__}, Polars {pl.__version__}; "
        f"load average (1/5 min) at the end {load()}\n"
    )
    if colds:
        print("| rows | CSV | relend claim --out --no-xlsx (cold) | DuckDB pipeline (cold) "
              "| relend / DuckDB | goal | summaries agree |")  # fmt: skip
        print("|---:|---:|---:|---:|---:|---|---|")
    for c in colds:
        ratio = c["relend"] / c["duckdb"]
        print(
            f"| {c['rows']:,} | {c['csv_mib']:,.1f} MiB | {c['relend']:.2f} s "
            f"| {c['duckdb']:.2f} s | {ratio:.2f}x | {goal(ratio, COLD_GOALS.get(c['rows']))} "
            f"| {'yes' if c['same'] else 'NO'} |"
        )
    if first:
        print("\n| before the first row (fresh process) | wall time |")
        print("|---|---:|")
        for name, t in first.items():
            print(f"| {name} | {t:.2f} s |")
    if imports:
        total, heaviest = imports
        print(
            f"\n`python -X importtime` of the 1-row command: {total:.2f} s of imports; "
            "the heaviest packages (their modules' own times, summed):\n"
        )
        print("| package | import time | modules |")
        print("|---|---:|---:|")
        for own, count, name in heaviest:
            print(f"| {name} | {own:.3f} s | {count} |")
    if claims:
        print(
            "\n| rows | form | relend claim (first call) | DuckDB bare query | relend / bare "
            "| DuckDB SQL claim | relend / DuckDB SQL | Polars claim | relend / Polars "
            "| imports: relend, DuckDB, Polars | totals agree |"
        )
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
    again = []
    for c in claims:
        bare, duck, polars = (c["relend"] / c[k] for k in ("bare", "duckdb", "polars"))
        i = c["imports"]
        print(
            f"| {c['rows']:,} | {c['form']} | {c['relend']:.2f} s | {c['bare']:.2f} s "
            f"| {bare:.2f}x ({goal(bare, IN_MEMORY_GOALS[('bare', c['form'])])}) "
            f"| {c['duckdb']:.2f} s | {duck:.2f}x ({goal(duck, IN_MEMORY_GOALS['duckdb'])}) "
            f"| {c['polars']:.2f} s | {polars:.2f}x ({goal(polars, IN_MEMORY_GOALS['polars'])}) "
            f"| {i['relend']:.2f} s, {i['duckdb']:.2f} s, {i['polars']:.2f} s "
            f"| {'yes' if c['same'] else 'NO'} |"
        )
        a = c["again"]
        again.append(
            f"| {c['form']} | {a['relend']:.2f} s | {a['bare']:.2f} s | {a['duckdb']:.2f} s "
            f"| {a['polars']:.2f} s |"
        )
    if again:
        print("\nThe second call in the same processes (warm), for reference:\n")
        print("| form | relend claim | DuckDB bare query | DuckDB SQL claim | Polars claim |")
        print("|---|---:|---:|---:|---:|")
        print("\n".join(again))
    if peak:
        ratio = peak["rss"] / peak["ledger"]
        print(
            "\n| rows | relend peak RSS | ledger in memory | peak / ledger | goal "
            "| imports alone | DuckDB pipeline peak RSS |"
        )
        print("|---:|---:|---:|---:|---|---:|---:|")
        print(
            f"| {peak['rows']:,} | {peak['rss']:,.0f} MiB | {peak['ledger']:,.0f} MiB "
            f"| {ratio:.2f}x | {goal(ratio, 2)} | {peak['base']:,.0f} MiB "
            f"| {peak['duckdb']:,.0f} MiB |"
        )


if __name__ == "__main__":
    main()
