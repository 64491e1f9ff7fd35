"""The command line, run in-process through main(argv)."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest

from calculators import REASON_ALIASES
from calculators.cli import main
from tests.paths import GOLDEN

LEDGER = str(GOLDEN / "tech_2022Q2_icbc.csv")
ELIGIBLE_IDS = ["911101085011945813", "915101005446414621", "91420100102630063R"]


@pytest.fixture
def eligible(tmp_path) -> str:
    path = tmp_path / "eligible.txt"
    path.write_text("\n".join(ELIGIBLE_IDS) + "\n", encoding="utf-8")
    return str(path)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert "Traceback" not in err[0]
    return err[0]


def test_deadline_json(capsys) -> None:
    assert main(["deadline", "2022Q2", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["quarter"] == "2022Q2"
    assert payload["deadline"] == "2022-07-11"
    assert payload["calendar_status"] == "published"


def test_deadline_sse_and_provisional(capsys) -> None:
    assert main(["deadline", "2026Q3", "--calendar", "sse", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["deadline"] == "2026-10-12"
    assert main(["deadline", "2026Q4", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["calendar_status"] == "provisional"
    assert "provisional" in captured.err
    assert main(["deadline", "2026Q4", "--strict-calendar"]) == 2
    assert "2027" in _one_error_line(capsys)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["deadline", "2022Q5"], "2022Q5"),
        (["deadline", "abc"], "abc"),
        (["deadline", "2022Q2", "--calendar", "nyse"], "nyse"),
        (["deadline", "2022Q2", "--override", "/nonexistent/o.json"], "o.json"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, fragment, capsys) -> None:
    assert main(argv) == 2
    assert fragment in _one_error_line(capsys)


def test_malformed_override_file(tmp_path, capsys) -> None:
    bad = tmp_path / "o.json"
    bad.write_text('{"year": 2027}', encoding="utf-8")
    assert main(["deadline", "2026Q4", "--override", str(bad)]) == 2
    assert "source" in _one_error_line(capsys)


def test_claim_json_and_outputs(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out), "--json"]  # fmt: skip
    assert main(argv) == 3  # the golden ledger has invalid rows on purpose
    summary = json.loads(capsys.readouterr().out)
    for key in ("tool", "policy", "quarter", "lender", "ratio", "loans_total", "loans_eligible",
                "loans_excluded", "loans_invalid", "reasons", "eligible_principal_fen",
                "entitlement_fen", "entitlement_yuan", "deadline", "calendar_status",
                "rounding", "input_sha256", "version"):  # fmt: skip
        assert key in summary
    assert summary["entitlement_fen"] == 60_761_161
    assert json.loads((out / "summary.json").read_text(encoding="utf-8")) == summary
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(loans) == 19
    assert list(loans["reason"]) == [REASON_ALIASES.get(c, c) for c in loans["expected_reason"]]
    assert loans["entitlement_fen"].astype(int).sum() == 60_761_161
    book = openpyxl.load_workbook(out / "claim.xlsx", read_only=True)
    assert book.sheetnames[0].startswith("summary")
    rows = list(book[book.sheetnames[1]].iter_rows(values_only=True))
    assert rows[0][0] == "借据号" and rows[1][0] == "loan_id"
    assert len(rows) == 2 + 19 + 1  # two header rows, the rows, the totals row


def test_claim_text_output(eligible, capsys) -> None:
    argv = ["claim", "tech", LEDGER, "--quarter", "2022-Q2", "--lender", "工行",
            "--eligible-borrowers", eligible]  # fmt: skip
    assert main(argv) == 3
    out = capsys.readouterr().out
    assert "607,611.61 yuan" in out
    assert "2022-07-11" in out


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"ledger": "/nonexistent/ledger.csv"}, "ledger.csv"),
        ({"--lender": "Bank of Nowhere"}, "Bank of Nowhere"),
        ({"--lender": "ABC"}, "not eligible"),  # ABC is a tech lender: use one that is not
        ({"--quarter": "2022Q1"}, "2022Q1"),
        ({"--quarter": "2022Q9"}, "2022Q9"),
    ],
)
def test_claim_input_errors(change, fragment, eligible, capsys) -> None:
    args = {"ledger": LEDGER, "--quarter": "2022Q2", "--lender": "ICBC"}
    args.update(change)
    program = "transport" if change.get("--lender") == "ABC" else "tech"
    if program == "transport":
        args["--lender"] = "CMB"
        fragment = "CMB"
    argv = ["claim", program, args["ledger"], "--quarter", args["--quarter"],
            "--lender", args["--lender"]]  # fmt: skip
    if program == "tech":
        argv += ["--eligible-borrowers", eligible]
    status = main(argv)
    line = _one_error_line(capsys)
    assert status == 2
    assert fragment in line


def test_missing_column_and_undecodable_file(tmp_path, eligible, capsys) -> None:
    no_maturity = tmp_path / "no_maturity.csv"
    no_maturity.write_text("loan_id,borrower_id,principal,disbursement_date\n", encoding="utf-8")
    garbage = tmp_path / "garbage.csv"
    garbage.write_bytes(b"loan_id,borrower_id\n\xff\xfe\x80\x81\n")
    for path, fragment in ((no_maturity, "maturity_date"), (garbage, "GB18030")):
        argv = ["claim", "tech", str(path), "--quarter", "2022Q2", "--lender", "ICBC",
                "--eligible-borrowers", eligible]  # fmt: skip
        assert main(argv) == 2
        assert fragment in _one_error_line(capsys)


def test_tech_claim_needs_its_list(capsys) -> None:
    assert main(["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC"]) == 2
    assert "--eligible-borrowers" in _one_error_line(capsys)


def test_demo_runs_from_any_directory(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "entitlement" in out and "2022-07-11" in out
    assert (tmp_path / "relend-demo" / "claim.xlsx").exists()


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("relend ")


def test_a_ledger_that_cannot_be_opened_is_one_line(tmp_path, eligible, capsys) -> None:
    for path, reason in ((tmp_path / "absent.csv", "No such file"), (tmp_path, "Is a directory")):
        argv = ["claim", "tech", str(path), "--quarter", "2022Q2", "--lender", "ICBC",
                "--eligible-borrowers", eligible]  # fmt: skip
        assert main(argv) == 2
        line = _one_error_line(capsys)
        assert "a readable file" in line and reason in line


def test_no_xlsx_writes_the_summary_and_every_row_only(tmp_path, eligible, capsys) -> None:
    out = tmp_path / "report"
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out), "--no-xlsx"]  # fmt: skip
    assert main(argv) == 3
    assert sorted(p.name for p in out.iterdir()) == ["loans.csv", "summary.json"]
    assert "claim.xlsx" not in capsys.readouterr().out
    loans = pd.read_csv(out / "loans.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(loans) == 19


def test_a_workbook_past_one_sheet_is_announced(tmp_path, eligible, capsys) -> None:
    from unittest import mock

    from calculators.cli import options as cli_options
    from calculators.reports import xlsx_file

    out = tmp_path / "report"
    argv = ["claim", "tech", LEDGER, "--quarter", "2022Q2", "--lender", "ICBC",
            "--eligible-borrowers", eligible, "--out", str(out)]  # fmt: skip
    with (
        mock.patch.object(cli_options, "EXCEL_MAX_ROWS", 10),
        mock.patch.object(xlsx_file, "EXCEL_MAX_ROWS", 10),
    ):
        assert main(argv) == 3
    assert "spreads them over 2 sheets" in capsys.readouterr().err
    book = openpyxl.load_workbook(out / "claim.xlsx", read_only=True)
    # the summary, two sheets of rows, then the invalid rows, the sources and the codes
    assert [n for n in book.sheetnames if n.startswith("loans")] == ["loans 贷款", "loans 贷款 2"]


def test_a_run_allocates_from_jemalloc_and_gives_the_pool_back(monkeypatch, capsys) -> None:
    """The command line swaps Arrow's pool for jemalloc, which returns freed pages (the
    peak-memory goal of benchmarks/README.md), and restores the caller's pool; a pool
    chosen by ARROW_DEFAULT_MEMORY_POOL is left alone."""
    import pyarrow as pa

    from calculators.cli import app as cli

    seen: list[str] = []
    monkeypatch.setattr(
        cli, "_run", lambda words: seen.append(pa.default_memory_pool().backend_name) or 0
    )
    before = pa.default_memory_pool().backend_name
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    assert main(["deadline", "2022Q2"]) == 0
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "system")
    assert main(["deadline", "2022Q2"]) == 0
    try:
        pa.jemalloc_memory_pool()
        expected = "jemalloc"
    except NotImplementedError:
        expected = before
    assert seen == [expected, before]
    assert pa.default_memory_pool().backend_name == before
