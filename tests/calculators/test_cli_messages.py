"""A closed or full stdout or stderr ends the run cleanly (no traceback, no exit status 1);
the audit's tolerance is for rounding only.

Golden values are worked out by hand in the comments.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from calculators import audit
from calculators._errors import ParameterError
from calculators.cli import main
from tests.calculators.test_tech_golden import ELIGIBLE, LEDGER
from tests.language import english_prose

RUN = "import sys; from calculators.cli import main; sys.exit(main(sys.argv[1:]))"
FULL = Path("/dev/full")
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="no /dev/full on this system")


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in err and "internal error" not in err, err
    return lines[0]


def _relend(*argv: str, **streams) -> subprocess.CompletedProcess[bytes]:
    """relend in a process of its own, with the standard streams given."""
    streams.setdefault("stdout", subprocess.PIPE)
    streams.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-c", RUN, *argv], timeout=60, check=False, **streams)


# -- closed and full streams, in real processes -----------------------------------------


def test_a_closed_stdout_descriptor_ends_quietly_with_141() -> None:
    # relend deadline 2022Q2 >&-: Python starts with sys.stdout None; the deadline line
    # could not be printed, as when a reader went away: 141, and nothing on stderr
    proc = _relend("deadline", "2022Q2", preexec_fn=lambda: os.close(1))
    assert proc.returncode == 141, proc.stderr
    assert proc.stderr == b""


def test_a_closed_stdout_descriptor_keeps_an_input_error() -> None:
    proc = _relend("deadline", "2022Q9", preexec_fn=lambda: os.close(1))
    assert proc.returncode == 2
    assert "'2022Q9'" in _one_line(proc.stderr.decode())


@needs_dev_full
@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["deadline", "2022Q2"], os.strerror(errno.ENOSPC)),
        (["deadline", "2022Q2", "--lang", "zh"], "磁盘空间不足"),
        (["policy", "show", "tech", "--json"], os.strerror(errno.ENOSPC)),  # past one buffer
    ],
)
def test_stdout_on_a_full_device_is_exit_2_in_one_line(argv, reason) -> None:
    with FULL.open("wb") as full:
        proc = _relend(*argv, stdout=full)
    assert proc.returncode == 2, proc.stderr
    line = _one_line(proc.stderr.decode())
    assert "stdout" in line and reason in line, line
    if "zh" in argv:
        assert line.startswith("relend：错误：") and english_prose(line) == [], line
    else:
        assert line.startswith("relend: error: the output could not be written"), line


@needs_dev_full
def test_stderr_on_a_full_device_is_exit_2_without_a_traceback() -> None:
    with FULL.open("wb") as full:
        # the error line cannot be written: still exit 2, nothing on stdout
        bad = _relend("deadline", "2022Q9", stderr=full)
        # 2027 is provisional: its warning is lost, the deadline is printed, exit 2
        warned = _relend("deadline", "2027Q2", stderr=full)
        # nothing to write on stderr: nothing lost, exit 0
        clean = _relend("deadline", "2022Q2", stderr=full)
    assert (bad.returncode, bad.stdout) == (2, b"")
    assert warned.returncode == 2
    assert warned.stdout.decode().startswith("2027Q2: apply by 2027-07-12")
    assert clean.returncode == 0
    assert clean.stdout.decode().startswith("2022Q2: apply by 2022-07-11")


@needs_dev_full
def test_both_streams_on_a_full_device_is_exit_2() -> None:
    with FULL.open("wb") as full:
        proc = _relend("deadline", "2022Q2", stdout=full, stderr=full)
    assert proc.returncode == 2


# -- the same, in process ---------------------------------------------------------------


class _Full:
    """A stream on a full disk."""

    def write(self, text: str) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_stdout_in_process(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdout", _Full())
    assert main(["deadline", "2022Q2", "--json"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert line == (
        "relend: error: the output could not be written to stdout: " + os.strerror(errno.ENOSPC)
    )


def test_a_full_stderr_in_process(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Full())
    assert main(["deadline", "2027Q2"]) == 2  # the provisional warning was lost
    assert capsys.readouterr().out.startswith("2027Q2: apply by 2027-07-12")
    monkeypatch.setattr(sys, "stderr", _Full())
    assert main(["deadline", "2022Q2"]) == 0  # nothing was to be written there
    assert sys.stderr.__class__ is _Full  # the run gives the streams back


def test_a_closed_stderr_in_process_drops_messages_not_onto_stdout(capsys, monkeypatch) -> None:
    # 2>&-: Python sets sys.stderr to None, and print(file=None) would write to stdout
    monkeypatch.setattr(sys, "stderr", None)
    assert main(["deadline", "2022Q9"]) == 2
    assert capsys.readouterr().out == ""


# -- the audit tolerance -----------------------------------------------------------------

SUBMITTED_HEADER = "loan_id,claimed\n"


def _audit(tmp_path: Path, submitted: str, tolerance: str) -> list[str]:
    sub = tmp_path / "submitted.csv"
    sub.write_text(SUBMITTED_HEADER + submitted, encoding="utf-8")
    eligible = tmp_path / "eligible.txt"
    eligible.write_text("\n".join(ELIGIBLE), encoding="utf-8")
    return ["audit", "tech", str(LEDGER), "--submitted", str(sub), "--quarter", "2022Q2",
            "--lender", "ICBC", "--eligible-borrowers", str(eligible),
            "--tolerance-fen", tolerance, "--json"]  # fmt: skip


def test_a_loan_claimed_twice_is_never_within_the_tolerance(tmp_path, capsys) -> None:
    # T01 recomputed 60,000,000 fen, claimed on two rows: 30,000,000 + 30,000,050 =
    # 60,000,050, 50 fen over: within a tolerance of 100 for a loan on one row, but a
    # loan claimed twice is overclaimed by the whole 50. T02 exactly 20,000.
    # Not claimed: T03 1 (within 100: a match), T14 740,740 and T15 420 (underclaimed
    # 741,160). Net 60,020,050 - 60,761,161 = -741,111 = 50 - 741,160 - 1 (tolerated).
    argv = _audit(tmp_path, 'T01,"300,000.00"\nT02,200.00\nT01,"300,000.50"\n', "100")
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["overclaimed_fen"] == s["clawback_fen"] == 50
    assert s["underclaimed_fen"] == 741_160
    assert s["within_tolerance_fen"] == -1
    assert s["net_difference_fen"] == -741_111
    assert s["classes"]["duplicate_claim"] == 2


def test_a_loan_claimed_twice_short_is_underclaimed_whole(tmp_path) -> None:
    # T01 on two rows, 29,999,970 + 30,000,000 = 59,999,970: 30 fen short, underclaimed
    frame = pd.DataFrame({"loan_id": ["T01", "T01"], "claimed_fen": ["29999970", "30000000"]})
    result = audit.audit("tech", LEDGER, frame, "2022Q2", "ICBC", eligible_borrowers=ELIGIBLE,
                         tolerance_fen=100)  # fmt: skip
    t01 = result.loans[result.loans["loan_id"] == "T01"]
    assert int(t01["underclaimed_fen"].sum()) == 30
    assert set(t01["class"]) == {"duplicate_claim"}


@pytest.mark.parametrize("tolerance", ["101", "100000000000000000000000", "-1", "1.5", "x"])
def test_a_tolerance_beyond_rounding_is_refused(tmp_path, capsys, tolerance) -> None:
    assert main(_audit(tmp_path, "T01,1.00\n", tolerance)) == 2
    line = _one_line(capsys.readouterr().err)
    assert f"--tolerance-fen='{tolerance}'" in line and "from 0 to 100" in line, line


def test_a_tolerance_of_100_is_accepted(tmp_path, capsys) -> None:
    # T01 exact, T02 1 fen short (19,999): within 100, a match; T03 1, T15 420, T14
    # 740,740 not claimed: T03 within, the two others underclaimed 741,160; exit 4
    argv = _audit(tmp_path, 'T01,"600,000.00"\nT02,199.99\n', "100")
    assert main(argv) == 4
    s = json.loads(capsys.readouterr().out)
    assert s["tolerance_fen"] == 100
    assert s["underclaimed_fen"] == 741_160 and s["within_tolerance_fen"] == -2


def test_the_library_refuses_a_tolerance_above_100() -> None:
    with pytest.raises(ParameterError, match="from 0 to 100"):
        audit.audit(
            "tech", LEDGER, pd.DataFrame({"loan_id": ["T01"], "claimed": ["1.00"]}), "2022Q2",
            "ICBC", eligible_borrowers=ELIGIBLE, tolerance_fen=10**23,
        )  # fmt: skip


def test_a_tolerance_refusal_in_chinese(tmp_path, capsys) -> None:
    assert main([*_audit(tmp_path, "T01,1.00\n", "101"), "--lang", "zh"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'101'" in line and english_prose(line) == [], line
