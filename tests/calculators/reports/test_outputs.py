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

from calculators.cli import main
from calculators.reports import csv_file
from tests.paths import GOLDEN, ROOT

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
    # Beside it: files under names relend never writes.
    (out / "notes.txt").write_text("the user's own notes", encoding="utf-8")
    (out / "claim.xlsx.bak").write_bytes(b"the user's own copy")

    assert main(_transport(out, "2022Q4", "--no-xlsx")) == 3
    err = capsys.readouterr().err
    note = [line for line in err.splitlines() if "claim.xlsx" in line]
    assert len(note) == 1 and "claim.xlsx.bak" not in note[0], err
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
    # A new kind of output missing from the list would be left beside later runs; the
    # names are written down once, by hand here, in the formats' registry there.
    from calculators.book._ladder import LADDER_NAMES
    from calculators.cli import options as cli_options
    from calculators.reports import folder as _report

    written = {"loans.csv", "claim.xlsx", "audit.csv", "audit.xlsx", "npl.csv", "npl.xlsx"}
    assert set(cli_options._ROWS_SHEETS) == {"claim", "audit", "npl"}
    assert set(LADDER_NAMES) == {"schedule.csv", "schedule.xlsx"}
    assert written | set(LADDER_NAMES) | {"summary.json"} == set(_report.OUTPUT_NAMES)


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


# -- only relend's own files are replaced or removed -----------------------------------------


def _state_of(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file of ``folder``, its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


def _users_file(path: Path, content: bytes) -> None:
    path.write_bytes(content)
    os.utime(path, ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))


def _npl(out: Path) -> list[str]:
    return ["npl", str(ROOT / "examples" / "npl.csv"), "--out", str(out)]


