"""Time the commands people wait for: each from a fresh process, against importing
``calendars`` alone.

Usage: ``python benchmarks/bench_startup.py [--runs N] [--root DIR]`` (default 5 runs;
``--root`` a relend source tree to time instead of this one, for a before-and-after).

Each command is run whole (interpreter start, imports, parsing, the answer printed) by
``calculators.cli.main`` in a new interpreter with ``PYTHONPATH`` set to the tree, the
commands taking turns run by run so that a change of load on the shared machine falls
on all of them alike; each figure is the median of the runs, after one run of each
that is not counted and leaves the bytecode cached (``__pycache__``), as an installed
relend has it. The reference is
``python -c "import calendars"``, the calendar lookup a deadline is: the goal is
``relend deadline 2022Q2`` at most 2x that. The figures go to ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUN_MAIN = "import sys; from calculators.cli import main; sys.exit(main(sys.argv[1:]))"

REFERENCE = "import calendars"
COMMANDS = (
    ["deadline", "2022Q2"],
    ["policy", "list"],
    ["policy", "show", "equipment"],
    ["facility", "tech", "--amount", "600,000.00", "--drawdown", "2022-07-15",
     "--extensions", "2"],
    ["incentive", "--quarter", "2022Q2", "--previous-balance", "100,000,000.00",
     "--current-balance", "123,456,789.01"],
    ["--help"],
    ["claim", "--help"],
    ["book", "show", "--help"],
    ["serve", "--help"],
)  # fmt: skip


def timed(code: str, argv: list[str], root: Path) -> float:
    """The wall time of ``python -c CODE ARGV`` in a fresh process (exit 0 expected)."""
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # timed with bytecode cached, as installed
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, env=env, cwd=root, check=False
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{argv}: exit {done.returncode}\n{done.stderr.decode()}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    root = args.root.resolve()
    contenders = [("python -c 'import calendars'", REFERENCE, [])]
    contenders += [("relend " + " ".join(argv), RUN_MAIN, list(argv)) for argv in COMMANDS]
    times: dict[str, list[float]] = {name: [] for name, _, _ in contenders}
    for _name, code, argv in contenders:  # a first run, not counted, writes the bytecode
        timed(code, argv, root)
    for _ in range(args.runs):
        for name, code, argv in contenders:
            times[name].append(timed(code, argv, root))
    one, five, _ = os.getloadavg()
    print(
        f"{time.strftime('%Y-%m-%d')}, {platform.machine()} {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {one:.2f}/{five:.2f}, "
        f"{args.runs} runs each, tree {root}"
    )
    reference = statistics.median(times[contenders[0][0]])
    print()
    print("| command | median (s) | x import calendars |")
    print("|---|---:|---:|")
    for name, _, _ in contenders:
        median = statistics.median(times[name])
        print(f"| `{name}` | {median:.3f} | {median / reference:.2f} |")


if __name__ == "__main__":
    main()
