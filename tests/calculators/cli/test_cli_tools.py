"""Facility, incentive and NPL commands, in-process."""

from __future__ import annotations

import json

import pytest

from calculators.cli import main
from tests.paths import GOLDEN


def _line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Traceback" not in err[0], err
    return err[0]


def test_facility_json(capsys) -> None:
    argv = ["facility", "tech", "--amount", "600,000.00", "--drawdown", "2022-07-15",
            "--extensions", "2", "--json"]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["amount_fen"] == 60_000_000
    assert payload["maturity"] == "2025-07-15"
    assert payload["interest_fen"] == 3_196_667
    assert len(payload["periods"]) == 3


def test_facility_text(capsys) -> None:
    assert main(["facility", "transport", "--amount", "1000", "--drawdown", "2022-10-10"]) == 0
    assert "repay by 2023-10-10" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["facility", "tech", "--amount", "100", "--drawdown", "2022-07-15", "--extensions", "3"],
         "--extensions='3'"),
        (["facility", "tech", "--amount", "0", "--drawdown", "2022-07-15"], "amount"),
        (["facility", "tech", "--amount", "-5", "--drawdown", "2022-07-15"], "amount"),
        (["facility", "tech", "--amount", "1", "--drawdown", "15/07/2022"], "15/07/2022"),
        (["facility", "tech", "--amount", "1", "--drawdown", "2022-07-15", "--day-count", "X"],
         "--day-count='X'"),
        (["incentive", "--quarter", "2021Q3", "--previous-balance", "1", "--current-balance",
          "2"], "2021Q3"),
        (["incentive", "--quarter", "2023Q3", "--previous-balance", "1", "--current-balance",
          "2"], "2023Q3"),
        (["incentive", "--quarter", "2022Q2", "--previous-balance", "-1", "--current-balance",
          "2"], "--previous-balance='-1'"),  # as typed, not the fen it makes
        (["incentive", "--quarter", "2022Q2"], "BALANCES.csv"),
        (["incentive", "--quarter", "2022Q2", "--previous-balance", "1", "--current-balance",
          "2", "--institution", "national_bank"], "national_bank"),
        (["npl", "/nonexistent/npl.csv"], "npl.csv"),
    ],
)  # fmt: skip
def test_input_errors(argv, fragment, capsys) -> None:
    assert main(argv) == 2
    assert fragment in _line(capsys)


def test_incentive_json(capsys) -> None:
    argv = ["incentive", "--quarter", "2022Q2", "--previous-balance", "100,000,000.00",
            "--current-balance", "123,456,789.01", "--json"]  # fmt: skip
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["incentive_fen"] == 46_913_578
    assert payload["increment_fen"] == 2_345_678_901
    swap = payload["swap"]
    assert swap["notional_fen"] == 2_345_678_901
    assert swap["net_fen"] == 46_913_578


def test_incentive_from_a_balance_file(tmp_path, capsys) -> None:
    path = tmp_path / "b.csv"
    path.write_text("quarter,balance\n2021Q4,100000000.00\n2022Q1,150000000.00\n", "utf-8")
    assert main(["incentive", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["quarters"][0]["incentive_fen"] == 50_000_000


def test_npl_json_out_and_exit_3(tmp_path, capsys) -> None:
    out = tmp_path / "npl"
    assert main(["npl", str(GOLDEN / "npl_boundaries.csv"), "--json", "--out", str(out)]) == 3
    payload = json.loads(capsys.readouterr().out)
    assert (payload["within"], payload["breach"], payload["invalid"]) == (5, 2, 7)
    first = payload["units"][0]
    assert first["status"] == "within" and first["npl_ratio_pct"] == "3.500000"
    assert {"unit", "industry", "npl_ratio_pct", "tolerance_pct", "status", "headroom_fen",
            "reason"} <= set(first)  # fmt: skip
    assert (out / "npl.csv").exists() and (out / "npl.xlsx").exists()


def test_npl_missing_column(tmp_path, capsys) -> None:
    path = tmp_path / "n.csv"
    path.write_text("unit,industry\nA,retail\n", encoding="utf-8")
    assert main(["npl", str(path)]) == 2
    assert "loan_balance" in _line(capsys)