def _audit(out: Path, eligible: str) -> list[str]:
    return ["audit", "tech", TECH_LEDGER, "--submitted",
            str(GOLDEN / "tech_2022Q2_icbc.submitted.csv"), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", eligible, "--out", str(out)]  # fmt: skip


@pytest.mark.parametrize("earlier", [False, True], ids=["empty-folder", "after-a-claim"])
@pytest.mark.parametrize(
    ("command", "name"),
    [("claim", "npl.csv"), ("claim", "audit.xlsx"), ("claim", "loans.csv"),
     ("audit", "audit.xlsx"), ("npl", "npl.csv"), ("npl", "claim.xlsx")],
)  # fmt: skip
def test_a_users_file_under_an_output_name_is_kept_and_the_run_refused(
    tmp_path, eligible, capsys, command, name, earlier
) -> None:
    # relend wrote none of these bytes: it neither replaces nor removes them, whether the
    # run would write that name (loans.csv for a claim) or only remove it (npl.csv)
    out = tmp_path / "report"
    out.mkdir()
    if earlier:
        assert main(_tech(out, eligible)) == 3
        capsys.readouterr()
    _users_file(out / name, b"the user's own file\n")
    before = _state_of(out)
    argv = {"claim": _tech(out, eligible), "audit": _audit(out, eligible), "npl": _npl(out)}
    assert main(argv[command]) == 2
    captured = capsys.readouterr()
    line = _one_line(captured.err)
    assert str(out / name) in line and "--out" in line, line
    assert captured.out == ""
    assert _state_of(out) == before  # bytes and times, and nothing added


def test_a_file_changed_since_relend_wrote_it_is_kept(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    with open(out / "loans.csv", "ab") as handle:
        handle.write(b"a line the user added\n")
    before = _state_of(out)
    assert main(_tech(out, eligible, "--no-xlsx")) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(out / "loans.csv") in line and "claim.xlsx" not in line, line
    assert _state_of(out) == before


def test_a_summary_json_relend_did_not_write_is_kept(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    out.mkdir()
    _users_file(out / "summary.json", b'{"mine": true}\n')
    before = _state_of(out)
    assert main(_tech(out, eligible)) == 2
    assert str(out / "summary.json") in _one_line(capsys.readouterr().err)
    assert _state_of(out) == before


def test_a_folder_without_summary_json_keeps_the_files_found_there(
    tmp_path, eligible, capsys
) -> None:
    # the summary is what vouches for the other files: without it, none is relend's
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    (out / "summary.json").unlink()
    before = _state_of(out)
    assert main(_tech(out, eligible)) == 2
    line = _one_line(capsys.readouterr().err)
    assert str(out / "loans.csv") in line and str(out / "claim.xlsx") in line, line
    assert _state_of(out) == before


def test_an_earlier_runs_files_of_another_kind_are_removed(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    assert main(_npl(out)) == 3  # the example has an industry beyond the six
    err = capsys.readouterr().err
    assert "loans.csv" in err and "claim.xlsx" in err  # the note of what was removed
    assert sorted(p.name for p in out.iterdir()) == ["npl.csv", "npl.xlsx", "summary.json"]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["files"] == [
        {"name": "npl.csv", "sha256": _sha256(out / "npl.csv")},
        {"name": "npl.xlsx", "sha256": _sha256(out / "npl.xlsx")},
    ]


def test_a_file_written_into_the_folder_during_the_run_is_kept(
    tmp_path, eligible, capsys, monkeypatch
) -> None:
    # checked again just before the renames: a file that appeared while the run wrote
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    before = _state_of(out)
    write_csv = csv_file.write_csv

    def meanwhile(frame, path, progress=False):
        write_csv(frame, path, progress)
        (out / "npl.xlsx").write_bytes(b"saved from Excel meanwhile")

    monkeypatch.setattr(csv_file, "write_csv", meanwhile)
    assert main(_tech(out, eligible)) == 2
    assert str(out / "npl.xlsx") in _one_line(capsys.readouterr().err)
    after = _state_of(out)
    assert after.pop("npl.xlsx")[0] == b"saved from Excel meanwhile"
    assert after == before  # the earlier run whole, no temporary file behind


@pytest.mark.parametrize("given", ["ledger", "list", "linked"])
def test_an_input_under_an_output_name_is_refused(tmp_path, capsys, given) -> None:
    out = tmp_path / "report"
    out.mkdir()
    ledger = out / "loans.csv"  # the bank's export, named as relend's output
    shutil.copyfile(TECH_LEDGER, ledger)
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE_IDS) + "\n", encoding="utf-8")
    if given == "list":  # the list inside the folder, under an output's name
        ledger = Path(TECH_LEDGER)
        eligible = out / "npl.csv"
        shutil.move(out / "loans.csv", eligible)
        eligible.write_text("\n".join(ELIGIBLE_IDS) + "\n", encoding="utf-8")
    elif given == "linked":  # the same file under another path
        (tmp_path / "link.csv").symlink_to(ledger)
        ledger = tmp_path / "link.csv"
    before = _state_of(out)
    assert main(_tech(out, str(eligible), ledger=str(ledger))) == 2
    line = _one_line(capsys.readouterr().err)
    named = out / ("npl.csv" if given == "list" else "loans.csv")
    assert str(named) in line and str(ledger if given != "list" else eligible) in line, line
    assert _state_of(out) == before


def test_relends_own_output_given_back_as_input_is_refused(tmp_path, eligible, capsys) -> None:
    # listed in the summary with its digest, so relend's own: still not written over
    # while the run reads it
    out = tmp_path / "report"
    assert main(_tech(out, eligible, "--no-xlsx")) == 3
    capsys.readouterr()
    before = _state_of(out)
    assert main(_tech(out, eligible, ledger=str(out / "loans.csv"))) == 2
    assert "input" in _one_line(capsys.readouterr().err)
    assert _state_of(out) == before


@pytest.mark.parametrize("command", ["claim", "audit", "npl", "demo"])
def test_an_empty_out_is_refused(tmp_path, eligible, capsys, monkeypatch, command) -> None:
    monkeypatch.chdir(tmp_path)
    argv = {"claim": _tech(Path(), eligible), "audit": _audit(Path(), eligible),
            "npl": _npl(Path()), "demo": ["demo", "--out", "."]}[command]  # fmt: skip
    argv[argv.index("--out") + 1] = ""
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert "--out ''" in _one_line(captured.err)
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_temporary_left_by_a_killed_run_is_removed(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    left = out / ".claim.xlsx.0123456789ab.tmp"  # a run killed with SIGKILL leaves one
    left.write_bytes(b"half a workbook")
    mine = [out / ".claim.xlsx.tmp", out / ".notes.0123456789ab.tmp"]  # not relend's names
    for path in mine:
        path.write_bytes(b"the user's")
    assert main(_tech(out, eligible)) == 3
    names = {p.name for p in out.iterdir()}
    assert names == {"summary.json", "loans.csv", "claim.xlsx", *(p.name for p in mine)}


def test_a_folder_the_run_created_is_removed_when_it_fails(
    tmp_path, eligible, capsys, monkeypatch
) -> None:
    base = tmp_path / "base"
    base.mkdir()

    def full(frame, path, progress=False):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(csv_file, "write_csv", full)
    assert main(_tech(base / "new" / "report", eligible)) == 2
    assert os.strerror(errno.ENOSPC) in _one_line(capsys.readouterr().err)
    assert list(base.iterdir()) == []  # report/ and new/ both gone
    monkeypatch.undo()

    interrupted = _failing_writer(xlsxwriter.Workbook.close, KeyboardInterrupt())
    monkeypatch.setattr(xlsxwriter.Workbook, "close", interrupted)
    (base / "kept").mkdir()
    assert main(_tech(base / "kept" / "report", eligible)) == 130
    capsys.readouterr()
    assert [p.name for p in base.iterdir()] == ["kept"]  # it was there before
    assert list((base / "kept").iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "O_DIRECTORY"), reason="no folder locks here")
def test_a_second_run_into_a_folder_being_written_is_refused(tmp_path, eligible, capsys):
    import fcntl

    out = tmp_path / "report"
    out.mkdir()
    descriptor = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # as a run writing there holds it
        assert main(_tech(out, eligible)) == 2
        assert "another relend run" in _one_line(capsys.readouterr().err)
        assert list(out.iterdir()) == []
    finally:
        os.close(descriptor)


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
        (csv_file, "write_csv", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),
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


def test_the_temporaries_of_a_killed_run_are_removed_by_the_next(
    tmp_path, eligible, big_ledger, capsys
) -> None:
    # SIGKILL cannot be caught: the run leaves its temporary files, and its folder
    out = tmp_path / "report"
    ledger, big_eligible = big_ledger
    proc = subprocess.Popen(
        [sys.executable, "-c", RUN_MAIN, *_tech(out, big_eligible, ledger=ledger)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    try:
        deadline = time.monotonic() + 20
        while not (out.is_dir() and any(".xlsx." in p.name for p in out.iterdir())):
            assert proc.poll() is None, "the run ended before it was killed"
            assert time.monotonic() < deadline, "the run never started writing"
            time.sleep(0.01)
        proc.kill()
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert any(p.name.endswith(".tmp") for p in out.iterdir())
    assert main(_tech(out, eligible)) == 3
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == ["claim.xlsx", "loans.csv", "summary.json"]


def test_the_same_inputs_give_the_same_workbook_bytes(tmp_path) -> None:
    """The workbook records no time of its own making: a re-run's SHA-256 is the same."""
    import hashlib
    import time

    from calculators.cli import main

    digests = []
    for run in ("first", "second"):
        out = tmp_path / run
        assert (
            main(
                [
                    "claim",
                    "tech",
                    "examples/tech_ledger.csv",
                    "--quarter",
                    "2022Q2",
                    "--lender",
                    "ICBC",
                    "--eligible-borrowers",
                    "examples/tech_eligible.csv",
                    "--out",
                    str(out),
                    "--quiet",
                ]
            )
            == 3
        )
        digests.append(hashlib.sha256((out / "claim.xlsx").read_bytes()).hexdigest())
        time.sleep(1.1)  # a second later: a recorded time would differ
    assert digests[0] == digests[1]
