"""Messages that echo what the user typed and name the rule really applied; a closed or
full stdout or stderr ends the run cleanly (no traceback, no exit status 1).

Golden values are worked out by hand in the comments.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from calculators._errors import ParameterError
from calculators.cli import main
from calculators.tools import audit
from calculators.tools import incentive as microloan_incentive
from tests.calculators.programs.test_tech_golden import ELIGIBLE, LEDGER
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
    assert ("标准输出" if "zh" in argv else "stdout") in line and reason in line, line
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


# -- money echoed as typed ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "echo"),
    [
        (["facility", "tech", "--amount", "-1", "--drawdown", "2022-07-15"], "--amount='-1'"),
        (["facility", "tech", "--amount", "0.00", "--drawdown", "2022-07-15"], "--amount='0.00'"),
        # 10**17 fen is the most: 1,000,000,000,000,000.00 yuan; one fen more is refused
        (["facility", "tech", "--amount", "1000000000000000.01", "--drawdown", "2022-07-15"],
         "--amount='1000000000000000.01'"),
        (["incentive", "--quarter", "2022Q2", "--previous-balance", "-1", "--current-balance",
          "2"], "--previous-balance='-1'"),
        (["incentive", "--quarter", "2022Q2", "--previous-balance", "1", "--current-balance",
          "-0.01"], "--current-balance='-0.01'"),
    ],
)  # fmt: skip
def test_a_money_option_is_echoed_as_typed(argv, echo, capsys) -> None:
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert echo in line, line
    assert "-100" not in line and "fen" not in line, line  # not the fen it makes
    assert "1,000,000,000,000,000.00 yuan" in line  # what would be accepted, in yuan


def test_a_money_option_is_echoed_in_chinese(capsys) -> None:
    argv = ["facility", "tech", "--amount", "-1", "--drawdown", "2022-07-15", "--lang", "zh"]
    assert main(argv) == 2
    line = _one_line(capsys.readouterr().err)
    assert "--amount='-1'" in line and english_prose(line) == [], line


def test_a_balance_file_is_echoed_as_the_file_has_it(tmp_path, capsys) -> None:
    path = tmp_path / "b.csv"
    path.write_text("quarter,balance\n2021Q4,-5.00\n2022Q1,150000000.00\n", "utf-8")
    assert main(["incentive", str(path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "balance 2021Q4='-5.00'" in line and "-500" not in line, line


def test_the_library_states_the_upper_bound_it_applies() -> None:
    from calculators.tools import facility

    with pytest.raises(ValueError, match="from 1 to 100000000000000000"):
        facility.schedule("tech", 10**17 + 1, dt.date(2022, 7, 15))
    with pytest.raises(ValueError, match="from 0 to 100000000000000000"):
        microloan_incentive.incentive("2022Q2", 0, 10**17 + 1)


# -- the drawdown windows ----------------------------------------------------------------


def test_a_drawdown_past_the_calendar_names_the_windows(capsys) -> None:
    # tech-2024 has no end; the calendar's last business day is 2060-12-31 (a Friday),
    # so a one-year relending drawn after 2059-12-31 cannot be dated: the window runs to
    # 2059-12-31. tech-2022: first loans 2022-04-01; its last claim quarter 2024Q2 is due
    # 2024-07-10, drawdowns to the end of that quarter, 2024-09-30.
    assert main(["facility", "tech", "--amount", "1", "--drawdown", "2100-01-01"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "--drawdown='2100-01-01'" in line, line
    assert "tech-2022: 2022-04-01 to 2024-09-30; tech-2024: 2024-04-07 to 2059-12-31" in line
    assert "2060" not in line and "2101" not in line, line  # not the calendar's own limits


def test_a_drawdown_window_shrinks_with_the_extensions(capsys) -> None:
    # two extensions: three years, so the last drawdown is 2060-12-31 - 3 years
    argv = ["facility", "tech", "--amount", "1", "--extensions", "2", "--drawdown"]
    assert main([*argv, "2057-12-31", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["maturity"] == "2060-12-31"
    assert main([*argv, "2058-01-01"]) == 2
    assert "tech-2024: 2024-04-07 to 2057-12-31" in _one_line(capsys.readouterr().err)


def test_the_last_possible_date_is_refused_in_one_line(capsys) -> None:
    # was an internal error: year 10000 is out of range
    assert main(["facility", "tech", "--amount", "1", "--drawdown", "9999-12-31"]) == 2
    assert "--drawdown='9999-12-31'" in _one_line(capsys.readouterr().err)


def test_an_open_window_is_named_in_words(capsys) -> None:
    assert main(["facility", "tech", "--amount", "1", "--drawdown", "2019-01-01"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "tech-2024: from 2024-04-07, no end date" in line and "open" not in line, line
    assert main(["facility", "tech", "--amount", "1", "--drawdown", "2019-01-01", "--lang",
                 "zh"]) == 2  # fmt: skip
    line = _one_line(capsys.readouterr().err)
    assert "2024-04-07" in line and english_prose(line) == [], line


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


# -- the swap's trade date -----------------------------------------------------------------

INCENTIVE = ["incentive", "--quarter", "2022Q2", "--previous-balance", "1.00",
             "--current-balance", "100.00"]  # fmt: skip


@pytest.mark.parametrize("date", ["2022-05-01", "2022-06-30", "20220401"])
def test_a_trade_date_before_the_quarter_has_ended_is_refused(capsys, date) -> None:
    assert main([*INCENTIVE, "--trade-date", date]) == 2
    line = _one_line(capsys.readouterr().err)
    assert f"--trade-date='{date}'" in line and "after 2022-06-30" in line, line


def test_a_trade_date_after_the_quarter_is_accepted(capsys) -> None:
    # increase 99.00 yuan = 9,900 fen; 2022-07-01 to 2023-07-01 on 30/360 is one year;
    # net (3.62% - 1.62%) x 9,900 = 198 fen, the incentive 2% x 9,900 = 198
    assert main([*INCENTIVE, "--trade-date", "2022-07-01", "--json"]) == 0
    swap = json.loads(capsys.readouterr().out)["swap"]
    assert (swap["start"], swap["net_fen"]) == ("2022-07-01", 198)


def test_the_library_refuses_a_trade_date_within_the_quarter() -> None:
    with pytest.raises(ParameterError, match="2022-06-30"):
        microloan_incentive.incentive("2022Q2", 100, 10_000, trade_date=dt.date(2022, 6, 30))


def test_a_trade_date_refusal_in_chinese(capsys) -> None:
    assert main([*INCENTIVE, "--trade-date", "2022-05-01", "--lang", "zh"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "'2022-05-01'" in line and english_prose(line) == [], line


def test_a_quarter_out_of_sequence_is_echoed_as_the_file_has_it(tmp_path, capsys) -> None:
    # 2022Q1 must follow 2021Q4; the file skips to 2022-Q2, which is echoed as written
    path = tmp_path / "b.csv"
    path.write_text("quarter,balance\n2021Q4,1.00\n2022-Q2,2.00\n", "utf-8")
    assert main(["incentive", str(path)]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "quarter='2022-Q2'" in line and "2022Q1 follows 2021Q4" in line, line


@pytest.mark.parametrize(
    ("argv", "echo"),
    [
        (["facility", "tech", "--amount", "1", "--drawdown", "2022-07-15", "--extensions", "03"],
         "--extensions='03'"),  # tech allows 2 (tech notice 二)
        (["facility", "tech", "--amount", "1", "--drawdown", "2022-07-15", "--extensions", "x"],
         "--extensions='x'"),
        (["facility", "tech", "--amount", "1", "--drawdown", "2022-07-15", "--day-count",
          "act/364"], "--day-count='act/364'"),
        (["incentive", "--quarter", "2021-Q3", "--previous-balance", "1", "--current-balance",
          "2"], "--quarter='2021-Q3'"),  # not 2021Q3, as relend writes it
        (["incentive", "--quarter", "2022Q2", "--previous-balance", "1", "--current-balance",
          "2", "--institution", "national"], "--institution='national'"),
    ],
)  # fmt: skip
def test_other_options_are_echoed_as_typed(argv, echo, capsys) -> None:
    assert main(argv) == 2
    assert echo in _one_line(capsys.readouterr().err)
