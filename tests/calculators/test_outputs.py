"""``--out`` files are whole or absent, belong to one run, and failures exit as documented.

The expected file sets and digests are worked out independently of the code under test:
names from the README, SHA-256 with :mod:`hashlib` over the bytes on disk.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from calculators import _report
from calculators.cli import main

ROOT = Path(__file__).parent.parent.parent
GOLDEN = ROOT / "tests" / "golden"
TECH_LEDGER = str(GOLDEN / "tech_2022Q2_icbc.csv")
TRANSPORT_LEDGER = str(ROOT / "examples" / "transport_ledger_gb18030.csv")
DISHONEST = str(ROOT / "examples" / "dishonest.txt")
ELIGIBLE_IDS = ["911101085011945813", "915101005446414621", "91420100102630063R"]


@pytest.fixture
def eligible(tmp_path) -> str:
    path = tmp_path / "eligible.txt"
    path.write_text("\n".join(ELIGIBLE_IDS) + "\n", encoding="utf-8")
    return str(path)


def _tech(out: Path, eligible: str, *extra: str, ledger: str = TECH_LEDGER) -> list[str]:
    return ["claim", "tech", ledger, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out), *extra]  # fmt: skip


def _transport(out: Path, quarter: str, *extra: str) -> list[str]:
    return ["claim", "transport", TRANSPORT_LEDGER, "--quarter", quarter, "--lender", "ABC",
            "--dishonest", DISHONEST, "--out", str(out), *extra]  # fmt: skip


def _snapshot(folder: Path) -> dict[str, str]:
    """Every entry of ``folder`` with the SHA-256 of its bytes."""
    return {p.name: _sha256(p) for p in folder.iterdir()}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in text and "internal error" not in text
    return lines[0]


# -- one run's files, listed with their digests; another run's removed ------------------


def test_a_second_run_removes_the_first_runs_workbook(tmp_path, capsys) -> None:
    out = tmp_path / "report"
    assert main(_transport(out, "2022Q3")) == 3  # the example ledger has invalid ids
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["claim.xlsx", "loans.csv", "summary.json"]
    first = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert first["files"] == [
        {"name": "loans.csv", "sha256": _sha256(out / "loans.csv")},
        {"name": "claim.xlsx", "sha256": _sha256(out / "claim.xlsx")},
    ]
    # Beside it: a stray npl workbook from some other run, and files relend never writes.
    (out / "npl.xlsx").write_bytes(b"an npl workbook of another run")
    (out / "notes.txt").write_text("the user's own notes", encoding="utf-8")
    (out / "claim.xlsx.bak").write_bytes(b"the user's own copy")

    assert main(_transport(out, "2022Q4", "--no-xlsx")) == 3
    err = capsys.readouterr().err
    note = [line for line in err.splitlines() if "claim.xlsx" in line]
    assert len(note) == 1 and "npl.xlsx" in note[0] and "claim.xlsx.bak" not in note[0], err
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == [
        "claim.xlsx.bak",
        "loans.csv",
        "notes.txt",
        "summary.json",
    ]
    second = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert second["quarter"] == "2022Q4"
    assert second["files"] == [{"name": "loans.csv", "sha256": _sha256(out / "loans.csv")}]
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(loans) == 31  # every row of the example ledger, none eligible in 2022Q4
    assert (loans["status"] == "eligible").sum() == 0


def test_printed_json_is_the_written_summary(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible, "--json")) == 3
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads((out / "summary.json").read_text(encoding="utf-8"))
    names = [f["name"] for f in printed["files"]]
    assert names == ["loans.csv", "claim.xlsx"]
    book = openpyxl.load_workbook(out / "claim.xlsx", read_only=True)
    keys = [row[1] for row in book[book.sheetnames[0]].iter_rows(values_only=True)]
    assert "entitlement_fen" in keys


def test_every_output_name_is_one_relend_may_remove() -> None:
    # A new kind of output missing from the list would be left beside later runs.
    from calculators import _report, cli

    names = {name for csv, xlsx, _ in cli._OUTPUT_NAMES.values() for name in (csv, xlsx)}
    assert names | {"summary.json"} == set(_report.OUTPUT_NAMES)


def test_outputs_get_the_usual_permissions(tmp_path, eligible, capsys) -> None:
    # Temporary files made with mkstemp are 0600; renamed into place they would stay so.
    out = tmp_path / "report"
    umask = os.umask(0o022)
    try:
        assert main(_tech(out, eligible, "--no-xlsx")) == 3
    finally:
        os.umask(umask)
    for name in ("summary.json", "loans.csv"):
        assert (out / name).stat().st_mode & 0o777 == 0o644, name


# -- --out that cannot be written ---------------------------------------------------------


def test_out_on_a_regular_file_or_below_one(tmp_path, eligible, capsys) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    for out in (blocker, blocker / "report"):
        assert main(_tech(out, eligible)) == 2
        captured = capsys.readouterr()
        assert str(out) in _one_line(captured.err)
        assert captured.out == ""
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_out_on_a_read_only_folder(tmp_path, eligible) -> None:
    out = tmp_path / "locked"
    out.mkdir()
    out.chmod(0o555)
    command = [sys.executable, "-m", "calculators.cli", *_tech(out, eligible)]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Permission bits do not stop root; root without CAP_DAC_OVERRIDE is stopped.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits do not stop root")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--", *command]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert proc.returncode == 2, proc.stderr
        line = _one_line(proc.stderr)
        assert str(out / "loans.csv") in line and os.strerror(errno.EACCES) in line, line
        assert proc.stdout == ""
        assert list(out.iterdir()) == []
    finally:
        out.chmod(0o755)


def _failing_writer(original, error: BaseException):
    """A writer that leaves half a file where it was asked to write, then fails.

    ``original`` is given the path (``write_csv(frame, path)``) or knows it
    (``xlsxwriter.Workbook.close(self)``, its ``filename``).
    """

    def write(self, *args, **kwargs):
        original(self, *args, **kwargs)
        path = next((a for a in args if isinstance(a, Path)), None) or self.filename
        with open(path, "r+b") as handle:
            handle.truncate(os.fstat(handle.fileno()).st_size // 2)
        raise error

    return write


@pytest.mark.parametrize(
    ("target", "name", "error"),
    [
        (_report, "write_csv", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
        (xlsxwriter.Workbook, "close", PermissionError(errno.EACCES, os.strerror(errno.EACCES))),
    ],
)
def test_an_os_error_while_writing_is_one_line_and_changes_nothing(
    tmp_path, eligible, capsys, monkeypatch, target, name, error
) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    before = _snapshot(out)
    monkeypatch.setattr(target, name, _failing_writer(getattr(target, name), error))
    assert main(_tech(out, eligible)) == 2
    line = _one_line(capsys.readouterr().err)
    final = "loans.csv" if name == "write_csv" else "claim.xlsx"
    assert str(out / final) in line and error.strerror in line, line
    assert _snapshot(out) == before  # no temporary file left, the earlier run intact


def test_a_failure_while_renaming_leaves_no_summary(tmp_path, eligible, capsys, monkeypatch):
    # summary.json goes first and comes back last: a run that stops between the two
    # leaves no summary.json beside files that are not all of one run.
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    replace = os.replace

    def failing(src, dst):
        if Path(dst).name == "claim.xlsx":
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return replace(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    assert main(_tech(out, eligible)) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(out / "claim.xlsx") in line and os.strerror(errno.EIO) in line, line
    names = {p.name for p in out.iterdir()}
    assert "summary.json" not in names
    assert names <= {"loans.csv", "claim.xlsx"}  # no temporary file behind


def test_an_interrupt_while_writing_changes_nothing(tmp_path, eligible, capsys, monkeypatch):
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    before = _snapshot(out)

    close = _failing_writer(xlsxwriter.Workbook.close, KeyboardInterrupt())
    monkeypatch.setattr(xlsxwriter.Workbook, "close", close)
    assert main(_tech(out, eligible)) == 130
    assert "interrupted" in _one_line(capsys.readouterr().err)
    assert _snapshot(out) == before


# -- signals ------------------------------------------------------------------------------

# Call main() from a tiny script: a child started with SIGINT ignored (a background job
# of a non-interactive shell, some CI runners) would otherwise never see Ctrl-C.
RUN_MAIN = (
    "import signal, sys\n"
    "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
    "from calculators.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


@pytest.fixture(scope="module")
def big_ledger(tmp_path_factory) -> tuple[str, str]:
    """100,000 eligible rows: the workbook alone takes seconds, so a signal lands mid-write."""
    folder = tmp_path_factory.mktemp("big")
    ledger = folder / "ledger.csv"
    rows = (f"L{i:09d},911101085011945813,1000.00,2022-05-01,2023-05-01" for i in range(100_000))
    header = "loan_id,borrower_id,principal,disbursement_date,maturity_date\n"
    ledger.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    eligible = folder / "eligible.txt"
    eligible.write_text("911101085011945813\n", encoding="utf-8")
    return str(ledger), str(eligible)


def _state(folder: Path) -> dict[str, tuple[int, int]]:
    found = {}
    for entry in os.scandir(folder):
        try:
            stat = entry.stat()
        except FileNotFoundError:  # renamed or removed while listing
            continue
        found[entry.name] = (stat.st_size, stat.st_mtime_ns)
    return found


def _started(folder: Path, baseline: dict[str, tuple[int, int]], part: str) -> bool:
    """Whether an entry whose name holds ``part`` is new or changed since ``baseline``."""
    now = _state(folder)
    return any(part in name and now[name] != baseline.get(name) for name in now)


@pytest.mark.parametrize(
    ("signum", "status", "part"),
    [(signal.SIGINT, 130, ""), (signal.SIGTERM, 143, "xlsx")],
    ids=["SIGINT-first-file", "SIGTERM-workbook"],
)
def test_a_signal_while_writing_leaves_no_partial_file(
    tmp_path, eligible, big_ledger, capsys, signum, status, part
) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3  # a complete earlier run in the folder
    capsys.readouterr()
    before = _snapshot(out)
    baseline = _state(out)

    ledger, big_eligible = big_ledger
    argv = _tech(out, big_eligible, ledger=ledger)
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_MAIN, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 20
        while not _started(out, baseline, part):  # the first file, or the workbook
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.01)
        time.sleep(0.05)
        assert proc.poll() is None, "the run finished before the signal: make the ledger longer"
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    text = stderr.decode("utf-8", "replace")
    assert proc.returncode == status, text
    assert "Traceback" not in text and "internal error" not in text, text
    assert len(text.strip().splitlines()) == 1, text  # nothing but the one line
    assert _snapshot(out) == before  # the earlier run whole, no temporary file behind


def test_the_sigterm_handler_is_restored(eligible, capsys) -> None:
    def mine(signum, frame):  # pragma: no cover - never called
        pass

    previous = signal.signal(signal.SIGTERM, mine)
    try:
        assert main(["deadline", "2022Q2"]) == 0
        assert signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_main_runs_outside_the_main_thread(capsys) -> None:
    # signal.signal() raises ValueError outside the main thread.
    statuses: list[int] = []
    worker = threading.Thread(target=lambda: statuses.append(main(["deadline", "2022Q2"])))
    worker.start()
    worker.join()
    assert statuses == [0]
    assert "internal error" not in capsys.readouterr().err


# -- stdout closed early (| head) --------------------------------------------------------


def test_a_closed_stdout_exits_quietly_in_process(capsys, monkeypatch) -> None:
    class ClosedPipe:
        def write(self, text: str) -> int:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

        def flush(self) -> None:
            raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["deadline", "2022Q2", "--json"]) == 141
    assert capsys.readouterr().err == ""


def test_a_closed_stdout_exits_quietly(tmp_path, eligible) -> None:
    # The JSON fits Python's buffer: the closed pipe shows when it is flushed.
    argv = ["claim", "tech", TECH_LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--json"]  # fmt: skip
    proc = subprocess.Popen(
        [sys.executable, "-m", "calculators.cli", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before relend writes anything
    stderr = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=30)
    assert proc.returncode == 141, stderr
    for word in ("internal error", "Traceback", "BrokenPipe", "Exception ignored"):
        assert word not in stderr, stderr
