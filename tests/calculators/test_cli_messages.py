"""A closed or full stdout or stderr ends the run cleanly (no traceback, no exit status 1).

Golden values are worked out by hand in the comments.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from calculators.cli import main
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
