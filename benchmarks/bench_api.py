"""Time a claim through the web app's HTTP API against the command line, same ledger.

Usage: ``python benchmarks/bench_api.py [ROWS ...] [--runs N]`` (default 1,000,000 rows,
3 runs). The text ledger of ``generate.py`` and its eligible list are written once under
``benchmarks/out/`` (gitignored), as ``bench_cold.py`` writes them.

``relend serve --no-browser --token T --port P`` is started once in a subprocess (its
start, until it answers, is printed but not counted: a user's server is already running).
Then, taking turns run by run, so that a change of load on the shared machine falls on
all alike:

- the API: ``POST /api/claims`` (multipart: ``program=tech``, ``period=2022Q2``,
  ``lender=ICBC``, the files ``ledger`` and ``eligible_borrowers``), then
  ``GET /api/claims/{id}`` every 20 ms until ``done``; timed from the start of the upload
  to the answer that says done (the upload alone is printed too); then ``DELETE``. The
  server runs the command line in a process of its own, with the workbook;
- the command line from a fresh process, ``relend claim tech LEDGER --quarter 2022Q2
  --lender ICBC --eligible-borrowers LIST --out DIR --quiet``: the same files as the API's
  run (``summary.json``, ``loans.csv``, ``claim.xlsx``);
- for reference, the same command with ``--no-xlsx``.

The API's summary is checked against the command's (``entitlement_fen``,
``eligible_principal_fen``). Each figure is the median of the runs; the ratios are the
API's time over the command's. The figures go to ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import httpx  # noqa: E402
from bench_cold import RUN_MAIN, ledger, load, note, timed  # noqa: E402
from bytecode import compile_packages  # noqa: E402
from generate import LENDER, QUARTER  # noqa: E402

TOKEN = "relend-benchmark-token-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server() -> tuple[subprocess.Popen[bytes], str, float]:
    """``relend serve`` in a subprocess: the process, its base URL, the seconds until it
    answered."""
    port = free_port()
    start = time.perf_counter()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            RUN_MAIN,
            "serve",
            "--no-browser",
            "--token",
            TOKEN,
            "--port",
            str(port),
            "--max-upload-mb",
            "2000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    while True:
        if server.poll() is not None:
            raise SystemExit(f"relend serve exited {server.returncode}")
        try:
            answer = httpx.get(
                f"{base}/api/deadline",
                params={"period": QUARTER},
                headers={"Authorization": f"Bearer {TOKEN}"},
            )
            if answer.status_code == 200:
                return server, base, time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.05)


def api_claim(client: httpx.Client, path: Path, listed: Path) -> tuple[float, float, dict]:
    """One claim through the API: total seconds, seconds of the upload, the summary."""
    start = time.perf_counter()
    with path.open("rb") as book, listed.open("rb") as names:
        posted = client.post(
            "/api/claims",
            data={"program": "tech", "period": QUARTER, "lender": LENDER},
            files={
                "ledger": (path.name, book, "text/csv"),
                "eligible_borrowers": (listed.name, names, "text/csv"),
            },
        )
    uploaded = time.perf_counter() - start
    if posted.status_code != 202:
        raise SystemExit(f"POST /api/claims answered {posted.status_code}: {posted.text[:500]}")
    run = posted.json()["id"]
    while True:
        state = client.get(f"/api/claims/{run}").json()
        if state["status"] in ("done", "failed"):
            break
        time.sleep(0.02)
    elapsed = time.perf_counter() - start
    if state["status"] != "done":
        raise SystemExit(f"the API's run failed: {state}")
    client.delete(f"/api/claims/{run}")
    return elapsed, uploaded, state["summary"]


def measure(rows: int, runs: int, scratch: Path, client: httpx.Client) -> dict[str, Any]:
    path, listed = ledger(rows)
    base = ["claim", "tech", str(path), "--quarter", QUARTER, "--lender", LENDER,
            "--eligible-borrowers", str(listed), "--quiet"]  # fmt: skip
    times: dict[str, list[float]] = {"api": [], "upload": [], "cli": [], "no_xlsx": []}
    same = True
    # one untimed turn of each first: the CSV in the page cache, Python's caches written
    for run in range(-1, runs):
        if run >= 0:
            note(f"{rows:,} rows, run {run + 1}")
        elapsed, uploaded, summary = api_claim(client, path, listed)
        out = scratch / f"cli-{run}"
        cli = timed([sys.executable, "-c", RUN_MAIN, *base, "--out", str(out)], ok=(0, 3))
        written = json.loads((out / "summary.json").read_text(encoding="utf-8"))
        same = same and all(
            summary[k] == written[k] for k in ("entitlement_fen", "eligible_principal_fen")
        )
        shutil.rmtree(out)
        out = scratch / f"no-xlsx-{run}"
        no_xlsx = timed(
            [sys.executable, "-c", RUN_MAIN, *base, "--out", str(out), "--no-xlsx"], ok=(0, 3)
        )
        shutil.rmtree(out)
        if run >= 0:
            for name, t in (("api", elapsed), ("upload", uploaded), ("cli", cli),
                            ("no_xlsx", no_xlsx)):  # fmt: skip
                times[name].append(t)
    medians = {name: statistics.median(t) for name, t in times.items()}
    return {"rows": rows, "csv_mib": path.stat().st_size / 2**20, **medians, "same": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"load average (1/5 min) at the start {load()}", file=sys.stderr, flush=True)
    compile_packages()
    for rows in args.rows:
        ledger(rows)
    scratch = Path(tempfile.mkdtemp(prefix="relend-api-"))
    server, base, ready = start_server()
    found = []
    try:
        headers = {"Authorization": f"Bearer {TOKEN}"}
        with httpx.Client(base_url=base, headers=headers, timeout=600) as client:
            found = [measure(rows, args.runs, scratch, client) for rows in args.rows]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    print(
        f"\nMedian of {args.runs} runs; {platform.machine()}, {os.cpu_count()} cores; "
        f"Python {platform.python_version()}, httpx {httpx.__version__}; relend serve "
        f"answered {ready:.2f} s after its start (not counted); load average (1/5 min) at "
        f"the end {load()}\n"
    )
    print("| rows | CSV | API: POST until done | of it the upload | relend claim --out (CLI) "
          "| API / CLI | CLI --no-xlsx | API / --no-xlsx | summaries agree |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for f in found:
        print(
            f"| {f['rows']:,} | {f['csv_mib']:,.0f} MiB | {f['api']:.2f} s | {f['upload']:.2f} s "
            f"| {f['cli']:.2f} s | {f['api'] / f['cli']:.2f}x | {f['no_xlsx']:.2f} s "
            f"| {f['api'] / f['no_xlsx']:.2f}x | {'yes' if f['same'] else 'NO'} |"
        )


if __name__ == "__main__":
    main()
